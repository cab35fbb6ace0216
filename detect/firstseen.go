package detect

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/rulepack"
	"github.com/cairn-sec/cairn/sigma"
)

// First seen: a detection rule with a cairn.new_value attribute
// (rulepack.NewValue, passed in Options.NewValues) raises an alert only
// when rulepack.FirstSeen says the combination of its fields' values is
// new: not seen within Forget, and past the learning period that starts
// at the rule's first match. Its matches still feed the correlations that
// refer to it, and count as matches.
//
// Streaming keeps one FirstSeen for the engine, persisted like the
// correlator's state: as the "cairn.firstseen" row of the store's state
// table, written in the write transaction only when the memory changed
// enough (rulepack.Observation.Changed: a new combination, or a sighting
// more than the spec's Granularity of event time after the last write),
// with its own generation, and reloaded whenever the generation in the
// store is not the one the engine last wrote (a rolled-back transaction,
// a failed Detect, a restart); only the generation is read otherwise
// (duckdb.Tx.StateGeneration). The memory is capped
// (Options.MaxFirstSeen), so the state stays bounded.
//
// A retro-hunt replays the stored events in stored order through a fresh
// FirstSeen: history before the hunt's range is not known, so the
// learning period starts at the first match in the range.

// firstSeenStateName is the first-seen memory's row in the state table.
const firstSeenStateName = "cairn.firstseen"

// DefaultMaxFirstSeen is Options.MaxFirstSeen's default.
const DefaultMaxFirstSeen = 100000

// newFirstSeen returns an empty memory for the engine's new_value rules
// (nil when it has none).
func (e *Engine) newFirstSeen() *rulepack.FirstSeen {
	if e.specs == nil {
		e.specs = map[*sigma.Rule]rulepack.NewValue{}
		for _, r := range e.rules {
			if nv, ok := e.opts.NewValues[r]; ok && r.Detection != nil && len(nv.Fields) > 0 {
				e.specs[r] = nv
			}
		}
	}
	if len(e.specs) == 0 {
		return nil
	}
	max := e.opts.MaxFirstSeen
	if max <= 0 {
		max = DefaultMaxFirstSeen
	}
	return rulepack.NewFirstSeen(e.specs, max)
}

// firstSeen records a match of a new_value rule and raises it when its
// combination is new.
func (v *evaluator) firstSeen(r *sigma.Rule, nv rulepack.NewValue, ev *cairn.Event) {
	obs := v.seen.Record(r, &v.pe, ev.Time)
	v.seenDty = v.seenDty || obs.Changed
	if obs.New {
		v.out.add(firstSeenAlert(r, ev, obs.Names, obs.Values))
	}
}

// firstSeenAlert is the alert for a new combination: its group and Fields
// are the combination (field=value), so two new regions are two alerts.
func firstSeenAlert(r *sigma.Rule, ev *cairn.Event, fields, values []string) cairn.Alert {
	a := detectionAlert(r, ev)
	a.Fields = make(map[string]string, len(fields))
	parts := make([]string, len(fields))
	for i, f := range fields {
		a.Fields[f] = values[i]
		parts[i] = f + "=" + values[i]
	}
	a.GroupKey = strings.Join(parts, "|")
	return a
}

// stateGenerations is what a transaction may offer to read a state's
// generation alone (duckdb.Tx does).
type stateGenerations interface {
	StateGeneration(ctx context.Context, name string) (int64, error)
}

