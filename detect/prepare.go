package detect

import (
	"encoding/binary"
	"fmt"
	"slices"
	"sync"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/sigma"
)

// prepared is what Prepare leaves on an event: the detection rules it
// matches, or why its record could not be parsed.
type prepared struct {
	e     *Engine
	rules []*sigma.Rule
	err   error
	// paths are the fields the commit reads for matches of rules
	// (Engine.reads); fields, on an event's own copy, their values in it,
	// so that the commit does not parse the event again.
	paths  []string
	fields *sigma.FieldValues
	// group is the event's GroupKey, taken while the worker has the
	// event at hand: the commit would otherwise read its identity fields
	// from memory long since left (the commit's cost per match was
	// mostly those misses).
	group string
}

// parsedEvents are the parsed-record buffers of Prepare's callers.
var parsedEvents = sync.Pool{New: func() any { return new(sigma.Event) }}

// Prepare matches ev against the detection rules ahead of its commit (it
// implements ingest.Preparer): ingest's workers call it in parallel as they
// decode, and Detect, which runs alone in the committer, then only
// correlates the matches, gathers alerts and writes them. Events without
// it are matched in Detect as before; the result is the same.
func (e *Engine) Prepare(ev *cairn.Event) {
	rs := e.routes[ev.Source]
	if len(rs) == 0 {
		return
	}
	pe := parsedEvents.Get().(*sigma.Event)
	defer parsedEvents.Put(pe)
	if err := pe.Reset(ev.Raw); err != nil {
		ev.Prepared = &prepared{e: e, err: fmt.Errorf("%w: event %s: %v", errNotJSON, ev.EventID, err)}
		return
	}
	var buf [8]*sigma.Rule
	matched := buf[:0]
	for _, r := range rs {
		matched = r.set.Eval(r.ls, pe, matched)
	}
	if len(matched) == 0 {
		ev.Prepared = e.noMatch
		return
	}
	own := *e.preparedFor(matched)
	own.group = GroupKey(ev)
	if len(own.paths) > 0 {
		own.fields = pe.Project(own.paths)
	}
	ev.Prepared = &own
}

// maxPrepared bounds the distinct rule combinations preparedFor keeps.
const maxPrepared = 4096

// preparedCache shares what Prepare works out per combination of rules
// (most matched events match one of a few): the rule list and the fields
// to keep. A matched event gets a copy with its own group and values;
// an unmatched one shares noMatch. The cached results are never changed.
type preparedCache struct {
	mu      sync.RWMutex
	byKey   map[string]*prepared // rule positions (rulePos), as uvarints
	rulePos map[*sigma.Rule]int
}

// preparedFor returns the result for events matching rules.
func (e *Engine) preparedFor(rules []*sigma.Rule) *prepared {
	c := &e.prepCache
	var buf [64]byte
	key := buf[:0]
	for _, r := range rules {
		key = binary.AppendUvarint(key, uint64(c.rulePos[r]))
	}
	c.mu.RLock()
	p := c.byKey[string(key)]
	c.mu.RUnlock()
	if p != nil {
		return p
	}
	p = &prepared{e: e, rules: append([]*sigma.Rule(nil), rules...)}
	for _, r := range rules {
		for _, f := range e.reads[r] {
			if !slices.Contains(p.paths, f) {
				p.paths = append(p.paths, f)
			}
		}
	}
	c.mu.Lock()
	if len(c.byKey) < maxPrepared {
		c.byKey[string(key)] = p
	}
	c.mu.Unlock()
	return p
}

// needsEvent reports whether matches of rules need the parsed event in
// the commit: a correlation reads their group-by and ID fields, a
// first-seen rule its new_value fields.
func (e *Engine) needsEvent(rules []*sigma.Rule) bool {
	for _, r := range rules {
		if _, ok := e.specs[r]; ok || e.feeds[r] {
			return true
		}
	}
	return false
}
