package duckdb

import (
	"context"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
)

// A push request's ledger row commits with its events, is seen by later
// transactions, and its key is unique; organization_id is stored.
func TestPushLedger(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tx, err := s.BeginTx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if done, err := tx.RequestDone(ctx, "/v1/logs", "r1"); err != nil || done {
		t.Fatalf("before: %v %v", done, err)
	}
	ev := &cairn.Event{Time: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Source: "application", EventID: "e1",
		OrganizationID: "acme", Raw: []byte("a text line, not JSON")}
	if err := tx.Append(ctx, []*cairn.Event{ev}); err != nil {
		t.Fatal(err)
	}
	req := cairn.PushRequest{Endpoint: "/v1/logs", RequestID: "r1", OrganizationID: "acme", Records: 1, Events: 1, Bytes: 10, RawBytes: 20}
	if err := tx.MarkRequest(ctx, req); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}

	tx, err = s.BeginTx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if done, err := tx.RequestDone(ctx, "/v1/logs", "r1"); err != nil || !done {
		t.Fatalf("after: %v %v", done, err)
	}
	if done, _ := tx.RequestDone(ctx, "/firehose/raw", "r1"); done {
		t.Fatal("another endpoint's request with the same ID is done")
	}
	if err := tx.MarkRequest(ctx, req); err == nil {
		t.Fatal("a second ledger row for the same request")
	}
	tx.Rollback()

	// A raw that is not JSON does not break the view's JSON columns.
	res, err := s.Query(ctx, `SELECT organization_id, request_parameters, message FROM events`, 0)
	if err != nil || len(res.Rows) != 1 || res.Rows[0][0] != "acme" || res.Rows[0][1] != nil {
		t.Fatalf("%+v %v", res, err)
	}
	if _, err := s.Query(ctx, `SELECT * FROM events`, 0); err != nil {
		t.Fatal(err)
	}
}
