package sigma

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Correlator evaluates correlation rules over the stream of detection
// matches. Its memory is bounded (Limits) and its state can be saved and
// restored (State, Restore), so a correlation window survives a restart.
//
// Semantics in streaming:
//   - event_count, value_count, value_sum with only gt/gte bounds, and
//     temporal / temporal_ordered, fire as soon as the sliding window
//     (ending at the newest event of the group) satisfies the condition;
//     the group then starts afresh.
//   - Conditions with an upper bound (lt, lte, eq, neq) and value_avg are
//     decided when a window closes: a window starts at a group's oldest
//     event and closes once a later event of the group or the event-time
//     watermark passes its end (the watermark is checked every SweepEvery
//     observations and by Advance); windows tumble.
//   - An event later than the group's window (older than newest-timespan)
//     is ignored. An event lacking a group-by field does not count.
//   - value_percentile is refused.
//
// A Correlator is safe for concurrent use.
type Correlator struct {
	mu         sync.Mutex
	lim        Limits
	corrs      []*corrRule
	byKey      map[string]*corrRule
	consumers  map[*Rule][]*corrRule
	standalone map[*Rule]bool
	watermark  time.Time
	observed   int
}

// Limits bound a Correlator's memory.
type Limits struct {
	MaxGroups  int    // groups per correlation rule; the least recently active is evicted (default 10000)
	MaxEntries int    // events or values kept per group (default 1000)
	MaxSamples int    // event ids reported per match (default 10)
	SweepEvery int    // observations between expiry sweeps (default 1024)
	IDField    string // event field identifying an event in samples (default "eventID")
}

func (l Limits) withDefaults() Limits {
	if l.MaxGroups <= 0 {
		l.MaxGroups = 10000
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = 1000
	}
	if l.MaxSamples <= 0 {
		l.MaxSamples = 10
	}
	if l.SweepEvery <= 0 {
		l.SweepEvery = 1024
	}
	if l.IDField == "" {
		l.IDField = "eventID"
	}
	return l
}

// CorrelationMatch is one firing of a correlation rule.
type CorrelationMatch struct {
	Rule     *Rule
	Group    map[string]string // group-by field → value
	Value    float64           // the aggregate: events, distinct values, rules seen, sum or average
	First    time.Time
	Last     time.Time
	EventIDs []string // a sample of the contributing events, oldest first
}

type corrRule struct {
	rule   *Rule
	c      *Correlation
	refs   []*Rule // referenced rules, in the correlation's order
	names  []string
	eager  bool
	lb     int
	fp     string
	groups map[string]*group
	// pending holds window-close firings not yet reported.
	pending []CorrelationMatch
	// changed and gone are the groups changed and removed since the last
	// Snapshot or Delta (see Delta).
	changed, gone map[string]bool
}

// touch notes that the group key changed (or was created).
func (cr *corrRule) touch(key string) {
	if cr.changed == nil {
		cr.changed = map[string]bool{}
	}
	cr.changed[key] = true
	delete(cr.gone, key)
}

// drop removes the group key and notes it.
func (cr *corrRule) drop(key string) {
	delete(cr.groups, key)
	delete(cr.changed, key)
	if cr.gone == nil {
		cr.gone = map[string]bool{}
	}
	cr.gone[key] = true
}

type group struct {
	key     []string
	entries []Entry     // counting types, oldest first
	steps   []time.Time // temporal: last hit per rule; temporal_ordered: chain start per step
	stepIDs []string
	last    time.Time
}

// hit is one match fed to correlations: a detection match (ev set) or a
// correlation match (fields set).
type hit struct {
	rule   *Rule
	t      time.Time
	ev     FieldSource
	fields map[string]string
	ids    []string
}

// NewCorrelator builds a correlator for the correlation rules among rules
// (the other rules are what they may reference). It fails when a reference
// is unknown or a rule cannot be evaluated in streaming.
func NewCorrelator(rules []*Rule, lim Limits) (*Correlator, error) {
	if errs := Link(rules); len(errs) > 0 {
		return nil, errs[0]
	}
	c := &Correlator{lim: lim.withDefaults(), byKey: map[string]*corrRule{},
		consumers: map[*Rule][]*corrRule{}, standalone: map[*Rule]bool{}}
	byRef := map[string]*Rule{}
	for _, r := range rules {
		for _, ref := range []string{r.ID, r.Name} {
			if ref != "" {
				byRef[ref] = r
			}
		}
	}
	referenced, generated := map[*Rule]bool{}, map[*Rule]bool{}
	built := map[*Rule]*corrRule{}
	var build func(r *Rule) (*corrRule, error)
	build = func(r *Rule) (*corrRule, error) {
		if cr, ok := built[r]; ok {
			return cr, nil
		}
		cr := &corrRule{rule: r, c: r.Correlation, groups: map[string]*group{}}
		for _, ref := range r.Correlation.Rules {
			t := byRef[ref]
			if t.Correlation != nil {
				if _, err := build(t); err != nil {
					return nil, err
				}
			}
			cr.refs = append(cr.refs, t)
			cr.names = append(cr.names, ref)
			referenced[t] = true
			generated[t] = generated[t] || r.Correlation.Generate
			c.consumers[t] = append(c.consumers[t], cr)
		}
		if err := cr.prepare(c.lim); err != nil {
			return nil, errorf(r.File, r.Correlation.Line, "correlation %q: %v", r.Title, err)
		}
		built[r] = cr
		c.corrs = append(c.corrs, cr)
		c.byKey[r.Key()] = cr
		return cr, nil
	}
	for _, r := range rules {
		if r.Correlation != nil {
			if _, err := build(r); err != nil {
				return nil, err
			}
		}
	}
	for _, r := range rules {
		c.standalone[r] = !referenced[r] || generated[r]
	}
	return c, nil
}

