package duckdb

import (
	"context"
	"fmt"
	"testing"

	"github.com/cairn-sec/cairn"
)

// TestLedgerBatches: ledger entries marked in a transaction are done in it
// at once, are written at Commit (more than one statement's worth here),
// and DoneAll tells committed objects from others across its batches;
// a rolled-back transaction leaves none.
func TestLedgerBatches(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	ref := func(i int) cairn.ObjectRef {
		return cairn.ObjectRef{Bucket: "b", Key: fmt.Sprintf("k/%d", i), ETag: "e"}
	}
	n := 2*ledgerBatch + 7
	tx, err := s.BeginTx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	first := tx
	t.Cleanup(func() { first.Rollback() }) // a failure must not leave the store locked
	for i := 0; i < n; i += 2 {            // the even ones
		if err := tx.MarkDone(ctx, cairn.ObjectRecord{Ref: ref(i), Kind: cairn.KindCloudTrail, Events: int64(i)}); err != nil {
			t.Fatal(err)
		}
	}
	// Marked in the transaction: done; named twice: done at its second place.
	if done, err := tx.DoneAll(ctx, []cairn.ObjectRef{ref(4), ref(n + 1), ref(n + 1)}); err != nil || fmt.Sprint(done) != "[true false true]" {
		t.Fatalf("DoneAll(marked, new, new again) = %v, %v; want [true false true]", done, err)
	}
	if _, err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	var rows int
	if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM objects`).Scan(&rows); err != nil || rows != (n+1)/2 {
		t.Fatalf("%d ledger entries (%v), want %d", rows, err, (n+1)/2)
	}
	// Marked and rolled back: the odd ones stay undone.
	tx, err = s.BeginTx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.MarkDone(ctx, cairn.ObjectRecord{Ref: ref(1), Kind: cairn.KindCloudTrail}); err != nil {
		t.Fatal(err)
	}
	tx.Rollback()
	tx, err = s.BeginTx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var refs []cairn.ObjectRef
	for i := range n + 3 {
		refs = append(refs, ref(i))
	}
	refs = append(refs, cairn.ObjectRef{Bucket: "other", Key: "k/0", ETag: "e"}, cairn.ObjectRef{Bucket: "b", Key: "k/0", ETag: "other"})
	done, err := tx.DoneAll(ctx, refs)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range done {
		want := i < n && i%2 == 0
		if d != want {
			t.Errorf("%s: done %v, want %v", refs[i], d, want)
		}
	}
}
