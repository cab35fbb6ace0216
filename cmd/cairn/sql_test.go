package main

import (
	"crypto/sha256"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// sqlStore fills a store through cairn ingest with n events named
// sql-00.. and returns their IDs and user names.
func sqlStore(t *testing.T, c *cli, n int) (ids, users []string) {
	t.Helper()
	dir := t.TempDir()
	at := time.Date(2024, 7, 1, 8, 0, 0, 0, time.UTC)
	var recs []record
	for i := range n {
		id, user := fmt.Sprintf("sql-%02d", i), fmt.Sprintf("user,%d \"q\"", i%3) // commas and quotes for CSV
		recs = append(recs, ctRecord(id, "GetObject", "us-east-1", at.Add(time.Duration(i)*time.Second),
			map[string]any{"type": "IAMUser", "userName": user, "accountId": "111111111111"}, nil))
		ids, users = append(ids, id), append(users, user)
	}
	writeFile(t, filepath.Join(dir, "log.json.gz"), gzipBytes(t, logFile(t, recs...)))
	c.ok("ingest", dir)
	return ids, users
}

func TestSQLFormats(t *testing.T) {
	c := newCLI(t)
	ids, users := sqlStore(t, c, 5)
	q := `SELECT event_id, user_name, account_id, record_index FROM events ORDER BY event_id`

	t.Run("json", func(t *testing.T) {
		r := c.ok("sql", "--format", "json", q)
		rows, err := decodeRows(r.stdout)
		if err != nil {
			t.Fatalf("%v\n%s", err, r)
		}
		if len(rows) != len(ids) {
			t.Fatalf("%d rows, want %d\n%s", len(rows), len(ids), r)
		}
		for i, row := range rows {
			want := map[string]any{"event_id": ids[i], "user_name": users[i], "account_id": "111111111111", "record_index": json.Number(fmt.Sprint(i))}
			if !mapsEqual(row, want) {
				t.Errorf("row %d = %v, want %v", i, row, want)
			}
		}
		// Keys come in column order.
		first := strings.SplitN(r.stdout, "\n", 3)[1]
		if a, b := strings.Index(first, `"event_id"`), strings.Index(first, `"record_index"`); a < 0 || b < a {
			t.Errorf("row keys not in column order: %s", first)
		}

		// Types: numbers stay numbers, NULL is null, nested values are JSON.
		rows, err = decodeRows(c.ok("sql", "--format", "json", `SELECT 42 AS n, 'x' AS s, NULL AS z, true AS b, [1, 2] AS l, {'k': 'v'} AS m`).stdout)
		if err != nil {
			t.Fatal(err)
		}
		if got := mustJSON(t, rows); got != `[{"b":true,"l":[1,2],"m":{"k":"v"},"n":42,"s":"x","z":null}]` {
			t.Errorf("typed row: %s", got)
		}
		// No rows is an empty array, not null or nothing.
		if rows, err := decodeRows(c.ok("sql", "--format", "json", `SELECT event_id FROM events WHERE false`).stdout); err != nil || len(rows) != 0 {
			t.Errorf("empty result: %v %v", rows, err)
		}
	})

	t.Run("csv", func(t *testing.T) {
		r := c.ok("sql", "--format", "csv", q)
		recs, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
		if err != nil {
			t.Fatalf("not CSV: %v\n%s", err, r)
		}
		if len(recs) != len(ids)+1 || !slices.Equal(recs[0], []string{"event_id", "user_name", "account_id", "record_index"}) {
			t.Fatalf("want a header and %d rows\n%s", len(ids), r)
		}
		for i, rec := range recs[1:] {
			if want := []string{ids[i], users[i], "111111111111", fmt.Sprint(i)}; !slices.Equal(rec, want) {
				t.Errorf("row %d = %q, want %q", i, rec, want)
			}
		}
		r = c.ok("sql", "--format", "csv", `SELECT event_id, user_name FROM events WHERE false`)
		if r.stdout != "event_id,user_name\n" {
			t.Errorf("empty result: want only the header, got %q", r.stdout)
		}
	})

	t.Run("table", func(t *testing.T) {
		r := c.ok("sql", q) // table is the default
		lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
		if len(lines) != len(ids)+3 {
			t.Fatalf("want a header, a rule, %d rows and a count\n%s", len(ids), r)
		}
		for _, col := range []string{"event_id", "user_name", "account_id", "record_index"} {
			if !strings.Contains(lines[0], col) {
				t.Errorf("header %q lacks column %s", lines[0], col)
			}
		}
		for i, id := range ids {
			if !strings.Contains(lines[i+2], id) || !strings.Contains(lines[i+2], users[i]) {
				t.Errorf("row line %q lacks %s / %s", lines[i+2], id, users[i])
			}
		}
		if want := fmt.Sprintf("(%d rows)", len(ids)); lines[len(lines)-1] != want {
			t.Errorf("last line %q, want %q", lines[len(lines)-1], want)
		}
	})

	t.Run("max-rows", func(t *testing.T) {
		rows, err := decodeRows(c.ok("sql", "--format", "json", "--max-rows", "2", q).stdout)
		if err != nil || len(rows) != 2 || rows[1]["event_id"] != ids[1] {
			t.Fatalf("--max-rows 2: %v %v", rows, err)
		}
		if r := c.ok("sql", "--max-rows", "2", q); !strings.Contains(r.stdout, "(2 rows, truncated)") {
			t.Fatalf("a truncated table does not say so\n%s", r)
		}
		if rows, err := decodeRows(c.ok("sql", "--format", "json", "--max-rows", "0", q).stdout); err != nil || len(rows) != len(ids) {
			t.Fatalf("--max-rows 0: %d rows %v, want all %d", len(rows), err, len(ids))
		}
	})

	t.Run("bad format", func(t *testing.T) {
		if r := c.run("sql", "--format", "yaml", q); r.code == 0 || !strings.Contains(r.stderr, "yaml") {
			t.Fatalf("an unknown format is accepted\n%s", r)
		}
	})
}

// storeState is what a refused statement must leave unchanged.
type storeState struct {
	fileHash [32]byte
	files    []string
	objects  []map[string]any
	events   int64
	errors   int64
}

func snapshotStore(t *testing.T, c *cli) storeState {
	t.Helper()
	var s storeState
	b, err := os.ReadFile(filepath.Join(c.store, "cairn.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	s.fileHash = sha256.Sum256(b)
	entries, err := os.ReadDir(c.store)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		s.files = append(s.files, e.Name())
	}
	s.objects = c.query(`SELECT * FROM objects ORDER BY key`)
	s.events = c.count(`SELECT count(*) FROM events`)
	s.errors = c.count(`SELECT count(*) FROM ingest_errors`)
	return s
}

// TestSQLRefusals checks that statements which write, reach outside the
// store or come in pairs are refused with a non-zero exit and change
// nothing: not the store file, not its tables, not the file system.
func TestSQLRefusals(t *testing.T) {
	c := newCLI(t)
	ids, _ := sqlStore(t, c, 3)
	out := t.TempDir()
	before := snapshotStore(t, c)
	if before.events != int64(len(ids)) || len(before.objects) != 1 {
		t.Fatalf("fixture: %d events, %d objects", before.events, len(before.objects))
	}

	copyTo := filepath.Join(out, "x.csv")
	attached := filepath.Join(out, "other.duckdb")
	exported := filepath.Join(out, "export")
	for _, q := range []string{
		`DELETE FROM objects`,
		`DROP TABLE objects`,
		`INSERT INTO ingest_errors (time, reason, detail) VALUES (now(), 'x', 'y')`,
		`UPDATE events_data SET user_name = 'mallory'`,
		`CREATE TABLE evil AS SELECT 1`,
		`ATTACH '` + attached + `' AS other`,
		`SELECT 1; SELECT 2`,
		`SELECT 1; DELETE FROM objects`,
		`COPY (SELECT 1) TO '` + copyTo + `'`,
		`COPY objects TO '` + copyTo + `'`,
		`EXPORT DATABASE '` + exported + `'`,
		`SELECT * FROM read_csv('/etc/passwd')`,
		`SELECT * FROM read_text('/etc/passwd')`,
		`SET enable_external_access = true`,
		`INSTALL httpfs`,
		`LOAD httpfs`,
		`CHECKPOINT`,
	} {
		r := c.run("sql", q)
		if r.code == 0 {
			t.Errorf("%s: accepted\n%s", q, r)
			continue
		}
		if !strings.HasPrefix(r.stderr, "cairn: ") || r.stdout != "" {
			t.Errorf("%s: want only an error message on stderr\n%s", q, r)
		}
	}
	// The statement-type check names what is allowed.
	for _, q := range []string{`DELETE FROM objects`, `ATTACH '` + attached + `' AS other`, `SELECT 1; SELECT 2`} {
		if r := c.run("sql", q); !strings.Contains(r.stderr, "only a single read-only query") {
			t.Errorf("%s: the error does not explain the rule\n%s", q, r)
		}
	}

	after := snapshotStore(t, c)
	if after.fileHash != before.fileHash || !slices.Equal(after.files, before.files) {
		t.Errorf("the store directory changed: files %v → %v", before.files, after.files)
	}
	if after.events != before.events || after.errors != before.errors || !slices.EqualFunc(after.objects, before.objects, mapsEqual) {
		t.Errorf("the tables changed: %+v → %+v", before, after)
	}
	for _, p := range []string{copyTo, attached, exported} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s was created (%v)", p, err)
		}
	}
	// Still a working store.
	if got := c.column(`SELECT event_id FROM events ORDER BY event_id`, "event_id"); !slices.Equal(got, ids) {
		t.Errorf("events after the refusals: %v, want %v", got, ids)
	}
}

