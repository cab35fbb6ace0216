package detect

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/rulepack"
	"github.com/cairn-sec/cairn/sigma"
)

// DefaultSuppression is the suppression window when Options leave it 0.
const DefaultSuppression = time.Hour

// Options configure an Engine.
type Options struct {
	// Rules are detection and correlation rules, as loaded (and linked) by
	// sigma.Load or rulepack.Load.
	Rules []*sigma.Rule
	// Suppression: matches of a rule for the same group within this window
	// of an open alert update it instead of creating a new one (default 1h).
	Suppression time.Duration
	// Limits bound the correlator's memory, and so the persisted state
	// (zero fields: sigma's defaults, except MaxGroups 1000).
	Limits sigma.Limits
	// NewValues are the cairn.new_value attributes of rules (from
	// rulepack.NewValues on Rules): such a rule raises an alert only for a
	// value combination FirstSeen says is new (see firstseen.go).
	NewValues map[*sigma.Rule]rulepack.NewValue
	// MaxFirstSeen bounds the combinations the first-seen memory keeps,
	// least recently seen dropped first (default 100000).
	MaxFirstSeen int
	Registerer   prometheus.Registerer // nil: metrics are not registered
	Log          *slog.Logger          // nil: discarded
}

// Engine evaluates Sigma rules on events: in streaming (Detect) and over
// stored history (Hunt). Its rules are immutable; the streaming
// correlator and first-seen memory are its only state.
type Engine struct {
	opts     Options
	rules    []*sigma.Rule
	routes   map[string][]route
	unrouted []*sigma.Rule
	hasCorr  bool
	feeds    map[*sigma.Rule]bool // rules correlations consume
	m        *metrics
	matchC   map[*sigma.Rule]prometheus.Counter
	log      *slog.Logger

	mu        sync.Mutex // streaming state, used by one committer
	corr      *sigma.Correlator
	stream    evaluator
	specs     map[*sigma.Rule]rulepack.NewValue // new_value specs of the engine's rules
	seen      *rulepack.FirstSeen               // nil: no rule has a new_value spec
	corrState storedState                       // the correlation windows in the store
	seenState storedState                       // the first-seen memory in the store

	// reads are the event fields the commit reads for a match of a rule
	// (correlations' group-by and ID fields, first-seen fields); Prepare
	// takes them from the event it parsed.
	reads     map[*sigma.Rule][]string
	noMatch   *prepared // Prepare's result for events no rule matches
	prepCache preparedCache
}

