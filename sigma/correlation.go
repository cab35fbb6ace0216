package sigma

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Correlation is the correlation section of a Sigma correlation rule
// (Sigma correlation specification v2.1).
type Correlation struct {
	Type      string   // event_count value_count temporal temporal_ordered value_sum value_avg value_percentile
	Rules     []string // ids or names of detection or correlation rules
	GroupBy   []string
	Timespan  time.Duration
	Condition CorrelationCondition
	// Aliases maps an alias (usable in GroupBy) to, per referenced rule
	// name, the field holding its value in that rule's events.
	Aliases map[string]map[string]string
	// Generate: the referenced rules also raise their own alerts. By
	// default (false) they only feed the correlation.
	Generate bool
	Line     int
}

// CorrelationCondition is a conjunction of comparisons on the aggregate
// (event count, distinct value count, …), with the aggregated field(s) for
// the value_* types.
type CorrelationCondition struct {
	Field []string
	Ops   []Comparison
}

// Comparison is one `op: value` of a correlation condition.
type Comparison struct {
	Op    string // gt gte lt lte eq neq
	Value float64
}

// Holds reports whether x satisfies every comparison.
func (c CorrelationCondition) Holds(x float64) bool {
	for _, o := range c.Ops {
		var ok bool
		switch o.Op {
		case "gt":
			ok = x > o.Value
		case "gte":
			ok = x >= o.Value
		case "lt":
			ok = x < o.Value
		case "lte":
			ok = x <= o.Value
		case "eq":
			ok = x == o.Value
		case "neq":
			ok = x != o.Value
		}
		if !ok {
			return false
		}
	}
	return true
}

// lowerBound returns the smallest count the condition can hold for when it
// has a gt/gte bound (streaming can only decide those as events arrive).
func (c CorrelationCondition) lowerBound() (float64, bool) {
	lb, ok := math.Inf(-1), false
	for _, o := range c.Ops {
		switch o.Op {
		case "gt":
			lb, ok = math.Max(lb, math.Floor(o.Value)+1), true
		case "gte":
			lb, ok = math.Max(lb, math.Ceil(o.Value)), true
		case "eq":
			lb, ok = math.Max(lb, o.Value), true
		}
	}
	return lb, ok
}

// String renders the condition ("gte 10", "field User gt 3 and lte 5").
func (c CorrelationCondition) String() string {
	var parts []string
	if len(c.Field) > 0 {
		parts = append(parts, "field "+strings.Join(c.Field, ","))
	}
	for _, o := range c.Ops {
		parts = append(parts, o.Op+" "+strconv.FormatFloat(o.Value, 'g', -1, 64))
	}
	return strings.Join(parts, " and ")
}

var correlationTypes = map[string]bool{
	"event_count": true, "value_count": true, "temporal": true, "temporal_ordered": true,
	"value_sum": true, "value_avg": true, "value_percentile": true,
}

var timespanRe = regexp.MustCompile(`^([0-9]+)([smhdw])$`)

// ParseTimespan parses a Sigma timespan ("30s", "10m", "1h", "7d", "2w").
func ParseTimespan(s string) (time.Duration, error) {
	m := timespanRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, fmt.Errorf("invalid timespan %q (want a number and s, m, h or d, e.g. 10m)", s)
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	unit := map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour, "w": 7 * 24 * time.Hour}[m[2]]
	if err != nil || n <= 0 || n > int64(366*24*time.Hour/unit) {
		return 0, fmt.Errorf("timespan %q out of range (1s to 366d)", s)
	}
	return time.Duration(n) * unit, nil
}

