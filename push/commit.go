package push

import (
	"context"
	"fmt"
	"time"

	"github.com/cairn-sec/cairn"
)

// Tx is the store's write transaction as the push endpoints use it: the
// events, the quarantined records and the request's ledger entry commit
// together or not at all.
type Tx interface {
	Append(ctx context.Context, evs []*cairn.Event) error
	Reject(ctx context.Context, errs []cairn.IngestError) error
	// RequestDone reports whether a request is in the ledger already.
	RequestDone(ctx context.Context, endpoint, requestID string) (bool, error)
	MarkRequest(ctx context.Context, r cairn.PushRequest) error
	Commit(ctx context.Context) (cairn.CommitResult, error)
	Rollback() error
}

// Store begins write transactions. It is shared with other writers in the
// process (the collector's committer); transactions run one at a time.
type Store interface {
	BeginPush(ctx context.Context) (Tx, error)
}

// BeginFunc adapts a function to Store.
type BeginFunc func(ctx context.Context) (Tx, error)

// BeginPush calls f.
func (f BeginFunc) BeginPush(ctx context.Context) (Tx, error) { return f(ctx) }

// Begin adapts a store's typed begin method (duckdb.Store.BeginTx) to
// Store.
func Begin[T Tx](begin func(context.Context) (T, error)) Store {
	return BeginFunc(func(ctx context.Context) (Tx, error) {
		tx, err := begin(ctx)
		if err != nil {
			return nil, err
		}
		return tx, nil
	})
}

// batch is a decoded request, ready to commit.
type batch struct {
	req     cairn.PushRequest
	events  []*cairn.Event
	rejects []cairn.IngestError
	size    int64 // memory the events hold
}

// outcome is what committing a batch did.
type outcome struct {
	duplicate bool // the request was committed before: nothing stored
	res       cairn.CommitResult
	took      time.Duration
}

// commit stores a batch in one transaction: nothing when its request is
// in the ledger already, else its events, rejects and ledger entry.
func commit(ctx context.Context, st Store, b *batch) (outcome, error) {
	start := time.Now()
	tx, err := st.BeginPush(ctx)
	if err != nil {
		return outcome{}, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	done, err := tx.RequestDone(ctx, b.req.Endpoint, b.req.RequestID)
	if err != nil {
		return outcome{}, err
	}
	if done {
		return outcome{duplicate: true, took: time.Since(start)}, tx.Rollback()
	}
	if err := tx.Append(ctx, b.events); err != nil {
		return outcome{}, fmt.Errorf("append events: %w", err)
	}
	if len(b.rejects) > 0 {
		if err := tx.Reject(ctx, b.rejects); err != nil {
			return outcome{}, fmt.Errorf("quarantine records: %w", err)
		}
	}
	if err := tx.MarkRequest(ctx, b.req); err != nil {
		return outcome{}, err
	}
	res, err := tx.Commit(ctx)
	if err != nil {
		return outcome{}, fmt.Errorf("commit: %w", err)
	}
	return outcome{res: res, took: time.Since(start)}, nil
}