// prepare decides the evaluation mode and checks the limits.
func (cr *corrRule) prepare(lim Limits) error {
	cond := cr.c.Condition
	lb, hasLB := cond.lowerBound()
	upper := false
	for _, o := range cond.Ops {
		switch o.Op {
		case "lt", "lte", "eq", "neq":
			upper = true
		}
		if (cr.c.Type == "event_count" || cr.c.Type == "value_count") && o.Value >= float64(lim.MaxEntries) {
			return fmt.Errorf("threshold %v is not below Limits.MaxEntries (%d)", o.Value, lim.MaxEntries)
		}
	}
	switch cr.c.Type {
	case "value_percentile":
		return fmt.Errorf("value_percentile correlations are not supported in streaming")
	case "temporal", "temporal_ordered":
		if !hasLB || upper || lb < 1 {
			return fmt.Errorf("%s needs a condition of the form gte N (N ≥ 1)", cr.c.Type)
		}
		cr.eager = true
	case "value_avg":
		cr.eager = false
	default:
		cr.eager = hasLB && !upper
	}
	if hasLB {
		cr.lb = int(math.Min(lb, 1<<30))
	}
	cr.fp = fingerprint(cr.c)
	return nil
}

// Standalone reports whether matches of r should raise alerts of their own:
// true unless r only feeds correlations (none with generate: true).
// Correlation rules referenced by other correlations are likewise silent.
func (c *Correlator) Standalone(r *Rule) bool {
	s, ok := c.standalone[r]
	return !ok || s
}

// EventTime returns a CloudTrail event's eventTime.
func EventTime(e *Event) (time.Time, bool) {
	v, ok := e.Value("eventTime")
	if !ok {
		return time.Time{}, false
	}
	return parseTime(v)
}

// Observe feeds the detection rules an event matched (at event time t,
// normally EventTime(e)) and returns the correlations that fired and are
// not silenced by chaining. matched holds the *Rule values given to
// NewCorrelator (as returned by a RuleSet built from the same slice); it may
// be empty, which still advances the watermark.
func (c *Correlator) Observe(e FieldSource, t time.Time, matched []*Rule) []CorrelationMatch {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.watermark) {
		c.watermark = t
	}
	var out []CorrelationMatch
	var queue []hit
	// Per correlation, the referenced positions this event hits, highest
	// first so one event cannot advance an ordered chain twice.
	var touched map[*corrRule][]int
	var order []*corrRule
	for _, r := range matched {
		if len(c.consumers[r]) > 0 && touched == nil {
			touched = map[*corrRule][]int{}
		}
		for _, cr := range c.consumers[r] {
			if _, ok := touched[cr]; !ok {
				order = append(order, cr)
			}
			for i, ref := range cr.refs {
				if ref == r {
					touched[cr] = append(touched[cr], i)
				}
			}
		}
	}
	var id string
	if len(order) > 0 {
		id, _ = e.Value(c.lim.IDField)
	}
	for _, cr := range order {
		pos := touched[cr]
		sort.Sort(sort.Reverse(sort.IntSlice(pos)))
		for _, p := range pos {
			h := hit{rule: cr.refs[p], t: t, ev: e}
			if id != "" {
				h.ids = []string{id}
			}
			if m, ok := cr.observe(c.lim, h, p); ok {
				out, queue = c.emit(cr, m, out, queue)
			}
		}
	}
	c.observed++
	if c.observed%c.lim.SweepEvery == 0 {
		for _, cr := range c.corrs {
			cr.pending = append(cr.pending, cr.sweep(c.lim, c.watermark)...)
		}
	}
	return c.drain(out, queue)
}

// drain reports the pending window-close firings and runs the chained
// correlations until nothing is left.
func (c *Correlator) drain(out []CorrelationMatch, queue []hit) []CorrelationMatch {
	for {
		for _, cr := range c.corrs {
			ms := cr.pending
			cr.pending = nil
			for _, m := range ms {
				out, queue = c.emit(cr, m, out, queue)
			}
		}
		if len(queue) == 0 {
			return out
		}
		h := queue[0]
		queue = queue[1:]
		for _, cr := range c.consumers[h.rule] {
			for p, ref := range cr.refs {
				if ref != h.rule {
					continue
				}
				if m, ok := cr.observe(c.lim, h, p); ok {
					out, queue = c.emit(cr, m, out, queue)
				}
			}
		}
	}
}