// correlation parses a correlation section (and the rule's generate key).
func (c *compiler) correlation(n, generate *yaml.Node, keyLine int) (*Correlation, error) {
	if n.Kind != yaml.MappingNode {
		return nil, errorf(c.file, keyLine, "correlation must be a map")
	}
	cr := &Correlation{Line: keyLine}
	keys := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if _, dup := keys[k.Value]; dup {
			return nil, errorf(c.file, k.Line, "correlation key %q given twice", k.Value)
		}
		keys[k.Value] = resolve(n.Content[i+1])
		switch k.Value {
		case "type", "rules", "group-by", "timespan", "timeframe", "condition", "aliases", "generate":
		default:
			return nil, errorf(c.file, k.Line, "unknown correlation key %q", k.Value)
		}
	}
	t, ok := keys["type"]
	if !ok {
		return nil, errorf(c.file, keyLine, "correlation has no type")
	}
	cr.Type = t.Value
	if t.Kind != yaml.ScalarNode || !correlationTypes[cr.Type] {
		return nil, errorf(c.file, t.Line, "unknown correlation type %q (want event_count, value_count, temporal, temporal_ordered, value_sum, value_avg or value_percentile)", t.Value)
	}
	rules, ok := keys["rules"]
	if !ok {
		return nil, errorf(c.file, keyLine, "correlation has no rules")
	}
	var err error
	if cr.Rules, err = c.strList(rules, "correlation rules"); err != nil {
		return nil, err
	}
	if len(cr.Rules) == 0 {
		return nil, errorf(c.file, rules.Line, "correlation rules is empty")
	}
	seen := map[string]bool{}
	for _, r := range cr.Rules {
		if strings.TrimSpace(r) == "" || seen[r] {
			return nil, errorf(c.file, rules.Line, "correlation rules must be distinct, non-empty references")
		}
		seen[r] = true
	}
	gb, ok := keys["group-by"]
	if !ok {
		return nil, errorf(c.file, keyLine, "correlation has no group-by")
	}
	if cr.GroupBy, err = c.strList(gb, "group-by"); err != nil {
		return nil, err
	}
	ts, ok := keys["timespan"]
	if !ok {
		ts, ok = keys["timeframe"] // the pre-2.0 name some rules still use
	}
	if !ok {
		return nil, errorf(c.file, keyLine, "correlation has no timespan")
	}
	if cr.Timespan, err = ParseTimespan(ts.Value); err != nil || ts.Kind != yaml.ScalarNode {
		return nil, errorf(c.file, ts.Line, "%v", err)
	}
	if cond, ok := keys["condition"]; ok {
		if cr.Condition, err = c.corrCondition(cond); err != nil {
			return nil, err
		}
	}
	if err := c.checkCondition(cr, keyLine); err != nil {
		return nil, err
	}
	if al, ok := keys["aliases"]; ok {
		if cr.Aliases, err = c.aliases(al, cr); err != nil {
			return nil, err
		}
	}
	if g, ok := keys["generate"]; ok {
		generate = g // accepted inside the section too
	}
	if generate != nil {
		switch strings.ToLower(generate.Value) {
		case "true":
			cr.Generate = true
		case "false":
		default:
			return nil, errorf(c.file, generate.Line, "generate must be true or false")
		}
	}
	return cr, nil
}

func (c *compiler) corrCondition(n *yaml.Node) (CorrelationCondition, error) {
	var cc CorrelationCondition
	if n.Kind != yaml.MappingNode {
		return cc, errorf(c.file, n.Line, "correlation condition must be a map such as {gte: 10}")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		switch k.Value {
		case "field":
			f, err := c.strList(v, "condition field")
			if err != nil {
				return cc, err
			}
			cc.Field = f
		case "gt", "gte", "lt", "lte", "eq", "neq":
			f, err := strconv.ParseFloat(v.Value, 64)
			if v.Kind != yaml.ScalarNode || err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				return cc, errorf(c.file, v.Line, "correlation condition %s needs a number, got %q", k.Value, v.Value)
			}
			cc.Ops = append(cc.Ops, Comparison{Op: k.Value, Value: f})
		default:
			return cc, errorf(c.file, k.Line, "unknown correlation condition %q (want gt, gte, lt, lte, eq, neq or field)", k.Value)
		}
	}
	return cc, nil
}

