package web

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairn-sec/cairn/duckdb"
)

func TestSearch(t *testing.T) {
	ts := newTestServer(t, buildStore(t), nil)
	cases := []struct {
		name      string
		req       SearchRequest
		rows      int
		truncated bool
	}{
		{"all time", SearchRequest{Query: "event_name:ConsoleLogin"}, 4, false},
		{"from", SearchRequest{Query: "event_name:ConsoleLogin", From: "2024-03-02T08:02:30Z"}, 2, false},
		{"from to", SearchRequest{Query: "event_name:ConsoleLogin", From: "2024-03-02", To: "2024-03-02T08:02:30Z"}, 2, false},
		{"last excludes", SearchRequest{Query: "event_name:ConsoleLogin", Last: "1h"}, 0, false},
		{"last includes", SearchRequest{Query: "event_name:ConsoleLogin", Last: "5h"}, 4, false},
		{"relative", SearchRequest{Query: "event_name:ConsoleLogin", From: "now-1d", To: "now"}, 4, false},
		{"limit", SearchRequest{Query: "event_name:ConsoleLogin", Limit: 3}, 3, true},
		{"saved", SearchRequest{Saved: "console-logins"}, 4, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var r QueryResponse
			resp := ts.do(t, "POST", "/api/v1/search", tokenA, c.req, &r)
			if resp.StatusCode != 200 || len(r.Rows) != c.rows || r.Truncated != c.truncated {
				t.Fatalf("%d: %d rows (truncated %v), want %d (%v)", resp.StatusCode, len(r.Rows), r.Truncated, c.rows, c.truncated)
			}
			if len(r.Columns) == 0 || r.Columns[0].Name != "time" || r.Columns[0].Type != "TIMESTAMP" || r.TookMS < 0 {
				t.Fatalf("columns %+v", r.Columns)
			}
		})
	}
	// A saved aggregation: its own columns.
	var agg QueryResponse
	if resp := ts.do(t, "POST", "/api/v1/search", tokenA, SearchRequest{Saved: "console-login-failures-by-source", Last: "1d"}, &agg); resp.StatusCode != 200 ||
		len(agg.Rows) != 1 || column(t, agg, "source_ip")[0] != "203.0.113.50" || column(t, agg, "failures")[0] != float64(2) {
		t.Fatalf("saved aggregation: %d %+v", resp.StatusCode, agg)
	}
	var ex ExplainResponse
	if resp := ts.do(t, "POST", "/api/v1/search", tokenA, SearchRequest{Query: "event_name:ConsoleLogin", Explain: true}, &ex); resp.StatusCode != 200 || !strings.Contains(ex.SQL, "SELECT") || ex.Args == nil {
		t.Fatalf("explain: %d %+v", resp.StatusCode, ex)
	}
}

