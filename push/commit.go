package push

import (
	"bytes"
	"context"
	"fmt"
	"time"
	"unicode/utf8"

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

// Detector evaluates a transaction's events before it commits.
type Detector interface {
	Detect(ctx context.Context, tx cairn.WriteTx) error
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

// batch is a parsed request: its ledger entry and fill, which decodes it
// into the request's transaction. fill's error keeps its class (limits,
// malformed input); it fails the request and nothing is stored.
type batch struct {
	req  cairn.PushRequest
	fill func(ctx context.Context, s *sink) error
}

// outcome is what committing a batch did.
type outcome struct {
	duplicate bool // the request was committed before: nothing stored
	res       cairn.CommitResult
	took      time.Duration
}

// commit stores a batch in one transaction: nothing (and no decoding) when
// its request is in the ledger already, else its events and quarantined
// records as fill produces them, and its ledger entry; det (when not nil)
// evaluates the events before the commit. maxRecordBytes bounds the
// events one record holds until it is decoded whole.
func commit(ctx context.Context, st Store, det Detector, b *batch, maxRecordBytes int64) (outcome, error) {
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
	s := &sink{ctx: ctx, tx: tx, etag: b.req.RequestID, max: maxRecordBytes}
	if err := b.fill(ctx, s); err != nil {
		return outcome{}, err
	}
	if err := s.endRecord(true); err != nil {
		return outcome{}, err
	}
	b.req.Events, b.req.Errors = s.events, s.rejects
	if err := tx.MarkRequest(ctx, b.req); err != nil {
		return outcome{}, err
	}
	if det != nil {
		wtx, ok := tx.(cairn.WriteTx)
		if !ok {
			return outcome{}, fmt.Errorf("%w: detection needs a cairn.WriteTx, the store gave %T", errStore, tx)
		}
		if err := det.Detect(ctx, wtx); err != nil {
			return outcome{}, fmt.Errorf("%w: %w", errStore, err)
		}
	}
	res, err := tx.Commit(ctx)
	if err != nil {
		return outcome{}, fmt.Errorf("commit: %w", err)
	}
	return outcome{res: res, took: time.Since(start)}, nil
}

// sink is the Emitter decoders write a request's records to, inside its
// transaction. A record's events wait in pending until the record is
// decoded whole (endRecord): a record that fails adds none of them.
// Rejected records go to the transaction at once.
type sink struct {
	ctx     context.Context
	tx      Tx
	etag    string // the request ID, for quarantined events
	max     int64  // bytes pending events may hold
	pending []*cairn.Event
	size    int64
	events  int64 // appended
	rejects int64
}

var _ cairn.Emitter = (*sink)(nil)

// Emit keeps a copy of ev, with its own copy of the stored bytes:
// decoders may reuse their event, and line decoders' Raw may point into a
// read buffer that the next line overwrites.
func (s *sink) Emit(ev *cairn.Event) error {
	if !utf8.Valid(ev.Raw) {
		// The store keeps text; a line that is not UTF-8 would lose its
		// bytes there. ingest_errors keeps them.
		return s.Reject(cairn.IngestError{Ref: cairn.ObjectRef{Bucket: ev.Bucket, Key: ev.Key, ETag: s.etag}, Offset: -1, Index: ev.Index,
			Reason: "bad_record", Detail: fmt.Sprintf("%s record %d: not valid UTF-8 text", ev.Key, ev.Index), Raw: truncate(ev.Raw, 4096)})
	}
	e := *ev
	e.Raw, e.Answers = bytes.Clone(ev.Raw), bytes.Clone(ev.Answers)
	s.pending = append(s.pending, &e)
	s.size += int64(e.Size())
	if s.size > s.max {
		return fmt.Errorf("%w: one record's events exceed %d bytes", errTooLarge, s.max)
	}
	return nil
}

// Reject quarantines a record in the transaction.
func (s *sink) Reject(e cairn.IngestError) error {
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	s.rejects++
	if err := s.tx.Reject(s.ctx, []cairn.IngestError{e}); err != nil {
		return fmt.Errorf("%w: %w", errStore, err)
	}
	return nil
}

// endRecord appends the pending events (ok) or drops them.
func (s *sink) endRecord(ok bool) error {
	defer func() {
		clear(s.pending)
		s.pending, s.size = s.pending[:0], 0
	}()
	if !ok || len(s.pending) == 0 {
		return nil
	}
	if err := s.tx.Append(s.ctx, s.pending); err != nil {
		return fmt.Errorf("%w: append events: %w", errStore, err)
	}
	s.events += int64(len(s.pending)) // the transaction keeps its own slice of them
	return nil
}
