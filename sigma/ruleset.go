package sigma

import (
	"sort"
	"strings"
	"sync"
)

// RuleSet evaluates many detection rules against each event cheaply. Rules
// are routed by log source, then indexed by the literal values one field
// must equal for the rule to match: eventName when the rule pins it, else
// eventSource, else one of the other fields in indexFields. An event is
// only tested against the rules that can possibly match it. A RuleSet is
// immutable and safe for concurrent use.
type RuleSet struct {
	rules []*Rule // detection rules, in the order given
	mu    sync.Mutex
	idx   sync.Map // LogSource → *index, built on first use
	pool  sync.Pool
}

// indexFields are the fields a rule may be indexed by, most selective
// first: a rule goes under the first one its condition pins to literals.
// After eventName and eventSource come the fields that rules matching
// every API call pin (the identity type of root or assumed-role rules,
// error codes of denial rules, service events).
var indexFields = []string{"eventName", "eventSource", "userIdentity.type", "errorCode", "eventType"}

// index is the routing table for one log source.
type index struct {
	rules  []*Rule
	fields []fieldIndex // per indexFields entry that some rule uses, in that order
	always []int        // rules with no literal requirement on any index field
	pos    map[*Rule]int
}

// fieldIndex routes the rules indexed by one field.
type fieldIndex struct {
	field string
	path  fieldPath
	by    map[string][]int // lower-cased value → rule positions
	rules int              // distinct rules indexed by the field
}

// IndexStats describe how rules are indexed, for logs and tests.
// ByOtherField counts the rules indexed by a field after eventName and
// eventSource (see indexFields).
type IndexStats struct {
	Rules, ByEventName, ByEventSource, ByOtherField, Unindexed int
}

// NewRuleSet builds a rule set from detection rules; correlation rules and
// nil entries are ignored.
func NewRuleSet(rules []*Rule) *RuleSet {
	rs := &RuleSet{}
	for _, r := range rules {
		if r != nil && r.Detection != nil && r.Detection.cond != nil {
			rs.rules = append(rs.rules, r)
		}
	}
	rs.pool.New = func() any { return new(Event) }
	return rs
}

// Rules returns the detection rules that apply to src.
func (rs *RuleSet) Rules(src LogSource) []*Rule { return rs.index(src).rules }

// Stats describes how the rules for src are indexed.
func (rs *RuleSet) Stats(src LogSource) IndexStats {
	ix := rs.index(src)
	st := IndexStats{Rules: len(ix.rules), Unindexed: len(ix.always)}
	for _, f := range ix.fields {
		switch f.field {
		case "eventName":
			st.ByEventName = f.rules
		case "eventSource":
			st.ByEventSource = f.rules
		default:
			st.ByOtherField += f.rules
		}
	}
	return st
}

