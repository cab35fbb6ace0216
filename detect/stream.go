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
			e.gen, e.seenGn = -1, -1
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
	if g, ok := tx.(stateGenerations); ok {
		gen, err := g.StateGeneration(ctx, stateName)
		if err != nil {
			return fmt.Errorf("detect: %w", err)
		}
		if gen == e.gen {
			return nil // the common case: the state is not read
		}
	}
	gen, data, err := tx.LoadState(ctx, stateName)
	if err != nil {
		return fmt.Errorf("detect: %w", err)
	}
	var deltas [][]byte
	latest := gen
	if d, ok := tx.(stateDeltas); ok {
		if deltas, latest, err = d.LoadStateDeltas(ctx, stateName, gen); err != nil {
			return fmt.Errorf("detect: %w", err)
		}
	}
	if latest == e.gen {
		return nil
	}
	corr, err := e.newCorrelator()
	if err != nil {
		return err
	}
	e.corrSaved = savedState{blob: len(data)}
	if data != nil {
		if err := restoreCorrelator(corr, data, deltas); err != nil {
			// A state this version cannot read is dropped, not fatal:
			// open windows restart empty.
			e.log.Warn("discarding unreadable correlation state", "err", err)
			e.m.errors.WithLabelValues("state").Inc()
			corr, _ = e.newCorrelator()
		}
		for _, d := range deltas {
			e.corrSaved.deltas++
			e.corrSaved.deltaBytes += len(d)
		}
		e.m.state.Set(float64(len(data) + e.corrSaved.deltaBytes))
	}
	e.corr, e.stream.corr, e.gen = corr, corr, latest
	return nil
}

// restoreCorrelator loads a saved full state and the deltas after it.
func restoreCorrelator(corr *sigma.Correlator, data []byte, deltas [][]byte) error {
	read := func(b []byte) (*sigma.State, error) {
		js, err := decodeState(b)
		if err != nil {
			return nil, err
		}
		return sigma.UnmarshalState(js)
	}
	st, err := read(data)
	if err != nil {
		return err
	}
	if _, err := corr.Restore(st); err != nil {
		return err
	}
	for _, d := range deltas {
		st, err := read(d)
		if err != nil {
			return err
		}
		if err := corr.ApplyDelta(st); err != nil {
			return err
		}
	}
	return nil
}

// saveState writes the correlation windows in the transaction: what
// changed since the last write (sigma.Correlator.Delta) while the deltas
// are few and small next to the full state, else the full state, which
// replaces them. Windows change with nearly every transaction; a full
// state of thousands of groups would otherwise be rewritten each time.
func (e *Engine) saveState(ctx context.Context, tx Tx) error {
	gen := e.gen + 1
	d, ok := tx.(stateDeltas)
	if ok && e.gen > 0 && e.corrSaved.wantDelta() {
		data, err := sigma.MarshalState(e.corr.Delta())
		if err != nil {
			return fmt.Errorf("detect: correlation state: %w", err)
		}
		data = encodeState(data)
		if err := d.AppendStateDelta(ctx, stateName, gen, data); err != nil {
			return fmt.Errorf("detect: %w", err)
		}
		e.gen = gen // optimistic: a transaction that does not commit makes the next Detect reload
		e.corrSaved.deltas++
		e.corrSaved.deltaBytes += len(data)
		e.m.state.Set(float64(e.corrSaved.blob + e.corrSaved.deltaBytes))
		return nil
	}
	data, err := sigma.MarshalState(e.corr.Snapshot())
	if err != nil {
		return fmt.Errorf("detect: correlation state: %w", err)
	}
	data = encodeState(data)
	if err := tx.SaveState(ctx, stateName, gen, data); err != nil {
		return fmt.Errorf("detect: %w", err)
	}
	if ok {
		if err := d.DropStateDeltas(ctx, stateName, gen); err != nil {
			return fmt.Errorf("detect: %w", err)
		}
	}
	// Optimistic: if the transaction does not commit, the next Detect
	// finds the stored generation differs and reloads.
	e.gen = gen
	e.corrSaved = savedState{blob: len(data)}
	e.m.state.Set(float64(len(data)))
	return nil
}

// ErrNoRules is returned by constructors that refuse to run without rules.
var ErrNoRules = errors.New("no detection rules loaded")
