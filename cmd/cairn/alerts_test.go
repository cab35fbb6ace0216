package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/duckdb"
	"github.com/cairn-sec/cairn/queryapi"
)

func TestAlertsCommands(t *testing.T) {
	c := detectCLI(t)
	ingestSearchFixture(t, c)
	as := decodeAlerts(t, c.ok("alerts", "list", "--format", "json"))
	login := as[0]

	r := c.ok("alerts", "show", login.ID)
	for _, want := range []string{"id:", login.ID, "author:", "Jane Analyst", "license:", "DRL-1.1", "sample_event_ids: s2", "status:", "open"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("show lacks %q\n%s", want, r)
		}
	}
	var one cairn.Alert
	if err := json.Unmarshal([]byte(c.ok("alerts", "show", "--format", "json", login.ID).stdout), &one); err != nil || one.ID != login.ID {
		t.Fatalf("show --format json: %+v %v", one, err)
	}
	if r := c.ok("alerts", "list"); !strings.Contains(r.stdout, "Console login failure") || !strings.Contains(r.stdout, "Jane Analyst") {
		t.Errorf("table\n%s", r)
	}

	c.ok("alerts", "ack", login.ID)
	if got := decodeAlerts(t, c.ok("alerts", "list", "--format", "json", "--status", "open")); len(got) != 1 || got[0].ID == login.ID {
		t.Errorf("open after ack: %+v", got)
	}
	if got := decodeAlerts(t, c.ok("alerts", "list", "--format", "json", "--status", "acknowledged", "--severity", "low")); len(got) != 1 || got[0].ID != login.ID {
		t.Errorf("acknowledged: %+v", got)
	}
	c.ok("alerts", "close", login.ID)
	if err := json.Unmarshal([]byte(c.ok("alerts", "show", "--format", "json", login.ID).stdout), &one); err != nil || one.Status != cairn.AlertClosed {
		t.Fatalf("after close: %+v %v", one, err)
	}
	if got := decodeAlerts(t, c.ok("alerts", "list", "--format", "json", "--severity", "high")); len(got) != 1 || got[0].Title != "IAM user created" {
		t.Errorf("--severity high: %+v", got)
	}
	if got := decodeAlerts(t, c.ok("alerts", "list", "--format", "json", "--from", "2024-06-01")); len(got) != 0 {
		t.Errorf("--from after everything: %+v", got)
	}

	r = c.fails(1, "alerts", "ack", "al-doesnotexist")
	if !strings.Contains(r.stderr, "no such alert") {
		t.Errorf("unknown id\n%s", r)
	}
	c.fails(1, "alerts", "show", "al-doesnotexist")
	c.fails(2, "alerts", "list", "--status", "pending")
	c.fails(2, "alerts", "list", "--severity", "extreme")
	c.fails(2, "alerts", "list", "--format", "xml")
}

// While a collector holds the store, list and show read through its
// socket and ack/close and hunt --save ask it to write.
func TestAlertsThroughCollectorSocket(t *testing.T) {
	ctx := context.Background()
	c := detectCLI(t)
	ingestSearchFixture(t, c)
	st := holdStore(t, c.store) // like a collector

	as := decodeAlerts(t, c.ok("alerts", "list", "--format", "json"))
	if len(as) != 2 {
		t.Fatalf("alerts over the socket: %+v", as)
	}
	c.ok("alerts", "close", as[1].ID)
	a, err := st.GetAlert(ctx, as[1].ID)
	if err != nil || a.Status != cairn.AlertClosed {
		t.Fatalf("closed through the socket: %+v %v", a, err)
	}
	if r := c.fails(1, "alerts", "ack", "al-doesnotexist"); !strings.Contains(r.stderr, "no such alert") {
		t.Errorf("unknown id over the socket\n%s", r)
	}
	// The hunt finds the closed alert again: recognised by its ID, not recorded twice.
	r := c.ok("hunt", "--save", "--rules", filepath.Join(c.work, "rules", "iam"))
	if !strings.Contains(r.stderr, "0 created, 0 updated, 1 already recorded") {
		t.Errorf("hunt --save over the socket\n%s", r)
	}
	if n, err := st.ListAlerts(ctx, cairn.AlertFilter{}); err != nil || len(n) != 2 {
		t.Errorf("alerts after hunt --save: %d %v", len(n), err)
	}
}

// holdStore opens the store in dir for writing and serves its socket, as
// a running collector does, until the test ends.
func holdStore(t *testing.T, dir string) *duckdb.Store {
	t.Helper()
	ctx := context.Background()
	st, err := duckdb.Open(ctx, duckdb.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	serveSocket(t, dir, st)
	return st
}

// serveSocket serves the socket of the store in dir over st until the
// test ends, then closes st.
func serveSocket(t *testing.T, dir string, st *duckdb.Store) {
	t.Helper()
	l, err := queryapi.Listen(dir)
	if err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- queryapi.Serve(sctx, l, st, time.Minute, slog.New(slog.DiscardHandler)) }()
	t.Cleanup(func() { cancel(); <-done; st.Close() })
}
