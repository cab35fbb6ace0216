package sigma

import (
	"sort"
	"strconv"
	"strings"
	"time"
)

// Per-group window arithmetic of the Correlator.

// Entry is one counted hit in a group's window (exported for State).
type Entry struct {
	T   time.Time `json:"t"`
	ID  string    `json:"id,omitempty"`  // sample event id
	V   string    `json:"v,omitempty"`   // value_count: the distinct value
	N   int       `json:"n"`             // events folded into this entry
	Sum float64   `json:"sum,omitempty"` // value_sum/value_avg: sum of the field
}

// observe adds one hit at referenced position pos and reports a firing.
func (cr *corrRule) observe(lim Limits, h hit, pos int) (CorrelationMatch, bool) {
	key, vals, ok := cr.groupKey(h, pos)
	if !ok {
		return CorrelationMatch{}, false
	}
	ts := cr.c.Timespan
	if existing, ok := cr.groups[key]; ok && h.t.Before(existing.last.Add(-ts)) {
		return CorrelationMatch{}, false // too late for the group's window
	}
	ent := Entry{T: h.t, N: 1}
	if len(h.ids) > 0 {
		ent.ID = h.ids[len(h.ids)-1]
	}
	switch cr.c.Type {
	case "value_count", "value_sum", "value_avg":
		parts := make([]string, len(cr.c.Condition.Field))
		for i, f := range cr.c.Condition.Field {
			v, ok := cr.fieldValue(h, pos, f)
			if !ok {
				return CorrelationMatch{}, false
			}
			parts[i] = v
		}
		if cr.c.Type == "value_count" {
			ent.V = joinKey(parts)
		} else {
			f, err := strconv.ParseFloat(strings.TrimSpace(parts[0]), 64)
			if err != nil {
				return CorrelationMatch{}, false
			}
			ent.Sum = f
		}
	}
	g := cr.getGroup(lim, key, vals, h.t)
	cr.touch(key)
	if h.t.After(g.last) {
		g.last = h.t
	}
	switch cr.c.Type {
	case "temporal":
		return cr.temporal(lim, g, h, pos)
	case "temporal_ordered":
		return cr.ordered(lim, g, h, pos)
	}
	if cr.eager {
		g.prune(g.last.Add(-ts))
	} else {
		// Close the group's windows this event is past before adding it.
		cr.pending = append(cr.pending, cr.closeWindows(lim, g, h.t)...)
	}
	g.insert(ent, cr.c.Type == "value_count")
	for len(g.entries) > lim.MaxEntries {
		if cr.c.Type == "value_sum" || cr.c.Type == "value_avg" {
			a, b := g.entries[0], g.entries[1] // fold the two oldest
			b.N += a.N
			b.Sum += a.Sum
			b.T = a.T
			g.entries[1] = b
		}
		g.entries = g.entries[1:]
	}
	if !cr.eager {
		return CorrelationMatch{}, false
	}
	v := cr.aggregate(g.entries)
	if !cr.c.Condition.Holds(v) {
		return CorrelationMatch{}, false
	}
	m := cr.match(g, v, g.entries[0].T, g.last, entryIDs(g.entries), lim.MaxSamples)
	g.entries = nil
	return m, true
}

// insert keeps entries in time order (value_count: one entry per value,
// the newest).
func (g *group) insert(ent Entry, distinct bool) {
	if distinct {
		for i, e := range g.entries {
			if e.V == ent.V {
				if !ent.T.After(e.T) {
					return
				}
				g.entries = append(g.entries[:i], g.entries[i+1:]...)
				break
			}
		}
	}
	i := sort.Search(len(g.entries), func(i int) bool { return g.entries[i].T.After(ent.T) })
	g.entries = append(g.entries, Entry{})
	copy(g.entries[i+1:], g.entries[i:])
	g.entries[i] = ent
}

// prune drops entries older than from.
func (g *group) prune(from time.Time) {
	i := 0
	for i < len(g.entries) && g.entries[i].T.Before(from) {
		i++
	}
	if i > 0 {
		g.entries = append(g.entries[:0], g.entries[i:]...)
	}
}

func (cr *corrRule) aggregate(es []Entry) float64 {
	var n, sum float64
	for _, e := range es {
		n += float64(e.N)
		sum += e.Sum
	}
	switch cr.c.Type {
	case "value_count":
		return float64(len(es))
	case "value_sum":
		return sum
	case "value_avg":
		if n == 0 {
			return 0
		}
		return sum / n
	}
	return n
}

