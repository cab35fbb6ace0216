package web

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cairn-sec/cairn/duckdb"
)

func TestSQLRowsLimitsAndTypes(t *testing.T) {
	dir := buildStore(t)
	ts := newTestServer(t, dir, func(o *Options) { o.MaxRows = 10 })

	var r QueryResponse
	resp := ts.do(t, "POST", "/api/v1/sql", tokenA, SQLRequest{SQL: "SELECT event_id, time, read_only, class_uid FROM events ORDER BY event_id", Limit: 5}, &r)
	if resp.StatusCode != 200 || len(r.Rows) != 5 || !r.Truncated {
		t.Fatalf("limit 5: %d rows, truncated %v, status %d", len(r.Rows), r.Truncated, resp.StatusCode)
	}
	want := []Column{{"event_id", "VARCHAR"}, {"time", "TIMESTAMP"}, {"read_only", "BOOLEAN"}, {"class_uid", "INTEGER"}}
	for i, c := range want {
		if r.Columns[i] != c {
			t.Fatalf("columns %+v, want %+v", r.Columns, want)
		}
	}
	if r.Rows[0][0] != "e01" || r.Rows[0][1] != "2024-03-02T08:01:00Z" || r.Rows[0][2] != false || r.Rows[0][3] != float64(6003) {
		t.Fatalf("first row %#v", r.Rows[0])
	}

	// A limit above api.max_rows is capped to it.
	resp = ts.do(t, "POST", "/api/v1/sql", tokenA, SQLRequest{SQL: "SELECT event_id FROM events", Limit: 1000}, &r)
	if resp.StatusCode != 200 || len(r.Rows) != 10 || !r.Truncated {
		t.Fatalf("capped: %d rows, truncated %v", len(r.Rows), r.Truncated)
	}
	// Exactly the rows there are: not truncated.
	ts.do(t, "POST", "/api/v1/sql", tokenA, SQLRequest{SQL: "SELECT event_id FROM events WHERE event_name = 'ConsoleLogin'"}, &r)
	if len(r.Rows) != 4 || r.Truncated {
		t.Fatalf("console logins: %d rows, truncated %v", len(r.Rows), r.Truncated)
	}
	// Parameters.
	resp = ts.do(t, "POST", "/api/v1/sql", tokenA, `{"sql":"SELECT event_id FROM events WHERE event_name = ? AND class_uid = ? AND read_only = ? AND error_code IS NOT DISTINCT FROM ?","args":["ConsoleLogin",6003,false,null]}`, &r)
	if resp.StatusCode != 200 || len(r.Rows) != 4 {
		t.Fatalf("args: %d %+v", resp.StatusCode, r)
	}
	var e errResp
	if resp := ts.do(t, "POST", "/api/v1/sql", tokenA, `{"sql":"SELECT ?","args":[{"a":1}]}`, &e); resp.StatusCode != 400 || !strings.Contains(e.Error, "args[0]") {
		t.Fatalf("object arg: %d %q", resp.StatusCode, e.Error)
	}
	// No rows is an empty array, not null.
	resp = ts.do(t, "POST", "/api/v1/sql", tokenA, `{"sql":"SELECT 1 AS x WHERE false"}`, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("empty result: %d", resp.StatusCode)
	}

	// The read-only handle is released after each request, so a writer
	// (a collector or cairn ingest) can open the store.
	if n := ts.backend.OpenHandles(); n != 0 {
		t.Fatalf("%d read-only handles left open", n)
	}
	w, err := duckdb.Open(context.Background(), duckdb.Options{Dir: dir})
	if err != nil {
		t.Fatalf("store still locked after the request: %v", err)
	}
	w.Close()
}

func TestSQLErrors(t *testing.T) {
	ts := newTestServer(t, buildStore(t), func(o *Options) { o.MaxRequestBytes = 256 })
	cases := []struct {
		name, body string
		status     int
		want       string
	}{
		{"syntax", `{"sql":"SELEC 1"}`, 400, "Parser Error"},
		{"unknown column", `{"sql":"SELECT nope FROM events"}`, 400, "Binder Error"},
		{"unknown table", `{"sql":"SELECT * FROM nope"}`, 400, "Catalog Error"},
		{"empty sql", `{"sql":"  "}`, 400, "sql is empty"},
		{"empty body", ``, 400, "empty body"},
		{"not json", `sql=SELECT 1`, 400, "bad request"},
		{"unknown field", `{"sql":"SELECT 1","max":3}`, 400, `unknown field "max"`},
		{"two values", `{"sql":"SELECT 1"}{"sql":"SELECT 2"}`, 400, "more than one"},
		{"too large", `{"sql":"SELECT '` + strings.Repeat("x", 300) + `'"}`, 413, "larger than 256 bytes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var e errResp
			resp := ts.do(t, "POST", "/api/v1/sql", tokenA, c.body, &e)
			if resp.StatusCode != c.status || !strings.Contains(e.Error, c.want) {
				t.Fatalf("%d %q, want %d and %q", resp.StatusCode, e.Error, c.status, c.want)
			}
		})
	}
	var e errResp
	if resp := ts.do(t, "GET", "/api/v1/nope", tokenA, nil, &e); resp.StatusCode != 404 || !strings.Contains(e.Error, "no such endpoint") {
		t.Fatalf("unknown endpoint: %d %q", resp.StatusCode, e.Error)
	}
	if resp := ts.do(t, "GET", "/api/v1/sql", tokenA, nil, &e); resp.StatusCode != 405 || resp.Header.Get("Allow") != "POST" {
		t.Fatalf("wrong method: %d %q", resp.StatusCode, e.Error)
	}
}