// emit reports a firing and queues it for the correlations chained on it.
func (c *Correlator) emit(cr *corrRule, m CorrelationMatch, out []CorrelationMatch, queue []hit) ([]CorrelationMatch, []hit) {
	if c.Standalone(cr.rule) {
		out = append(out, m)
	}
	if len(c.consumers[cr.rule]) > 0 {
		queue = append(queue, hit{rule: cr.rule, t: m.Last, fields: m.Group, ids: m.EventIDs})
	}
	return out, queue
}

// Advance moves the event-time watermark to now (normally wall-clock time
// minus the expected delivery delay), closing windows and freeing expired
// groups. It returns correlations decided at window close.
func (c *Correlator) Advance(now time.Time) []CorrelationMatch {
	c.mu.Lock()
	defer c.mu.Unlock()
	if now.After(c.watermark) {
		c.watermark = now
	}
	return c.sweepLocked(c.watermark)
}

func (c *Correlator) sweepLocked(now time.Time) []CorrelationMatch {
	for _, cr := range c.corrs {
		cr.pending = append(cr.pending, cr.sweep(c.lim, now)...)
	}
	return c.drain(nil, nil)
}

// FieldsRead returns the event fields Observe reads for a match of r
// (none when no correlation refers to r): the ID field, and each referring
// correlation's group-by and value fields through its aliases. A
// FieldSource holding these serves Observe as well as the whole event.
func (c *Correlator) FieldsRead(r *Rule) []string {
	if len(c.consumers[r]) == 0 {
		return nil
	}
	out := []string{c.lim.IDField}
	add := func(f string) {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	for _, cr := range c.consumers[r] {
		for pos, ref := range cr.refs {
			if ref != r {
				continue
			}
			for _, f := range cr.c.GroupBy {
				add(cr.aliased(pos, f))
			}
			for _, f := range cr.c.Condition.Field {
				add(cr.aliased(pos, f))
			}
		}
	}
	return out
}

// aliased is the event field a group-by or condition field names for the
// rule referenced at pos.
func (cr *corrRule) aliased(pos int, field string) string {
	if al, ok := cr.c.Aliases[field]; ok {
		if mapped, ok := al[cr.names[pos]]; ok {
			return mapped
		}
	}
	return field
}

// fieldValue reads a group-by or condition field for a hit, through the
// correlation's aliases.
func (cr *corrRule) fieldValue(h hit, pos int, field string) (string, bool) {
	f := cr.aliased(pos, field)
	if h.ev != nil {
		return h.ev.Value(f)
	}
	if v, ok := h.fields[f]; ok {
		return v, true
	}
	v, ok := h.fields[field]
	return v, ok
}

// groupKey computes the group of a hit; false when a field is missing.
func (cr *corrRule) groupKey(h hit, pos int) (string, []string, bool) {
	vals := make([]string, len(cr.c.GroupBy))
	for i, f := range cr.c.GroupBy {
		v, ok := cr.fieldValue(h, pos, f)
		if !ok {
			return "", nil, false
		}
		vals[i] = v
	}
	return joinKey(vals), vals, true
}

func joinKey(vals []string) string {
	var b strings.Builder
	for _, v := range vals {
		b.WriteString(strconv.Itoa(len(v)))
		b.WriteByte(':')
		b.WriteString(v)
	}
	return b.String()
}

// getGroup returns the group for key, creating it (and evicting the least
// recently active group when full).
func (cr *corrRule) getGroup(lim Limits, key string, vals []string, now time.Time) *group {
	if g, ok := cr.groups[key]; ok {
		return g
	}
	if len(cr.groups) >= lim.MaxGroups {
		cr.pending = append(cr.pending, cr.sweep(lim, now)...) // frees expired groups
		if len(cr.groups) >= lim.MaxGroups {
			var oldK string
			var oldT time.Time
			first := true
			for k, g := range cr.groups {
				if first || g.last.Before(oldT) {
					oldK, oldT, first = k, g.last, false
				}
			}
			cr.drop(oldK)
		}
	}
	g := &group{key: vals}
	if cr.c.Type == "temporal" || cr.c.Type == "temporal_ordered" {
		g.steps = make([]time.Time, len(cr.refs))
		g.stepIDs = make([]string, len(cr.refs))
	}
	cr.groups[key] = g
	return g
}

func (cr *corrRule) match(g *group, value float64, first, last time.Time, ids []string, max int) CorrelationMatch {
	m := CorrelationMatch{Rule: cr.rule, Group: map[string]string{}, Value: value, First: first, Last: last}
	for i, f := range cr.c.GroupBy {
		m.Group[f] = g.key[i]
	}
	if len(ids) > max {
		ids = ids[len(ids)-max:]
	}
	m.EventIDs = append([]string(nil), ids...)
	return m
}
