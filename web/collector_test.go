package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/duckdb"
	"github.com/cairn-sec/cairn/queryapi"
)

// With a collector holding the store, queries go over its socket, and a
// slow one neither blocks the collector's commits nor outlives its
// timeout.
func TestQueriesThroughCollectorSocket(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := buildStore(t)
	collector, err := duckdb.Open(ctx, duckdb.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer collector.Close()
	l, err := queryapi.Listen(dir)
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan struct{})
	go func() {
		defer close(served)
		queryapi.Serve(ctx, l, collector, time.Minute, slog.New(slog.DiscardHandler))
	}()
	defer func() { cancel(); <-served }()

	ts := newTestServer(t, dir, func(o *Options) { o.QueryTimeout = 700 * time.Millisecond })
	var r QueryResponse
	if resp := ts.do(t, "POST", "/api/v1/sql", tokenA, SQLRequest{SQL: "SELECT count(*) AS n FROM events"}, &r); resp.StatusCode != 200 || fmt.Sprint(r.Rows) != "[[31]]" {
		t.Fatalf("through the socket: %d %v", resp.StatusCode, r.Rows)
	}
	if ts.backend.OpenHandles() != 0 {
		t.Fatal("opened the store although a collector serves it")
	}

	slow := make(chan int, 1)
	start := time.Now()
	go func() {
		var e errResp
		slow <- ts.do(t, "POST", "/api/v1/sql", tokenA, SQLRequest{SQL: slowSQL}, &e).StatusCode
	}()
	time.Sleep(100 * time.Millisecond) // the slow query is running
	commitStart := time.Now()
	tx, err := collector.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ev := &cairn.Event{Time: time.Date(2024, 3, 2, 9, 0, 0, 0, time.UTC), Source: "aws.cloudtrail", EventID: "live-1", EventName: "PutObject", Raw: []byte(`{"eventID":"live-1"}`)}
	if err := tx.Append(ctx, []*cairn.Event{ev}); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	// The commit did not wait for the query: the query (timeout 700ms) is
	// still unanswered when the commit is done.
	select {
	case code := <-slow:
		t.Fatalf("the commit finished only after the slow query was answered (%d, %s after the commit began)", code, time.Since(commitStart))
	default:
	}
	if code := <-slow; code != http.StatusGatewayTimeout {
		t.Fatalf("slow query through the socket: %d, want 504", code)
	}
	if d := time.Since(start); d > 30*time.Second { // a hang, not a speed check
		t.Fatalf("timeout answered after %s", d)
	}
	ts.do(t, "POST", "/api/v1/sql", tokenA, SQLRequest{SQL: "SELECT count(*) AS n FROM events"}, &r)
	if fmt.Sprint(r.Rows) != "[[32]]" {
		t.Fatalf("new event not visible: %v", r.Rows)
	}
	// A search's parameters (strings, times) travel over the socket.
	var sr QueryResponse
	if resp := ts.do(t, "POST", "/api/v1/search", tokenA, SearchRequest{Query: "event_name:ConsoleLogin AND status:Failure", From: "2024-03-02", To: "2024-03-03"}, &sr); resp.StatusCode != 200 || len(sr.Rows) != 2 {
		t.Fatalf("search through the socket: %d %+v", resp.StatusCode, sr)
	}
	// The sandbox holds on the collector's side too (errors arrive as text).
	var e errResp
	if resp := ts.do(t, "POST", "/api/v1/sql", tokenA, SQLRequest{SQL: "SELECT * FROM read_csv('/etc/passwd')"}, &e); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("read_csv through the socket: %d %q", resp.StatusCode, e.Error)
	}
	if resp := ts.do(t, "POST", "/api/v1/sql", tokenA, SQLRequest{SQL: "ATTACH '/tmp/x.duckdb' AS x"}, &e); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("ATTACH through the socket: %d %q", resp.StatusCode, e.Error)
	}
}
