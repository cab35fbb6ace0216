package duckdb

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
)

// A store written at schema version 1 upgrades in place: its events keep
// their values (new columns NULL), and the view keeps the columns of
// version 1 first, in their order.
func TestMigrateFromVersion1(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	// Turn the fresh store back into a version 1 store holding an event.
	v1 := migrations[0]
	view := v1[strings.Index(v1, "CREATE OR REPLACE VIEW") : strings.Index(v1, "FROM events_data;")+len("FROM events_data;")]
	stmts := []string{`DROP VIEW events`}
	added := addedColumns()
	for _, c := range added {
		stmts = append(stmts, `ALTER TABLE events_data DROP COLUMN `+c)
	}
	stmts = append(stmts, `DROP TABLE push_requests`, `DROP VIEW alerts`, `ALTER TABLE alert_versions DROP COLUMN version`,
		`ALTER TABLE alert_versions RENAME TO alerts`, view, `DELETE FROM schema_migrations WHERE version > 1`,
		`INSERT INTO events_data (time, source, event_id, raw, ingested_at) VALUES (TIMESTAMP '2026-01-02 03:04:05', 'aws.cloudtrail', 'old', '{"requestParameters":{"a":1}}', now())`)
	for _, q := range stmts {
		if _, err := s.DB().ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var cols1 []string
	rows, err := s.DB().QueryContext(ctx, `SELECT column_name FROM information_schema.columns WHERE table_name = 'events' ORDER BY ordinal_position`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c string
		rows.Scan(&c)
		cols1 = append(cols1, c)
	}
	rows.Close()
	s.Close()

	s, err = Open(ctx, Options{Dir: dir})
	if err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	defer s.Close()
	rows, err = s.DB().QueryContext(ctx, `SELECT column_name FROM information_schema.columns WHERE table_name = 'events' ORDER BY ordinal_position`)
	if err != nil {
		t.Fatal(err)
	}
	var cols2 []string
	for rows.Next() {
		var c string
		rows.Scan(&c)
		cols2 = append(cols2, c)
	}
	rows.Close()
	if len(cols2) != len(cols1)+len(added) || strings.Join(cols2[:len(cols1)], ",") != strings.Join(cols1, ",") {
		t.Fatalf("view columns after upgrade:\n%v\nwant the version 1 columns first:\n%v", cols2, cols1)
	}
	var rp string
	var dst any
	if err := s.DB().QueryRowContext(ctx, `SELECT request_parameters::VARCHAR, dst_ip FROM events WHERE event_id = 'old'`).Scan(&rp, &dst); err != nil || rp != `{"a":1}` || dst != nil {
		t.Fatalf("old event after upgrade: %q %v %v", rp, dst, err)
	}

	// New events fill the new columns.
	tx, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ev := &cairn.Event{Time: time.Date(2026, 1, 2, 3, 4, 6, 0, time.UTC), Source: "aws.vpcflow", EventID: "new",
		SourceIP: "10.0.0.1", DstIP: "2001:db8::1", SrcPort: cairn.Int(443), DstPort: cairn.Int(0), Protocol: cairn.Int(6),
		Bytes: cairn.Int(1 << 40), Packets: cairn.Int(3), Action: "REJECT", LogStatus: "OK", TrafficPath: cairn.Int(8),
		StartTime: time.Date(2026, 1, 2, 3, 4, 6, 0, time.UTC), Answers: []byte(`[{"Rdata":"1.2.3.4"}]`), Raw: []byte(`{}`)}
	if err := tx.Append(ctx, []*cairn.Event{ev}); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM events WHERE event_id = 'new' AND dst_ip = '2001:db8::1' AND src_port = 443
		AND dst_port = 0 AND protocol = 6 AND bytes = 1099511627776 AND packets = 3 AND action = 'REJECT' AND traffic_path = 8
		AND start_time = TIMESTAMP '2026-01-02 03:04:06' AND end_time IS NULL AND query_name IS NULL
		AND (answers->>'$[0].Rdata') = '1.2.3.4'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("new columns: %d rows, %v", n, err)
	}
}

// addedColumns lists the events_data columns the migrations after the
// first add.
func addedColumns() []string {
	var cols []string
	re := regexp.MustCompile(`ALTER TABLE events_data ADD COLUMN (\w+)`)
	for _, m := range migrations[1:] {
		for _, g := range re.FindAllStringSubmatch(m, -1) {
			cols = append(cols, g[1])
		}
	}
	return cols
}