func (rs *RuleSet) index(src LogSource) *index {
	if ix, ok := rs.idx.Load(src); ok {
		return ix.(*index)
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if ix, ok := rs.idx.Load(src); ok {
		return ix.(*index)
	}
	ix := &index{pos: map[*Rule]int{}}
	fields := make([]fieldIndex, len(indexFields))
	for i, f := range indexFields {
		fields[i] = fieldIndex{field: f, path: newFieldPath(f), by: map[string][]int{}}
	}
	for _, r := range rs.rules {
		if !r.LogSource.Applies(src) {
			continue
		}
		pos := len(ix.rules)
		ix.rules = append(ix.rules, r)
		ix.pos[r] = pos
		indexed := false
		for i := range fields {
			f := &fields[i]
			vals, ok := required(r.Detection.cond, f.field)
			if !ok {
				continue
			}
			for _, v := range vals {
				f.by[v] = appendOnce(f.by[v], pos)
			}
			f.rules++
			indexed = true
			break
		}
		if !indexed {
			ix.always = append(ix.always, pos)
		}
	}
	for _, f := range fields {
		if f.rules > 0 {
			ix.fields = append(ix.fields, f)
		}
	}
	rs.idx.Store(src, ix)
	return ix
}

func appendOnce(l []int, v int) []int {
	if len(l) > 0 && l[len(l)-1] == v {
		return l
	}
	return append(l, v)
}

// Match parses a raw CloudTrail record and returns the keys (id, else name,
// else title) of the rules it matches, in rule order.
func (rs *RuleSet) Match(raw []byte) ([]string, error) {
	return rs.MatchSource(CloudTrail, raw)
}

// MatchSource is Match for records of another log source.
func (rs *RuleSet) MatchSource(src LogSource, raw []byte) ([]string, error) {
	e := rs.pool.Get().(*Event)
	defer func() {
		e.release()
		rs.pool.Put(e)
	}()
	if err := e.Reset(raw); err != nil {
		return nil, err
	}
	var buf [8]*Rule
	matched := rs.Eval(src, e, buf[:0])
	if len(matched) == 0 {
		return nil, nil
	}
	out := make([]string, len(matched))
	for i, r := range matched {
		out[i] = r.Key()
	}
	return out, nil
}

// Eval appends to dst the rules for src that match the parsed event, in
// rule order. It is the allocation-free form for the ingest pipeline.
func (rs *RuleSet) Eval(src LogSource, e *Event, dst []*Rule) []*Rule {
	if e == nil || len(e.nodes) == 0 {
		return dst
	}
	ix := rs.index(src)
	start := len(dst)
	var buf [4]int32
	for i := range ix.fields {
		f := &ix.fields[i]
		for _, n := range e.findPath(f.path, true, buf[:0]) {
			if v, ok := e.text(n); ok {
				dst = ix.evalList(e, f.by[string(e.lowerKey(v))], dst)
			}
		}
	}
	dst = ix.evalList(e, ix.always, dst)
	out := dst[start:]
	if len(out) > 1 {
		sort.Slice(out, func(a, b int) bool { return ix.pos[out[a]] < ix.pos[out[b]] })
		// Drop duplicates (only possible when eventName is an array).
		w := 1
		for i := 1; i < len(out); i++ {
			if out[i] != out[w-1] {
				out[w] = out[i]
				w++
			}
		}
		dst = dst[:start+w]
	}
	return dst
}

func (ix *index) evalList(e *Event, list []int, dst []*Rule) []*Rule {
	for _, i := range list {
		if r := ix.rules[i]; r.Detection.cond.eval(e) {
			dst = append(dst, r)
		}
	}
	return dst
}

// required returns the lower-cased literal values one of which field must
// equal for the condition to hold, if the condition implies such a set.
func required(c *condNode, field string) ([]string, bool) {
	switch c.op {
	case opSel:
		var all []string
		for _, g := range c.sel.Groups {
			vals, ok := groupRequires(g, field)
			if !ok {
				return nil, false
			}
			all = append(all, vals...)
		}
		return all, len(all) > 0
	case opAnd:
		var best []string
		found := false
		for _, k := range c.kids {
			if vals, ok := required(k, field); ok && (!found || len(vals) < len(best)) {
				best, found = vals, true
			}
		}
		return best, found
	case opOr:
		var all []string
		for _, k := range c.kids {
			vals, ok := required(k, field)
			if !ok {
				return nil, false
			}
			all = append(all, vals...)
		}
		return all, true
	}
	return nil, false // not: no positive requirement
}

// groupRequires finds a plain equality on field among a group's matches.
func groupRequires(g []*FieldMatch, field string) ([]string, bool) {
	for _, f := range g {
		if f.Field != field || f.Null || f.m.neq || f.m.all || f.m.exists || len(f.matchers) == 0 {
			continue
		}
		var vals []string
		ok := true
		for _, m := range f.matchers {
			p, isStr := m.(*strPattern)
			if !isStr || p.kind != pExact || p.num {
				ok = false
				break
			}
			vals = append(vals, strings.ToLower(string(p.lit)))
		}
		if ok {
			return vals, true
		}
	}
	return nil, false
}
