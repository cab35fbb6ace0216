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

// TestQueuedWritesLandInOrder: alert versions and detection state are
// written behind the events (Tx.later); a read in the transaction sees
// them, and Commit stores them all.
func TestQueuedWritesLandInOrder(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	tx := beginInserted(t, s, testEvent(1, t0), testEvent(2, t0))
	if _, err := tx.UpsertAlerts(ctx, []cairn.Alert{testAlert("r", "g", t0, "id-000001")}, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := tx.SaveState(ctx, "corr", 1, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if err := tx.SaveState(ctx, "corr", 2, []byte("two")); err != nil {
		t.Fatal(err)
	}
	if err := tx.AppendStateDelta(ctx, "corr", 3, []byte("d3")); err != nil {
		t.Fatal(err)
	}
	// A read waits for every queued write, in the order queued.
	gen, state, err := tx.LoadState(ctx, "corr")
	if err != nil || gen != 2 || string(state) != "two" {
		t.Fatalf("LoadState in the transaction = %d %q %v, want 2 \"two\"", gen, state, err)
	}
	deltas, last, err := tx.LoadStateDeltas(ctx, "corr", 2)
	if err != nil || last != 3 || len(deltas) != 1 || string(deltas[0]) != "d3" {
		t.Fatalf("LoadStateDeltas = %q %d %v", deltas, last, err)
	}
	if _, err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	var events, alerts, states int
	if err := s.DB().QueryRowContext(ctx, `SELECT (SELECT count(*) FROM events_data), (SELECT count(*) FROM alert_versions),
		(SELECT count(*) FROM detect_state)`).Scan(&events, &alerts, &states); err != nil {
		t.Fatal(err)
	}
	if events != 2 || alerts != 1 || states != 1 {
		t.Fatalf("stored %d events, %d alert versions, %d states; want 2, 1, 1", events, alerts, states)
	}
}

// TestQueuedWriteFailureFailsCommit: when a write queued behind the
// events fails, the writes queued after it are skipped, Commit fails, and
// nothing of the transaction is stored — nor does the open-alert index
// keep its alerts.
func TestQueuedWriteFailureFailsCommit(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	tx := beginInserted(t, s, testEvent(1, t0))
	ran := false
	tx.later(func() error { return errors.New("disk full") })
	tx.later(func() error { ran = true; return nil })
	if _, err := tx.UpsertAlerts(ctx, []cairn.Alert{testAlert("r", "g", t0, "id-000001")}, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := tx.SaveState(ctx, "corr", 1, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Commit(ctx); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Commit = %v, want the queued write's failure", err)
	}
	if ran {
		t.Fatal("a write queued after the failed one ran")
	}
	var events, alerts, states int
	if err := s.DB().QueryRowContext(ctx, `SELECT (SELECT count(*) FROM events_data), (SELECT count(*) FROM alert_versions),
		(SELECT count(*) FROM detect_state)`).Scan(&events, &alerts, &states); err != nil {
		t.Fatal(err)
	}
	if events != 0 || alerts != 0 || states != 0 {
		t.Fatalf("after the failed commit: %d events, %d alert versions, %d states stored", events, alerts, states)
	}
	// The next transaction creates the alert afresh: the index did not
	// keep the one that was never stored.
	tx, err := s.BeginTx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n, err := tx.UpsertAlerts(ctx, []cairn.Alert{testAlert("r", "g", t0, "id-000001")}, time.Hour)
	if err != nil || n.Created != 1 {
		t.Fatalf("upsert after the failure = %+v, %v; want one created", n, err)
	}
	if _, err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM alert_versions`).Scan(&alerts); err != nil || alerts != 1 {
		t.Fatalf("%d alert versions (%v), want 1", alerts, err)
	}
}

// beginInserted begins a transaction, appends evs and has Inserted start
// their background write.
func beginInserted(t *testing.T, s *Store, evs ...*cairn.Event) *Tx {
	t.Helper()
	ctx := context.Background()
	tx, err := s.BeginTx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Append(ctx, evs); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Inserted(ctx); err != nil {
		t.Fatal(err)
	}
	return tx
}
