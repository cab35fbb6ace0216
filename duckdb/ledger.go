package duckdb

import (
	"context"
	"fmt"
	"strings"

	"github.com/cairn-sec/cairn"
)

// DoneAll reports, inside the transaction, which objects are already in the
// ledger (committed earlier, or marked in this transaction), with one
// statement for them all: a statement costs about as much as the lookup.
// An object that refs name more than once is done from its second place
// on, as the caller marks it at its first (two messages for one object).
func (t *Tx) DoneAll(ctx context.Context, refs []cairn.ObjectRef) ([]bool, error) {
	done := make([]bool, len(refs))
	var ask []int // positions to look up in the table
	first := make(map[ledgerKey]struct{}, len(refs))
	for i, ref := range refs {
		k := keyOf(ref)
		_, repeated := first[k]
		first[k] = struct{}{}
		if _, marked := t.markedSet[k]; marked || repeated {
			done[i] = true
		} else {
			ask = append(ask, i)
		}
	}
	for len(ask) > 0 {
		n := min(len(ask), ledgerBatch)
		if err := t.lookUp(ctx, refs, ask[:n], done); err != nil {
			return nil, err
		}
		ask = ask[n:]
	}
	return done, nil
}

// ledgerBatch is how many objects one ledger statement looks up or writes.
const ledgerBatch = 256

// lookUp sets done[i] for the refs at positions at that the table holds.
func (t *Tx) lookUp(ctx context.Context, refs []cairn.ObjectRef, at []int, done []bool) error {
	var q strings.Builder
	q.WriteString(`SELECT r.i FROM (VALUES `)
	args := make([]any, 0, 4*len(at))
	for n, i := range at {
		if n > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?::INTEGER, ?, ?, ?)")
		args = append(args, i, refs[i].Bucket, refs[i].Key, refs[i].ETag)
	}
	q.WriteString(`) AS r(i, bucket, key, etag) SEMI JOIN objects o ON o.bucket = r.bucket AND o.key = r.key AND o.etag = r.etag`)
	rows, err := t.wc().QueryContext(ctx, q.String(), args...)
	if err != nil {
		return fmt.Errorf("look up %d objects in the ledger (first %s): %w", len(at), refs[at[0]], err)
	}
	defer rows.Close()
	for rows.Next() {
		var i int
		if err := rows.Scan(&i); err != nil {
			return fmt.Errorf("look up objects in the ledger: %w", err)
		}
		done[i] = true
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("look up objects in the ledger: %w", err)
	}
	return nil
}

// ledgerKey is what identifies an object in the ledger.
type ledgerKey struct{ bucket, key, etag string }

func keyOf(ref cairn.ObjectRef) ledgerKey { return ledgerKey{ref.Bucket, ref.Key, ref.ETag} }

// MarkDone records an object's ledger entry, written at Commit with the
// transaction's others in one statement.
func (t *Tx) MarkDone(ctx context.Context, rec cairn.ObjectRecord) error {
	if t.markedSet == nil {
		t.markedSet = map[ledgerKey]struct{}{}
	}
	t.markedSet[keyOf(rec.Ref)] = struct{}{}
	t.marked = append(t.marked, rec)
	return nil
}

// writeLedger writes the entries MarkDone recorded.
func (t *Tx) writeLedger(ctx context.Context) error {
	for recs := t.marked; len(recs) > 0; {
		n := min(len(recs), ledgerBatch)
		var q strings.Builder
		q.WriteString(`INSERT INTO objects (bucket, key, etag, version_id, kind, events, errors, bytes, raw_bytes, object_time, ingested_at, sha256) VALUES `)
		args := make([]any, 0, 12*n)
		for i, rec := range recs[:n] {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(args, rec.Ref.Bucket, rec.Ref.Key, rec.Ref.ETag, nullString(rec.Ref.VersionID), string(rec.Kind),
				rec.Events, rec.Errors, rec.Bytes, rec.RawBytes, nullTime(rec.Ref.EventTime), t.now, nullString(rec.SHA256))
		}
		if _, err := t.wc().ExecContext(ctx, q.String(), args...); err != nil {
			if n == 1 {
				return fmt.Errorf("record %s in objects: %w", recs[0].Ref, err)
			}
			return fmt.Errorf("record %d objects in objects (first %s): %w", n, recs[0].Ref, err)
		}
		recs = recs[n:]
	}
	t.marked, t.markedSet = nil, nil
	return nil
}