// checkCondition applies the per-type requirements.
func (c *compiler) checkCondition(cr *Correlation, line int) error {
	switch cr.Type {
	case "temporal", "temporal_ordered":
		if len(cr.Condition.Field) > 0 {
			return errorf(c.file, line, "%s correlation takes no condition field", cr.Type)
		}
		if len(cr.Condition.Ops) == 0 { // default: every referenced rule
			cr.Condition.Ops = []Comparison{{Op: "gte", Value: float64(len(cr.Rules))}}
		}
		return nil
	case "event_count":
		if len(cr.Condition.Field) > 0 {
			return errorf(c.file, line, "event_count correlation takes no condition field")
		}
	default: // value_*
		if len(cr.Condition.Field) == 0 {
			return errorf(c.file, line, "%s correlation needs condition.field", cr.Type)
		}
	}
	if len(cr.Condition.Ops) == 0 {
		return errorf(c.file, line, "%s correlation needs a condition such as {gte: 10}", cr.Type)
	}
	return nil
}

func (c *compiler) aliases(n *yaml.Node, cr *Correlation) (map[string]map[string]string, error) {
	if n.Kind != yaml.MappingNode {
		return nil, errorf(c.file, n.Line, "aliases must be a map of alias: {rule name: field}")
	}
	out := map[string]map[string]string{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		if v.Kind != yaml.MappingNode {
			return nil, errorf(c.file, v.Line, "alias %q must map rule names to fields", k.Value)
		}
		m := map[string]string{}
		for j := 0; j+1 < len(v.Content); j += 2 {
			rk, rv := v.Content[j], resolve(v.Content[j+1])
			if rv.Kind != yaml.ScalarNode || rv.Value == "" {
				return nil, errorf(c.file, rv.Line, "alias %q: field for rule %q must be a string", k.Value, rk.Value)
			}
			found := false
			for _, r := range cr.Rules {
				found = found || r == rk.Value
			}
			if !found {
				return nil, errorf(c.file, rk.Line, "alias %q names rule %q, which is not in the correlation's rules", k.Value, rk.Value)
			}
			m[rk.Value] = rv.Value
		}
		out[k.Value] = m
	}
	return out, nil
}

// Link checks the references between rules: every rule a correlation names
// exists (by id or name), ids and names are unique, and correlations do not
// form a cycle. It returns one error per problem, positioned at the rule.
func Link(rules []*Rule) []error {
	errs, _ := link(rules)
	return errs
}

// link is Link that also reports which rules are broken.
func link(rules []*Rule) ([]error, map[*Rule]bool) {
	var errs []error
	bad := map[*Rule]bool{}
	byRef := map[string]*Rule{}
	for _, r := range rules {
		for _, ref := range []string{r.ID, r.Name} {
			if ref == "" {
				continue
			}
			if prev, dup := byRef[ref]; dup && prev != r {
				errs = append(errs, errorf(r.File, r.Line, "rule %q reuses id or name %q of %s:%d", r.Title, ref, prev.File, prev.Line))
				bad[r] = true
				continue
			}
			byRef[ref] = r
		}
	}
	for _, r := range rules {
		if r.Correlation == nil {
			continue
		}
		for _, ref := range r.Correlation.Rules {
			if _, ok := byRef[ref]; !ok {
				errs = append(errs, errorf(r.File, r.Correlation.Line, "correlation %q refers to unknown rule %q", r.Title, ref))
				bad[r] = true
			}
		}
	}
	// Cycle check by depth-first search over correlation references.
	state := map[*Rule]int{} // 1 visiting, 2 done
	var visit func(r *Rule) bool
	visit = func(r *Rule) bool {
		switch state[r] {
		case 1:
			return false
		case 2:
			return true
		}
		state[r] = 1
		if r.Correlation != nil {
			for _, ref := range r.Correlation.Rules {
				if t, ok := byRef[ref]; ok && !visit(t) {
					return false
				}
			}
		}
		state[r] = 2
		return true
	}
	for _, r := range rules {
		if r.Correlation != nil && state[r] == 0 && !visit(r) {
			errs = append(errs, errorf(r.File, r.Correlation.Line, "correlation %q is part of a reference cycle", r.Title))
			bad[r] = true
		}
	}
	return errs, bad
}