// TestSQLAllowedStatements checks the read-only statements the help names.
func TestSQLAllowedStatements(t *testing.T) {
	c := newCLI(t)
	sqlStore(t, c, 2)
	for q, want := range map[string]string{
		`WITH x AS (SELECT event_id FROM events) SELECT count(*) AS n FROM x`: "2",
		`DESCRIBE events`:              "event_id",
		`SHOW TABLES`:                  "ingest_errors",
		`SUMMARIZE events`:             "user_name",
		`EXPLAIN SELECT * FROM events`: "physical_plan",
	} {
		if r := c.ok("sql", "--format", "csv", q); !strings.Contains(r.stdout, want) {
			t.Errorf("%s: output lacks %q\n%s", q, want, r)
		}
	}
}

func TestSQLMissingStore(t *testing.T) {
	c := newCLI(t)
	c.store = filepath.Join(t.TempDir(), "nowhere")
	r := c.fails(1, "sql", "SELECT 1")
	for _, want := range []string{"no store in " + c.store, "cairn ingest"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("the error lacks %q\n%s", want, r)
		}
	}
	if _, err := os.Stat(c.store); !os.IsNotExist(err) {
		t.Errorf("cairn sql created the store directory (%v)", err)
	}
	if strings.Contains(r.stderr, "panic") || strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
		t.Errorf("want a one-line error\n%s", r)
	}
}