func TestSearchErrors(t *testing.T) {
	ts := newTestServer(t, buildStore(t), nil)
	var e errResp
	resp := ts.do(t, "POST", "/api/v1/search", tokenA, SearchRequest{Query: "event_name:("}, &e)
	if resp.StatusCode != 400 || e.Position == nil || !strings.Contains(e.Error, "\n") || !strings.HasSuffix(e.Error, "^") {
		t.Fatalf("parse error: %d %q position %v", resp.StatusCode, e.Error, e.Position)
	}
	caretLine := e.Error[strings.LastIndexByte(e.Error, '\n')+1:]
	queryLine := strings.Split(e.Error, "\n")[1]
	if strings.Index(queryLine, "event_name:(")+*e.Position != len(caretLine)-1 {
		t.Fatalf("caret not under position %d:\n%s", *e.Position, e.Error)
	}
	cases := []struct {
		name   string
		req    SearchRequest
		status int
		want   string
	}{
		{"empty", SearchRequest{}, 400, "query is empty"},
		{"both", SearchRequest{Query: "a:b", Saved: "console-logins"}, 400, "not both"},
		{"unknown saved", SearchRequest{Saved: "console"}, 404, "console-logins,"},
		{"bad from", SearchRequest{Query: "a:b", From: "yesterday"}, 400, "bad time range: from"},
		{"bad last", SearchRequest{Query: "a:b", Last: "forever"}, 400, "bad time range: last"},
		{"last and from", SearchRequest{Query: "a:b", Last: "1h", From: "now-2h"}, 400, "not both"},
		{"reversed", SearchRequest{Query: "a:b", From: "2024-03-03", To: "2024-03-02"}, 400, "before"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var e errResp
			resp := ts.do(t, "POST", "/api/v1/search", tokenA, c.req, &e)
			if resp.StatusCode != c.status || !strings.Contains(e.Error, c.want) {
				t.Fatalf("%d %q, want %d %q", resp.StatusCode, e.Error, c.status, c.want)
			}
		})
	}
	ts2 := newTestServer(t, buildStore(t), func(o *Options) { o.Compile = nil })
	if resp := ts2.do(t, "POST", "/api/v1/search", tokenA, SearchRequest{Query: "a:b"}, &e); resp.StatusCode != http.StatusNotImplemented {
		t.Fatalf("no compiler: %d", resp.StatusCode)
	}
}

// countingQuerier counts the statements run.
type countingQuerier struct {
	Querier
	n atomic.Int64
}

func (c *countingQuerier) Query(ctx context.Context, sql string, args []any, maxRows int) (*duckdb.Result, error) {
	c.n.Add(1)
	return c.Querier.Query(ctx, sql, args, maxRows)
}

func TestFields(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2024, 3, 2, 12, 0, 0, 0, time.UTC)
	var cq *countingQuerier
	ts := newTestServer(t, buildStore(t), func(o *Options) {
		cq = &countingQuerier{Querier: o.Querier}
		o.Querier = cq
		o.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	})
	var f FieldsResponse
	if resp := ts.do(t, "GET", "/api/v1/fields", tokenA, nil, &f); resp.StatusCode != 200 || f.TopValuesError != "" {
		t.Fatalf("%d %q", resp.StatusCode, f.TopValuesError)
	}
	byName := map[string]FieldInfo{}
	for _, fi := range f.Fields {
		byName[fi.Name] = fi
	}
	en := byName["event_name"]
	if en.Type != "string" || len(en.Aliases) == 0 || len(en.TopValues) == 0 || en.TopValues[0] != (TopValue{Value: "ConsoleLogin", Count: 4}) {
		t.Fatalf("event_name: %+v", en)
	}
	if mfa := byName["session_mfa"]; len(mfa.TopValues) != 2 {
		t.Fatalf("session_mfa top values: %+v", mfa.TopValues)
	}
	for _, n := range []string{"time", "request_parameters", "raw"} {
		if len(byName[n].TopValues) != 0 {
			t.Errorf("%s has top values", n)
		}
	}
	eligible := map[string]bool{}
	for _, fi := range SearchFields() {
		if fi.Type != "timestamp" && fi.Type != "json" && !noTopValues[fi.Column] {
			eligible[fi.Column] = true
		}
	}
	queried := cq.n.Load()
	if queried != int64(len(eligible)) || queried < 15 {
		t.Fatalf("%d queries for top values, want one per eligible column (%d)", queried, len(eligible))
	}
	ts.do(t, "GET", "/api/v1/fields", tokenA, nil, &f)
	if cq.n.Load() != queried {
		t.Fatal("fields not cached")
	}
	mu.Lock()
	now = now.Add(48 * time.Hour)
	mu.Unlock()
	f = FieldsResponse{}
	ts.do(t, "GET", "/api/v1/fields", tokenA, nil, &f)
	if cq.n.Load() != 2*queried {
		t.Fatal("stale cache not refreshed")
	}
	// The window moved past the fixture: no top values, fields still listed.
	for _, fi := range f.Fields {
		if len(fi.TopValues) != 0 {
			t.Fatalf("after the window: %+v", fi)
		}
	}
	if len(f.Fields) != len(SearchFields()) {
		t.Fatalf("%d fields", len(f.Fields))
	}
	// A wider window, asked for, finds them again (and is cached apart).
	f = FieldsResponse{}
	ts.do(t, "GET", "/api/v1/fields?last=7d", tokenA, nil, &f)
	for _, fi := range f.Fields {
		if fi.Name == "event_name" && (len(fi.TopValues) == 0 || !f.From.Equal(now.AddDate(0, 0, -7))) {
			t.Fatalf("last=7d: %+v from %s", fi, f.From)
		}
	}
	var e errResp
	if resp := ts.do(t, "GET", "/api/v1/fields?last=forever", tokenA, nil, &e); resp.StatusCode != 400 {
		t.Fatalf("bad last: %d", resp.StatusCode)
	}
}

