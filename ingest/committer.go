package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/cairn-sec/cairn"
)

// job is one object on its way into the store: either complete (events
// gathered in memory) or streaming (chunks arrive on stream).
type job struct {
	rec      cairn.ObjectRecord
	events   []*cairn.Event
	rejects  []cairn.IngestError
	bytes    int
	stream   chan chunk    // non-nil for an object too large to buffer
	abort    chan struct{} // closed by the committer when it gives up on a stream
	noLedger bool          // an object that failed: store its errors only
	result   chan jobResult
}

// chunk is one piece of a streaming object; the last has final set.
type chunk struct {
	events  []*cairn.Event
	rejects []cairn.IngestError
	final   bool
	rec     cairn.ObjectRecord // with final: the ledger entry
	err     error              // with final: the object failed; roll back
}

type jobResult struct {
	skipped bool // already in the ledger; nothing stored
	res     cairn.CommitResult
	err     error
}

// CommitterOptions configure a Committer.
type CommitterOptions struct {
	GroupBytes int           // commit a group once it holds this many bytes (default 16 MiB)
	Linger     time.Duration // wait this long for more objects before committing a group (default 5ms)
	Queue      int           // objects waiting for the committer (default 4)
	Detector   Detector      // evaluates each transaction before commit; nil: none
}

// Committer is the single writer: it group-commits complete objects and
// streams large ones through a transaction of their own.
type Committer struct {
	store Store
	opts  CommitterOptions
	in    chan *job
	m     *Metrics
	log   *slog.Logger
}

// NewCommitter returns a committer; Run must be running for Submit to
// make progress.
func NewCommitter(store Store, opts CommitterOptions, m *Metrics, log *slog.Logger) *Committer {
	if opts.GroupBytes <= 0 {
		opts.GroupBytes = 16 << 20
	}
	if opts.Linger <= 0 {
		opts.Linger = 5 * time.Millisecond
	}
	if opts.Queue <= 0 {
		opts.Queue = 4
	}
	return &Committer{store: store, opts: opts, in: make(chan *job, opts.Queue), m: m, log: log}
}

