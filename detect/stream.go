package detect

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/sigma"
)

// Tx is what streaming detection needs from a store's write transaction
// (duckdb.Tx implements it).
type Tx interface {
	// Inserted returns the events the transaction stores, duplicates of
	// stored events left out.
	Inserted(ctx context.Context) ([]*cairn.Event, error)
	// UpsertAlerts records alerts with suppression.
	UpsertAlerts(ctx context.Context, alerts []cairn.Alert, window time.Duration) (cairn.AlertCounts, error)
	// LoadState and SaveState read and replace a named state blob.
	LoadState(ctx context.Context, name string) (generation int64, state []byte, err error)
	SaveState(ctx context.Context, name string, generation int64, state []byte) error
}

// stateName is the engine's row in the store's state table.
const stateName = "sigma.correlator"

// Detect evaluates the events a write transaction stores and records the
// alerts they raise, and the correlator's state when it changed, in the
// same transaction. It implements ingest.Detector; the committer calls it
// before each commit. A record that cannot be parsed is counted
// (cairn_detect_errors_total) and skipped; an error means the transaction
// must not commit.
func (e *Engine) Detect(ctx context.Context, wtx cairn.WriteTx) error {
	tx, ok := wtx.(Tx)
	if !ok {
		return fmt.Errorf("detect: the store's transaction (%T) cannot record alerts", wtx)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	done := false
	defer func() {
		if !done {
			// The transaction will not commit but the state in memory may
			// have seen its events: reload both at the next transaction.
			e.corrState.gen, e.seenState.gen = -1, -1
		}
	}()
	start := time.Now()
	evs, err := tx.Inserted(ctx)
	if err != nil {
		return fmt.Errorf("detect: %w", err)
	}
	if err := e.syncState(ctx, tx); err != nil {
		return err
	}
	if err := e.syncFirstSeen(ctx, tx); err != nil {
		return err
	}
	v := &e.stream
	if v.out == nil {
		v.out = newAlertSet(e.opts.Suppression)
	}
	v.out.reset()
	v.dirty, v.bad = false, 0
	v.seenDty = false
	var firstErr error
	evaluated := 0
	for _, ev := range evs {
		routed, err := v.event(ev)
		if routed {
			evaluated++
		}
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	e.m.evaluated.Add(float64(evaluated))
	if v.bad > 0 {
		e.m.errors.WithLabelValues("not_json").Add(float64(v.bad))
		e.log.Warn("detection skipped records it could not parse", "records", v.bad, "first", firstErr)
	}
	if alerts := v.out.alerts(); len(alerts) > 0 {
		n, err := tx.UpsertAlerts(ctx, alerts, e.opts.Suppression)
		if err != nil {
			return fmt.Errorf("detect: %w", err)
		}
		e.m.alerts.WithLabelValues("created").Add(float64(n.Created))
		e.m.alerts.WithLabelValues("updated").Add(float64(n.Updated))
		e.m.alerts.WithLabelValues("unchanged").Add(float64(n.Unchanged))
	}
	if v.dirty {
		if err := e.saveState(ctx, tx); err != nil {
			return err
		}
	}
	if v.seenDty {
		if err := e.saveFirstSeen(ctx, tx); err != nil {
			return err
		}
	}
	e.m.seconds.Observe(time.Since(start).Seconds())
	done = true
	return nil
}

// syncState makes the correlator hold the state stored in the
// transaction's snapshot: at the first transaction, and whenever the
// transaction that last saved state did not commit (the generation in the
// store is not the one the engine wrote), so a rolled-back batch is not
// counted twice when it is retried.
func (e *Engine) syncState(ctx context.Context, tx Tx) error {
	if !e.hasCorr {
		return nil
	}
	current, blob, deltas, err := e.corrState.load(ctx, tx)
	if err != nil || current {
		return err
	}
	corr, err := e.newCorrelator()
	if err != nil {
		return err
	}
	if skipped, err := restoreCorrelator(corr, blob, deltas); err != nil {
		// A state this version cannot read is dropped, not fatal:
		// open windows restart empty.
		e.log.Warn("discarding unreadable correlation state", "err", err)
		e.m.errors.WithLabelValues("state").Inc()
		corr, _ = e.newCorrelator()
	} else if skipped > 0 {
		e.log.Info("correlation state of changed or removed rules discarded", "correlations", skipped)
	}
	e.m.state.Set(float64(e.corrState.size()))
	e.corr, e.stream.corr = corr, corr
	return nil
}

// restoreCorrelator loads a saved full state (nil: none) and the deltas
// after it. It returns how many correlations' windows were dropped
// because their rules changed or were removed.
func restoreCorrelator(corr *sigma.Correlator, blob []byte, deltas [][]byte) (skipped int, err error) {
	if blob != nil {
		st, err := sigma.UnmarshalState(blob)
		if err != nil {
			return 0, err
		}
		if skipped, err = corr.Restore(st); err != nil {
			return 0, err
		}
	}
	for _, d := range deltas {
		st, err := sigma.UnmarshalState(d)
		if err != nil {
			return skipped, err
		}
		if err := corr.ApplyDelta(st); err != nil {
			return skipped, err
		}
	}
	return skipped, nil
}

// saveState writes the correlation windows in the transaction (see
// storedState.save): windows change with nearly every transaction, and a
// full state of thousands of groups would otherwise be rewritten each time.
func (e *Engine) saveState(ctx context.Context, tx Tx) error {
	err := e.corrState.save(ctx, tx,
		func() ([]byte, error) { return sigma.MarshalState(e.corr.Delta()) },
		func() ([]byte, error) { return sigma.MarshalState(e.corr.Snapshot()) })
	if err != nil {
		return err
	}
	e.m.state.Set(float64(e.corrState.size()))
	return nil
}

// ErrNoRules is returned by constructors that refuse to run without rules.
var ErrNoRules = errors.New("no detection rules loaded")