// New builds an engine. It fails when a correlation rule cannot be
// evaluated in streaming (see sigma.NewCorrelator).
func New(opts Options) (*Engine, error) {
	if opts.Suppression <= 0 {
		opts.Suppression = DefaultSuppression
	}
	if opts.Limits.MaxGroups <= 0 {
		opts.Limits.MaxGroups = 1000
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	e := &Engine{opts: opts, m: newMetrics(opts.Registerer), matchC: map[*sigma.Rule]prometheus.Counter{}, log: opts.Log,
		corrState: newStoredState(stateName), seenState: newStoredState(firstSeenStateName)}
	for _, r := range opts.Rules {
		if r == nil {
			continue
		}
		e.rules = append(e.rules, r)
		e.matchC[r] = e.m.matches.WithLabelValues(r.Key())
		if r.Correlation != nil {
			e.hasCorr = true
			e.m.rules.WithLabelValues("correlation", "").Inc()
		} else {
			e.m.rules.WithLabelValues("detection", Route(r.LogSource)).Inc()
		}
	}
	e.noMatch = &prepared{e: e}
	e.prepCache = preparedCache{byKey: map[string]*prepared{}, rulePos: make(map[*sigma.Rule]int, len(e.rules))}
	for i, r := range e.rules {
		e.prepCache.rulePos[r] = i
	}
	e.routes, e.unrouted = routes(e.rules)
	e.feeds = consumed(e.rules)
	corr, err := e.newCorrelator()
	if err != nil {
		return nil, err
	}
	e.corr = corr
	e.stream = evaluator{e: e, corr: corr, metrics: true}
	e.seen = e.newFirstSeen()
	e.stream.seen = e.seen
	e.reads = map[*sigma.Rule][]string{}
	for _, r := range e.rules {
		var fs []string
		if corr != nil {
			fs = corr.FieldsRead(r)
		}
		if nv, ok := e.specs[r]; ok {
			fs = append(fs, nv.FieldsRead()...)
		}
		if len(fs) > 0 {
			e.reads[r] = fs
		}
	}
	return e, nil
}

func (e *Engine) newCorrelator() (*sigma.Correlator, error) {
	if !e.hasCorr {
		return nil, nil
	}
	c, err := sigma.NewCorrelator(e.rules, e.opts.Limits)
	if err != nil {
		return nil, fmt.Errorf("correlation rules: %w", err)
	}
	return c, nil
}

// consumed returns the rules that correlation rules refer to.
func consumed(rules []*sigma.Rule) map[*sigma.Rule]bool {
	byRef := map[string]*sigma.Rule{}
	for _, r := range rules {
		for _, ref := range []string{r.ID, r.Name} {
			if ref != "" {
				byRef[ref] = r
			}
		}
	}
	out := map[*sigma.Rule]bool{}
	for _, r := range rules {
		if r.Correlation != nil {
			for _, ref := range r.Correlation.Rules {
				if t := byRef[ref]; t != nil {
					out[t] = true
				}
			}
		}
	}
	return out
}

// Suppression is the engine's suppression window.
func (e *Engine) Suppression() time.Duration { return e.opts.Suppression }

// RuleInfo describes a loaded rule (the API's /rules).
type RuleInfo struct {
	ID          string   `json:"id"` // the rule's id, else name, else title
	Title       string   `json:"title"`
	Kind        string   `json:"kind"` // detection or correlation
	Level       string   `json:"level"`
	Status      string   `json:"status,omitempty"`
	Tags        []string `json:"tags,omitempty"`
	Author      string   `json:"author,omitempty"`
	License     string   `json:"license,omitempty"`
	EventSource string   `json:"event_source,omitempty"` // the events it is evaluated on; "" = none Cairn collects
	File        string   `json:"file,omitempty"`         // where it was loaded from
	NewValue    []string `json:"new_value,omitempty"`    // first-seen rule: the fields whose new combinations it raises
}

// Rules lists the loaded rules in load order.
func (e *Engine) Rules() []RuleInfo {
	out := make([]RuleInfo, 0, len(e.rules))
	for _, r := range e.rules {
		ri := RuleInfo{ID: r.Key(), Title: r.Title, Kind: "detection", Level: severity(r), Status: r.Status, Tags: r.Tags,
			Author: r.Author, License: r.License, File: r.File}
		if r.Correlation != nil {
			ri.Kind = "correlation"
		} else {
			ri.EventSource = Route(r.LogSource)
		}
		if nv, ok := e.specs[r]; ok {
			ri.NewValue = nv.Fields
		}
		out = append(out, ri)
	}
	return out
}

// Unrouted returns the detection rules whose logsource names no event
// source Cairn collects; they never match.
func (e *Engine) Unrouted() []*sigma.Rule { return e.unrouted }

// severity is a rule's level; a rule without one is medium.
func severity(r *sigma.Rule) string {
	if r.Level == "" {
		return "medium"
	}
	return r.Level
}

// evaluator runs the rules over a sequence of events, feeding a correlator
// and gathering alerts. Streaming and hunting both evaluate through it.
type evaluator struct {
	e       *Engine
	corr    *sigma.Correlator
	pe      sigma.Event
	buf     []*sigma.Rule
	out     *alertSet
	dirty   bool // the correlator's state changed
	seen    *rulepack.FirstSeen
	seenDty bool // the first-seen memory changed
	bad     int  // records that failed to parse
	matched int
	metrics bool // count matches in the engine's metrics (streaming)
	// onMatch, when set, sees every detection match (tests, hunt).
	onMatch func(r *sigma.Rule, ev *cairn.Event)
}

// errNotJSON marks a record whose raw form the matcher cannot parse.
var errNotJSON = errors.New("raw record is not JSON")

// event evaluates one event. It returns whether the event's source has
// rules at all.
func (v *evaluator) event(ev *cairn.Event) (bool, error) {
	// What correlations and first-seen read of the event: the values
	// Prepare took, else the event parsed here; and the alerts' group.
	var fields sigma.FieldSource = &v.pe
	var group string
	// Prepare leaves a result only on events it routed.
	if p, ok := ev.Prepared.(*prepared); ok && p.e == v.e {
		// Matched by a worker (Prepare), which also kept the values the
		// correlations and first-seen rules read; an event prepared
		// without them is parsed again if its matches need fields.
		if p.err != nil {
			v.bad++
			return true, p.err
		}
		v.buf = append(v.buf[:0], p.rules...)
		group = p.group
		if p.fields != nil {
			fields = p.fields
		} else if v.e.needsEvent(v.buf) {
			if err := v.pe.Reset(ev.Raw); err != nil {
				v.bad++
				return true, fmt.Errorf("%w: event %s: %v", errNotJSON, ev.EventID, err)
			}
		}
	} else {
		rs := v.e.routes[ev.Source]
		if len(rs) == 0 {
			return false, nil
		}
		if err := v.pe.Reset(ev.Raw); err != nil {
			v.bad++
			return true, fmt.Errorf("%w: event %s: %v", errNotJSON, ev.EventID, err)
		}
		v.buf = v.buf[:0]
		for _, r := range rs {
			v.buf = r.set.Eval(r.ls, &v.pe, v.buf)
		}
		if len(v.buf) > 0 {
			group = GroupKey(ev)
		}
	}
	for _, r := range v.buf {
		v.matched++
		if v.metrics {
			v.e.matchC[r].Inc()
		}
		if v.onMatch != nil {
			v.onMatch(r, ev)
		}
		if _, ok := v.e.specs[r]; ok && v.seen != nil {
			v.firstSeen(r, ev, fields)
		} else if v.corr == nil || v.corr.Standalone(r) {
			v.out.addMatch(r, ev, group)
		}
	}
	if v.corr != nil {
		for _, r := range v.buf {
			v.dirty = v.dirty || v.e.feeds[r]
		}
		for _, m := range v.corr.Observe(fields, ev.Time, v.buf) {
			v.dirty = true
			if v.metrics {
				v.e.matchC[m.Rule].Inc()
			}
			v.out.add(correlationAlert(m, ev.Source))
		}
	}
	return true, nil
}
