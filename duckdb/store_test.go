package duckdb

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
)

func testEvent(i int, t0 time.Time) *cairn.Event {
	return &cairn.Event{
		Time: t0.Add(time.Duration(i) * time.Second), Source: "aws.cloudtrail",
		EventID: fmt.Sprintf("id-%06d", i), EventName: "GetObject", ReadOnly: cairn.True,
		Raw: []byte(fmt.Sprintf(`{"eventID":"id-%06d"}`, i)), RequestParameters: []byte(`{"a":1}`),
		Key: "k", Index: int64(i), ClassUID: 6003, ActivityID: 2, TypeUID: 600302,
	}
}

func openTest(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestCommitDedupAndLedger(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	ref := cairn.ObjectRef{Bucket: "b", Key: "k", ETag: "e1"}

	tx, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var evs []*cairn.Event
	for i := 0; i < 100; i++ {
		evs = append(evs, testEvent(i, t0))
	}
	evs = append(evs, testEvent(5, t0)) // duplicate inside the batch
	if err := tx.Append(ctx, evs); err != nil {
		t.Fatal(err)
	}
	if err := tx.MarkDone(ctx, cairn.ObjectRecord{Ref: ref, Kind: cairn.KindCloudTrail, Events: 101}); err != nil {
		t.Fatal(err)
	}
	res, err := tx.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Inserted != 100 || res.Duplicates != 1 {
		t.Fatalf("got %+v", res)
	}
	done, err := s.Done(ctx, ref)
	if err != nil || !done {
		t.Fatalf("done=%v err=%v", done, err)
	}

	// A second object repeating 50 ids stores only the new ones.
	tx, err = s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	evs = evs[:0]
	for i := 50; i < 150; i++ {
		evs = append(evs, testEvent(i, t0))
	}
	if err := tx.Append(ctx, evs); err != nil {
		t.Fatal(err)
	}
	res, err = tx.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Inserted != 50 || res.Duplicates != 50 {
		t.Fatalf("got %+v", res)
	}

	// A rolled back transaction leaves nothing.
	tx, err = s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tx.Append(ctx, []*cairn.Event{testEvent(1000, t0)})
	tx.MarkDone(ctx, cairn.ObjectRecord{Ref: cairn.ObjectRef{Bucket: "b", Key: "k2", ETag: "x"}})
	tx.Reject(ctx, []cairn.IngestError{{Ref: ref, Reason: "bad_record", Detail: "x"}})
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Events != 150 || st.Objects != 1 || st.Errors != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func BenchmarkAppendCommit(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, Options{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	t0 := time.Now()
	raw := make([]byte, 1400)
	for i := range raw {
		raw[i] = 'x'
	}
	evs := make([]*cairn.Event, 5000)
	n := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := range evs {
			e := testEvent(n, t0)
			e.Raw = raw
			evs[j] = e
			n++
		}
		tx, _ := s.Begin(ctx)
		if err := tx.Append(ctx, evs); err != nil {
			b.Fatal(err)
		}
		if _, err := tx.Commit(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(evs))/b.Elapsed().Seconds(), "events/s")
}

func TestJSONColumnsFromRaw(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	tx, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ev := testEvent(1, time.Now())
	ev.Raw = []byte(`{"eventID":"id-000001","requestParameters":{"x":[1,2]},"responseElements":null}`)
	if err := tx.Append(ctx, []*cairn.Event{ev}); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	var x, typ string
	var respNull bool
	if err := s.DB().QueryRowContext(ctx, `SELECT request_parameters->>'$.x[1]', json_type(request_parameters), response_elements IS NULL FROM events WHERE event_id='id-000001'`).Scan(&x, &typ, &respNull); err != nil {
		t.Fatal(err)
	}
	if x != "2" || typ != "OBJECT" || !respNull {
		t.Fatalf("request_parameters not a JSON object from raw: %q %q null=%v", x, typ, respNull)
	}
}

func TestQueryIsReadOnly(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	res, err := s.Query(ctx, `SELECT 1 AS one, 'x' AS s`, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 1 || res.Columns[0] != "one" {
		t.Fatalf("got %+v", res)
	}
	refused := []string{
		`SELECT * FROM read_csv('/etc/passwd')`,
		`COPY events TO '/tmp/x.csv'`,
		`ATTACH '/tmp/other.db' AS o`,
		`INSTALL httpfs`,
		`LOAD httpfs`,
		`SET memory_limit='1GB'`,
		`SET enable_external_access=true`,
		`DROP TABLE events`,
		`DELETE FROM events`,
		`INSERT INTO objects VALUES ('a','b','c',NULL,'k',0,0,0,0,NULL,now())`,
		`SELECT 1; DROP TABLE events`,
		`CREATE TABLE x AS SELECT 1`,
		`SELECT * FROM read_text('/etc/hostname')`,
	}
	for _, q := range refused {
		if _, err := s.Query(ctx, q, 0); err == nil {
			t.Errorf("%q was allowed", q)
		} else {
			t.Logf("%q: %v", q, err)
		}
	}
	st, err := s.Stats(ctx)
	if err != nil || st.Events != 0 {
		t.Fatalf("store changed: %+v %v", st, err)
	}
	var n int
	if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables() WHERE table_name IN ('events_data','objects')`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("tables gone: %d %v", n, err)
	}
}

// A record is quarantined once however often its object is processed;
// whole-object failures are kept per attempt.
func TestRejectOncePerRecord(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	ref := cairn.ObjectRef{Bucket: "b", Key: "k", ETag: "e"}
	for attempt := 0; attempt < 3; attempt++ {
		tx, err := s.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		err = tx.Reject(ctx, []cairn.IngestError{
			{Ref: ref, Index: 4, Offset: 100, Reason: "bad_record", Detail: "x", Raw: []byte("{")},
			{Ref: ref, Index: 9, Offset: 900, Reason: "bad_record", Detail: "y"},
			{Ref: ref, Index: -1, Offset: -1, Reason: "corrupt", Detail: "truncated gzip"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	res, err := s.Query(ctx, `SELECT record_index, count(*) AS n FROM ingest_errors GROUP BY ALL ORDER BY record_index`, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(res.Rows)
	if want := "[[-1 3] [4 1] [9 1]]"; got != want {
		t.Errorf("ingest_errors per record_index = %s, want %s", got, want)
	}
}