// submit hands a job to the committer.
func (c *Committer) submit(ctx context.Context, j *job) error {
	select {
	case c.in <- j:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Run commits jobs until ctx is cancelled. Jobs not yet committed then get
// the context's error.
func (c *Committer) Run(ctx context.Context) {
	var pending *job
	for {
		j := pending
		pending = nil
		if j == nil {
			select {
			case j = <-c.in:
			case <-ctx.Done():
				c.failQueued(ctx.Err())
				return
			}
		}
		if j.stream != nil {
			c.commitStream(ctx, j)
			continue
		}
		group := []*job{j}
		size := j.bytes
		linger := time.NewTimer(c.opts.Linger)
	gather:
		for size < c.opts.GroupBytes {
			select {
			case n := <-c.in:
				if n.stream != nil {
					pending = n
					break gather
				}
				group = append(group, n)
				size += n.bytes
			case <-linger.C:
				break gather
			case <-ctx.Done():
				break gather
			}
		}
		linger.Stop()
		c.commitGroup(ctx, group)
	}
}

func (c *Committer) failQueued(err error) {
	for {
		select {
		case j := <-c.in:
			j.result <- jobResult{err: err}
		default:
			return
		}
	}
}

// commitGroup commits complete objects together. If the group fails, each
// object is retried alone so that one bad object cannot hold back others.
func (c *Committer) commitGroup(ctx context.Context, group []*job) {
	results, err := c.commitJobs(ctx, group)
	if err == nil {
		for i, j := range group {
			j.result <- results[i]
		}
		return
	}
	if len(group) == 1 || ctx.Err() != nil {
		for _, j := range group {
			j.result <- jobResult{err: err}
		}
		return
	}
	c.log.Warn("group commit failed; committing objects one by one", "objects", len(group), "err", err)
	for _, j := range group {
		r, err := c.commitJobs(ctx, []*job{j})
		if err != nil {
			j.result <- jobResult{err: err}
			continue
		}
		j.result <- r[0]
	}
}

func (c *Committer) commitJobs(ctx context.Context, group []*job) ([]jobResult, error) {
	start := time.Now()
	tx, err := c.store.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	results := make([]jobResult, len(group))
	// One ledger lookup for the group: a statement per object cost about
	// a sixth of the writer's time.
	var refs []cairn.ObjectRef
	for _, j := range group {
		if !j.noLedger {
			refs = append(refs, j.rec.Ref)
		}
	}
	done, err := tx.DoneAll(ctx, refs)
	if err != nil {
		tx.Rollback()
		return nil, err
	}
	for i, j := range group {
		if j.noLedger {
			if err := tx.Reject(ctx, j.rejects); err != nil {
				tx.Rollback()
				return nil, fmt.Errorf("%s: %w", j.rec.Ref, err)
			}
			continue
		}
		isDone := done[0] // also the second of one object twice in the group
		done = done[1:]
		if isDone {
			results[i].skipped = true
			continue
		}
		if err := tx.Append(ctx, j.events); err != nil {
			tx.Rollback()
			return nil, fmt.Errorf("%s: %w", j.rec.Ref, err)
		}
		if err := tx.Reject(ctx, j.rejects); err != nil {
			tx.Rollback()
			return nil, fmt.Errorf("%s: %w", j.rec.Ref, err)
		}
		if err := tx.MarkDone(ctx, j.rec); err != nil {
			tx.Rollback()
			return nil, err
		}
	}
	if err := c.detect(ctx, tx); err != nil {
		return nil, err
	}
	res, err := tx.Commit(ctx)
	if err != nil {
		return nil, err
	}
	c.m.Commits.Observe(time.Since(start).Seconds())
	c.log.Debug("committed", "objects", len(group), "events", res.Inserted, "duplicates", res.Duplicates, "took", time.Since(start))
	c.account(res)
	// The store reports totals for the transaction; objects get their
	// share only as a count of what they handed in.
	for i, j := range group {
		if !results[i].skipped {
			results[i].res = cairn.CommitResult{Appended: int64(len(j.events))}
		}
	}
	return results, nil
}

func (c *Committer) account(res cairn.CommitResult) {
	c.m.Events.Add(float64(res.Inserted))
	c.m.Duplicates.Add(float64(res.Duplicates))
}

// commitStream stores one large object as its chunks arrive, committing
// each chunk on its own so that memory stays bounded however large the
// object is. Only the last chunk's transaction writes the ledger entry, so
// until then the object is not done and its message is not deleted; if it
// is processed again, the chunks already committed are dropped as
// duplicates by event ID.
func (c *Committer) commitStream(ctx context.Context, j *job) {
	start := time.Now()
	finish := func(r jobResult) {
		if r.err != nil || r.skipped {
			close(j.abort) // the producer stops sending
		}
		j.result <- r
	}
	done, err := c.store.Done(ctx, j.rec.Ref)
	if err != nil || done {
		finish(jobResult{skipped: done, err: err})
		return
	}
	var total cairn.CommitResult
	for {
		var ch chunk
		select {
		case ch = <-j.stream:
		case <-ctx.Done():
			finish(jobResult{err: ctx.Err()})
			return
		}
		if ch.final && ch.err != nil {
			j.result <- jobResult{err: ch.err} // the producer sends nothing more
			return
		}
		res, err := c.commitChunk(ctx, ch)
		if err != nil {
			if ch.final {
				j.result <- jobResult{err: err}
			} else {
				finish(jobResult{err: err})
			}
			return
		}
		total.Appended += res.Appended
		total.Inserted += res.Inserted
		total.Duplicates += res.Duplicates
		if ch.final {
			c.m.Commits.Observe(time.Since(start).Seconds())
			j.result <- jobResult{res: total}
			return
		}
	}
}

// commitChunk commits one chunk of a streaming object, and its ledger
// entry with the final chunk.
func (c *Committer) commitChunk(ctx context.Context, ch chunk) (cairn.CommitResult, error) {
	tx, err := c.store.Begin(ctx)
	if err != nil {
		return cairn.CommitResult{}, fmt.Errorf("begin: %w", err)
	}
	err = tx.Append(ctx, ch.events)
	if err == nil {
		err = tx.Reject(ctx, ch.rejects)
	}
	if err == nil && ch.final {
		err = tx.MarkDone(ctx, ch.rec)
	}
	if err == nil {
		err = c.detect(ctx, tx)
	}
	if err != nil {
		tx.Rollback()
		return cairn.CommitResult{}, err
	}
	res, err := tx.Commit(ctx)
	if err != nil {
		return res, err
	}
	c.account(res)
	return res, nil
}

// detect runs the detector, if any, inside tx; on error tx is rolled back.
func (c *Committer) detect(ctx context.Context, tx cairn.WriteTx) error {
	if c.opts.Detector == nil {
		return nil
	}
	if err := c.opts.Detector.Detect(ctx, tx); err != nil {
		tx.Rollback()
		return err
	}
	return nil
}