func TestFieldsWithoutStore(t *testing.T) {
	ts := newTestServer(t, t.TempDir(), nil)
	var f FieldsResponse
	if resp := ts.do(t, "GET", "/api/v1/fields", tokenA, nil, &f); resp.StatusCode != 200 || len(f.Fields) != len(SearchFields()) || !strings.Contains(f.TopValuesError, "no store yet") {
		t.Fatalf("%d %+v", resp.StatusCode, f)
	}
	var e errResp
	if resp := ts.do(t, "POST", "/api/v1/sql", tokenA, SQLRequest{SQL: "SELECT 1"}, &e); resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(e.Error, "no store yet") {
		t.Fatalf("sql without a store: %d %q", resp.StatusCode, e.Error)
	}
}

func TestSavedQueries(t *testing.T) {
	ts := newTestServer(t, buildStore(t), nil)
	var list QueriesResponse
	if resp := ts.do(t, "GET", "/api/v1/queries", tokenA, nil, &list); resp.StatusCode != 200 || len(list.Queries) < 20 {
		t.Fatalf("%d, %d queries", resp.StatusCode, len(list.Queries))
	}
	var q struct {
		Name, Query, Source string
		MITRE               []string `json:"mitre"`
	}
	if resp := ts.do(t, "GET", "/api/v1/queries/root-account-usage", tokenA, nil, &q); resp.StatusCode != 200 || q.Query != "user_type:Root" || q.Source != "builtin" || len(q.MITRE) == 0 {
		t.Fatalf("%d %+v", resp.StatusCode, q)
	}
	var e errResp
	if resp := ts.do(t, "GET", "/api/v1/queries/nope", tokenA, nil, &e); resp.StatusCode != 404 {
		t.Fatalf("unknown query: %d", resp.StatusCode)
	}
}

func TestTimeRange(t *testing.T) {
	now := time.Date(2024, 3, 2, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		from, to, last string
		f, t           time.Time
	}{
		{last: "7d", f: now.AddDate(0, 0, -7)},
		{last: "90m", f: now.Add(-90 * time.Minute)},
		{from: "-24h", f: now.Add(-24 * time.Hour)},
		{from: "now-2w", to: "now", f: now.AddDate(0, 0, -14), t: now},
		{from: "2024-03-01", to: "2024-03-02T10:00:00+02:00", f: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), t: time.Date(2024, 3, 2, 8, 0, 0, 0, time.UTC)},
	} {
		f, to, err := timeRange(c.from, c.to, c.last, now)
		if err != nil || !f.Equal(c.f) || !to.Equal(c.t) {
			t.Errorf("%+v: %s %s %v", c, f, to, err)
		}
	}
	for _, bad := range [][3]string{{"", "", "-1h"}, {"", "", "0s"}, {"tomorrow", "", ""}, {"", "", "7x"}} {
		if _, _, err := timeRange(bad[0], bad[1], bad[2], now); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