func TestSQLSandbox(t *testing.T) {
	dir := buildStore(t)
	ts := newTestServer(t, dir, nil)
	out := filepath.Join(t.TempDir(), "out.csv")
	attached := filepath.Join(t.TempDir(), "other.duckdb")
	for _, q := range []string{
		"SELECT * FROM read_csv('/etc/passwd')",
		"SELECT * FROM read_text('/etc/passwd')",
		"SELECT * FROM 'passwd.csv'",
		"SELECT * FROM glob('/etc/*')",
		"COPY (SELECT * FROM events) TO '" + out + "'",
		"COPY events_data TO '" + out + "' (FORMAT csv)",
		"ATTACH '" + attached + "' AS other",
		"INSTALL httpfs",
		"LOAD httpfs",
		"SET enable_external_access = true",
		"SET threads = 1",
		"RESET lock_configuration",
		"PRAGMA enable_profiling",
		"DELETE FROM events_data",
		"DROP TABLE events_data",
		"CREATE TABLE x AS SELECT 1",
		"SELECT 1; DROP TABLE events_data",
		"EXPORT DATABASE '" + t.TempDir() + "'",
		"SELECT * FROM read_json_auto('http://169.254.169.254/latest/meta-data/')",
	} {
		var e errResp
		resp := ts.do(t, "POST", "/api/v1/sql", tokenA, SQLRequest{SQL: q}, &e)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.HasPrefix(e.Error, "refused: ") {
			t.Errorf("%s: %d %q, want 422 refused", q, resp.StatusCode, e.Error)
		}
	}
	for _, p := range []string{out, attached} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s was written", p)
		}
	}
	var r QueryResponse
	ts.do(t, "POST", "/api/v1/sql", tokenA, SQLRequest{SQL: "SELECT count(*) AS n FROM events_data"}, &r)
	if len(r.Rows) != 1 || r.Rows[0][0] != float64(31) {
		t.Fatalf("store changed: %+v", r.Rows)
	}
}

// slowSQL runs for minutes unless interrupted.
const slowSQL = "SELECT count(*) FROM range(100000000) a, range(100000000) b WHERE (a.range * b.range) % 7 = 3"

func TestSQLTimeout(t *testing.T) {
	ts := newTestServer(t, buildStore(t), func(o *Options) { o.QueryTimeout = 300 * time.Millisecond })
	start := time.Now()
	var e errResp
	resp := ts.do(t, "POST", "/api/v1/sql", tokenA, SQLRequest{SQL: slowSQL}, &e)
	took := time.Since(start)
	if resp.StatusCode != http.StatusGatewayTimeout || !strings.Contains(e.Error, "timed out after 300ms") {
		t.Fatalf("%d %q, want 504", resp.StatusCode, e.Error)
	}
	if took > 5*time.Second {
		t.Fatalf("timeout answered after %s", took)
	}
	// The interrupted query released the store.
	var r QueryResponse
	if resp := ts.do(t, "POST", "/api/v1/sql", tokenA, SQLRequest{SQL: "SELECT 1 AS one"}, &r); resp.StatusCode != 200 {
		t.Fatalf("after a timeout: %d", resp.StatusCode)
	}
}

// Concurrent requests share one read-only handle, closed after the last.
func TestConcurrentQueriesShareHandle(t *testing.T) {
	dir := buildStore(t)
	ts := newTestServer(t, dir, nil)
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		go func() {
			var r QueryResponse
			resp := ts.do(t, "POST", "/api/v1/sql", tokenA, SQLRequest{SQL: "SELECT count(*) FROM events, range(20000)"}, &r)
			if resp.StatusCode != 200 || fmt.Sprint(r.Rows) != "[[620000]]" {
				errs <- fmt.Errorf("%d %v", resp.StatusCode, r.Rows)
				return
			}
			errs <- nil
		}()
	}
	for i := 0; i < 8; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if ts.backend.OpenHandles() != 0 {
		t.Fatal("handle left open")
	}
}

// stuckQuerier runs "STUCK" for a fixed time whatever its context says,
// like a query that cannot be interrupted.
type stuckQuerier struct {
	Querier
	d time.Duration
}

func (q stuckQuerier) Query(ctx context.Context, sql string, args []any, maxRows int) (*duckdb.Result, error) {
	if sql == "STUCK" {
		time.Sleep(q.d)
		return &duckdb.Result{}, nil
	}
	return q.Querier.Query(ctx, sql, args, maxRows)
}

// A query waiting for a slot counts the wait toward its timeout.
func TestConcurrencyLimit(t *testing.T) {
	ts := newTestServer(t, buildStore(t), func(o *Options) {
		o.MaxConcurrent = 1
		o.QueryTimeout = 400 * time.Millisecond
		o.Querier = stuckQuerier{Querier: o.Querier, d: 1500 * time.Millisecond}
	})
	stuck := make(chan int, 1)
	go func() {
		stuck <- ts.do(t, "POST", "/api/v1/sql", tokenA, SQLRequest{SQL: "STUCK"}, nil).StatusCode
	}()
	time.Sleep(100 * time.Millisecond)
	var e errResp
	start := time.Now()
	if resp := ts.do(t, "POST", "/api/v1/sql", tokenA, SQLRequest{SQL: "SELECT 1"}, &e); resp.StatusCode != http.StatusGatewayTimeout {
		t.Fatalf("queued query: %d %q", resp.StatusCode, e.Error)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("queued query answered after %s", d)
	}
	<-stuck
	var r QueryResponse
	if resp := ts.do(t, "POST", "/api/v1/sql", tokenA, SQLRequest{SQL: "SELECT 1"}, &r); resp.StatusCode != 200 {
		t.Fatalf("after the slot freed: %d", resp.StatusCode)
	}
}
