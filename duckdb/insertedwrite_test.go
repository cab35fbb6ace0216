package duckdb

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
)

// TestInsertedWritesInBackground: the rows Inserted hands back are written
// while the caller uses the transaction, and reach the table at Commit;
// a second Inserted adds only the events appended since.
func TestInsertedWritesInBackground(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	tx, err := s.BeginTx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Append(ctx, []*cairn.Event{testEvent(1, t0), testEvent(2, t0), testEvent(1, t0)}); err != nil {
		t.Fatal(err)
	}
	evs, err := tx.Inserted(ctx)
	if err != nil || len(evs) != 2 {
		t.Fatalf("Inserted: %d events, %v; want 2", len(evs), err)
	}
	// A statement on the connection while the rows may still be written.
	if _, err := tx.UpsertAlerts(ctx, []cairn.Alert{testAlert("r", "g", t0, "id-000001")}, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := tx.Append(ctx, []*cairn.Event{testEvent(3, t0), testEvent(2, t0)}); err != nil {
		t.Fatal(err)
	}
	if evs, err = tx.Inserted(ctx); err != nil || len(evs) != 3 {
		t.Fatalf("second Inserted: %d events, %v; want 3", len(evs), err)
	}
	res, err := tx.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Inserted != 3 || res.Duplicates != 2 {
		t.Fatalf("commit result %+v", res)
	}
	var n int
	if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM events_data`).Scan(&n); err != nil || n != 3 {
		t.Fatalf("%d events stored (%v), want 3", n, err)
	}
}

// TestInsertedWriteFailureFailsCommit: when the background write of rows
// fails, Commit fails and nothing of the transaction is stored.
func TestInsertedWriteFailureFailsCommit(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	tx, err := s.BeginTx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	writeFault = func(ev *cairn.Event) error {
		if ev.EventID == "id-000002" {
			return errors.New("disk full")
		}
		return nil
	}
	t.Cleanup(func() { writeFault = nil })
	if err := tx.Append(ctx, []*cairn.Event{testEvent(1, t0), testEvent(2, t0)}); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Inserted(ctx); err != nil {
		t.Fatal(err)
	}
	if err := tx.MarkDone(ctx, cairn.ObjectRecord{Ref: cairn.ObjectRef{Bucket: "b", Key: "k", ETag: "e"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Commit(ctx); err == nil || !strings.Contains(err.Error(), "id-000002") {
		t.Fatalf("Commit = %v, want the failed write of id-000002", err)
	}
	var events, objects int
	if err := s.DB().QueryRowContext(ctx, `SELECT (SELECT count(*) FROM events_data), (SELECT count(*) FROM objects)`).Scan(&events, &objects); err != nil {
		t.Fatal(err)
	}
	if events != 0 || objects != 0 {
		t.Fatalf("after the failed commit: %d events, %d ledger entries stored", events, objects)
	}
	// The store takes the next transaction.
	writeFault = nil
	tx, err = s.BeginTx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Append(ctx, []*cairn.Event{testEvent(1, t0)}); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}