// syncFirstSeen makes the first-seen memory hold the state stored in the
// transaction's snapshot, as syncState does for the correlator.
func (e *Engine) syncFirstSeen(ctx context.Context, tx Tx) error {
	if e.seen == nil {
		return nil
	}
	if g, ok := tx.(stateGenerations); ok {
		gen, err := g.StateGeneration(ctx, firstSeenStateName)
		if err != nil {
			return fmt.Errorf("detect: %w", err)
		}
		if gen == e.seenGn {
			return nil // the common case: the state is not read
		}
	}
	gen, data, err := tx.LoadState(ctx, firstSeenStateName)
	if err != nil {
		return fmt.Errorf("detect: %w", err)
	}
	var deltas [][]byte
	latest := gen
	if d, ok := tx.(stateDeltas); ok {
		if deltas, latest, err = d.LoadStateDeltas(ctx, firstSeenStateName, gen); err != nil {
			return fmt.Errorf("detect: %w", err)
		}
	}
	if latest == e.seenGn {
		return nil
	}
	seen := e.newFirstSeen()
	if data != nil {
		var js []byte
		if js, err = decodeState(data); err == nil {
			err = json.Unmarshal(js, seen)
		}
	}
	deltaBytes := 0
	for _, d := range deltas {
		if err == nil {
			err = seen.ApplyDelta(d)
		}
		deltaBytes += len(d)
	}
	if err != nil {
		// A state this version cannot read is dropped, not fatal:
		// learning starts again.
		e.log.Warn("discarding unreadable first-seen state", "err", err)
		e.m.errors.WithLabelValues("state").Inc()
		seen = e.newFirstSeen()
	}
	e.seen, e.stream.seen, e.seenGn = seen, seen, latest
	e.seenSaved = savedState{blob: len(data), deltas: len(deltas), deltaBytes: deltaBytes}
	e.m.seenKeys.Set(float64(seen.Len()))
	e.m.seenBytes.Set(float64(len(data) + deltaBytes))
	return nil
}

// stateDeltas is what a transaction may offer to save a state by its
// changes (duckdb.Tx does).
type stateDeltas interface {
	AppendStateDelta(ctx context.Context, name string, generation int64, delta []byte) error
	LoadStateDeltas(ctx context.Context, name string, after int64) ([][]byte, int64, error)
	DropStateDeltas(ctx context.Context, name string, generation int64) error
}

// Full states are written when the deltas since the last one reach this
// many, or more bytes than it (and at least minDeltaBytes).
var (
	maxStateDeltas = 1000
	minDeltaBytes  = 256 << 10
)

// savedState is what is stored of a state: its full blob's size and the
// deltas written since.
type savedState struct{ blob, deltas, deltaBytes int }

// wantDelta: the next write may be a delta.
func (s savedState) wantDelta() bool {
	return s.deltas < maxStateDeltas && s.deltaBytes < max(s.blob, minDeltaBytes)
}

// saveFirstSeen writes the first-seen memory in the transaction: what
// changed since the last write (a delta) while the deltas are few and
// small next to the full state, else the full state (which replaces them).
func (e *Engine) saveFirstSeen(ctx context.Context, tx Tx) error {
	gen := e.seenGn + 1
	d, ok := tx.(stateDeltas)
	if ok && e.seenSaved.wantDelta() {
		data, err := e.seen.MarshalDelta()
		if err != nil {
			return fmt.Errorf("detect: first-seen delta: %w", err)
		}
		if err := d.AppendStateDelta(ctx, firstSeenStateName, gen, data); err != nil {
			return fmt.Errorf("detect: %w", err)
		}
		e.seenGn = gen // optimistic, as saveState
		e.seenSaved.deltas++
		e.seenSaved.deltaBytes += len(data)
		e.m.seenKeys.Set(float64(e.seen.Len()))
		e.m.seenBytes.Set(float64(e.seenSaved.blob + e.seenSaved.deltaBytes))
		return nil
	}
	data, err := json.Marshal(e.seen)
	if err != nil {
		return fmt.Errorf("detect: first-seen state: %w", err)
	}
	data = encodeState(data)
	if err := tx.SaveState(ctx, firstSeenStateName, gen, data); err != nil {
		return fmt.Errorf("detect: %w", err)
	}
	if ok {
		if err := d.DropStateDeltas(ctx, firstSeenStateName, gen); err != nil {
			return fmt.Errorf("detect: %w", err)
		}
	}
	e.seenGn = gen // optimistic, as saveState
	e.seenSaved = savedState{blob: len(data)}
	e.m.seenKeys.Set(float64(e.seen.Len()))
	e.m.seenBytes.Set(float64(len(data)))
	return nil
}
