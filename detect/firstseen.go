package detect

import (
	"context"
	"encoding/json"
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
func (v *evaluator) firstSeen(r *sigma.Rule, ev *cairn.Event, fields sigma.FieldSource) {
	obs := v.seen.Record(r, fields, ev.Time)
	v.seenDty = v.seenDty || obs.Changed
	if obs.New {
		v.out.add(firstSeenAlert(r, ev, obs.Names, obs.Values))
	}
}

// firstSeenAlert is the alert for a new combination: its group and Fields
// are the combination (field=value), so two new regions are two alerts.
func firstSeenAlert(r *sigma.Rule, ev *cairn.Event, fields, values []string) cairn.Alert {
	a := detectionAlert(r, ev, "") // grouped by the combination
	a.Fields = make(map[string]string, len(fields))
	parts := make([]string, len(fields))
	for i, f := range fields {
		a.Fields[f] = values[i]
		parts[i] = f + "=" + values[i]
	}
	a.GroupKey = strings.Join(parts, "|")
	return a
}

// syncFirstSeen makes the first-seen memory hold the state stored in the
// transaction's snapshot, as syncState does for the correlator.
func (e *Engine) syncFirstSeen(ctx context.Context, tx Tx) error {
	if e.seen == nil {
		return nil
	}
	current, blob, deltas, err := e.seenState.load(ctx, tx)
	if err != nil || current {
		return err
	}
	seen := e.newFirstSeen()
	if blob != nil {
		err = json.Unmarshal(blob, seen)
	}
	for _, d := range deltas {
		if err == nil {
			err = seen.ApplyDelta(d)
		}
	}
	if err != nil {
		// A state this version cannot read is dropped, not fatal:
		// learning starts again.
		e.log.Warn("discarding unreadable first-seen state", "err", err)
		e.m.errors.WithLabelValues("state").Inc()
		seen = e.newFirstSeen()
	}
	e.seen, e.stream.seen = seen, seen
	e.m.seenKeys.Set(float64(seen.Len()))
	e.m.seenBytes.Set(float64(e.seenState.size()))
	return nil
}

// saveFirstSeen writes the first-seen memory in the transaction (see
// storedState.save).
func (e *Engine) saveFirstSeen(ctx context.Context, tx Tx) error {
	err := e.seenState.save(ctx, tx, e.seen.MarshalDelta, func() ([]byte, error) { return json.Marshal(e.seen) })
	if err != nil {
		return err
	}
	e.m.seenKeys.Set(float64(e.seen.Len()))
	e.m.seenBytes.Set(float64(e.seenState.size()))
	return nil
}