func entryIDs(es []Entry) []string {
	var ids []string
	for _, e := range es {
		if e.ID != "" {
			ids = append(ids, e.ID)
		}
	}
	return ids
}

// temporal: every referenced rule (or the condition's number of them) hit
// within the timespan, in any order.
func (cr *corrRule) temporal(lim Limits, g *group, h hit, pos int) (CorrelationMatch, bool) {
	if h.t.After(g.steps[pos]) {
		g.steps[pos] = h.t
		if len(h.ids) > 0 {
			g.stepIDs[pos] = h.ids[len(h.ids)-1]
		}
	}
	from := g.last.Add(-cr.c.Timespan)
	n := 0
	first := g.last
	for _, t := range g.steps {
		if !t.IsZero() && !t.Before(from) {
			n++
			if t.Before(first) {
				first = t
			}
		}
	}
	if !cr.c.Condition.Holds(float64(n)) {
		return CorrelationMatch{}, false
	}
	m := cr.match(g, float64(n), first, g.last, stepIDs(g), lim.MaxSamples)
	clear(g.steps)
	clear(g.stepIDs)
	return m, true
}

// ordered: the referenced rules hit in the listed order within the
// timespan. steps[i] is the start time of the latest-starting chain that
// has reached rule i.
func (cr *corrRule) ordered(lim Limits, g *group, h hit, pos int) (CorrelationMatch, bool) {
	ts := cr.c.Timespan
	id := ""
	if len(h.ids) > 0 {
		id = h.ids[len(h.ids)-1]
	}
	if pos == 0 {
		if h.t.After(g.steps[0]) {
			g.steps[0], g.stepIDs[0] = h.t, id
		}
	} else if prev := g.steps[pos-1]; !prev.IsZero() && !h.t.Before(prev) && h.t.Sub(prev) <= ts {
		if prev.After(g.steps[pos]) || g.steps[pos].IsZero() {
			g.steps[pos], g.stepIDs[pos] = prev, id
		}
	}
	reached := 0
	for i, start := range g.steps {
		if !start.IsZero() && h.t.Sub(start) <= ts {
			reached = i + 1
		}
	}
	if reached < cr.lb || pos != reached-1 {
		return CorrelationMatch{}, false
	}
	m := cr.match(g, float64(reached), g.steps[reached-1], h.t, stepIDs(g), lim.MaxSamples)
	clear(g.steps)
	clear(g.stepIDs)
	return m, true
}

func stepIDs(g *group) []string {
	var ids []string
	for _, id := range g.stepIDs {
		if id != "" {
			ids = append(ids, id)
		}
	}
	return ids
}

// sweep closes windows that ended before now (non-eager rules) and drops
// groups with nothing left in their window.
func (cr *corrRule) sweep(lim Limits, now time.Time) []CorrelationMatch {
	ts := cr.c.Timespan
	var out []CorrelationMatch
	for k, g := range cr.groups {
		n := len(g.entries) // closing windows and pruning only drop entries
		if !cr.eager {
			out = append(out, cr.closeWindows(lim, g, now)...)
		} else {
			g.prune(now.Add(-ts))
		}
		if now.Sub(g.last) > ts && len(g.entries) == 0 {
			cr.drop(k)
		} else if len(g.entries) != n {
			cr.touch(k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].First.Before(out[j].First) })
	return out
}

// closeWindows decides the windows of g that ended before now (conditions
// with an upper bound): a window starts at the oldest event; windows
// tumble.
func (cr *corrRule) closeWindows(lim Limits, g *group, now time.Time) []CorrelationMatch {
	ts := cr.c.Timespan
	var out []CorrelationMatch
	for len(g.entries) > 0 && now.Sub(g.entries[0].T) > ts {
		end := g.entries[0].T.Add(ts)
		n := sort.Search(len(g.entries), func(i int) bool { return g.entries[i].T.After(end) })
		win := g.entries[:n]
		if v := cr.aggregate(win); cr.c.Condition.Holds(v) {
			out = append(out, cr.match(g, v, win[0].T, win[n-1].T, entryIDs(win), lim.MaxSamples))
		}
		g.entries = append(g.entries[:0], g.entries[n:]...)
	}
	return out
}
