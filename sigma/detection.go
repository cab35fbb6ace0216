package sigma

import (
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Detection is a rule's detection section: its search identifiers and the
// condition joining them.
type Detection struct {
	Selections map[string]*Selection
	Conditions []string // several conditions are ORed (Sigma allows a list)
	cond       *condNode
}

// Selection is one search identifier. It matches when any of its Groups
// matches; a group matches when all of its fields do. A map is one group, a
// list of maps one group per map, and a list of plain values one keyword
// field (Field "") that searches the whole record.
type Selection struct {
	Name   string
	Line   int
	Groups [][]*FieldMatch
}

// FieldMatch is one `field|modifier…: value(s)` entry of a selection.
type FieldMatch struct {
	Field     string   // raw CloudTrail dotted path; "" for keywords
	Modifiers []string // as written, in order
	Values    []string // the values as written (null values are not listed)
	Null      bool     // a null value is among the alternatives
	Line      int

	path     fieldPath
	m        mods
	want     bool // exists: true/false
	matchers []valueMatcher
}

func (s *Selection) eval(e *Event) bool {
	for _, g := range s.Groups {
		ok := true
		for _, f := range g {
			if !f.eval(e) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func (f *FieldMatch) eval(e *Event) bool {
	if f.m.exists {
		return e.hasPath(f.path) == f.want
	}
	var buf [16]int32
	leaves := e.findPath(f.path, true, buf[:0])
	var r bool
	switch {
	case f.m.all:
		r = len(f.matchers) > 0
		for _, m := range f.matchers {
			if !anyLeaf(e, m, leaves) {
				r = false
				break
			}
		}
	default:
		if f.Null {
			r = true
			for _, l := range leaves {
				if e.nodes[l].kind != kNull {
					r = false
					break
				}
			}
		}
		for _, m := range f.matchers {
			if r {
				break
			}
			r = anyLeaf(e, m, leaves)
		}
	}
	if f.m.neq {
		return !r
	}
	return r
}

func anyLeaf(e *Event, m valueMatcher, leaves []int32) bool {
	for _, l := range leaves {
		if m.match(e, l) {
			return true
		}
	}
	return false
}

// compiler carries what building a rule needs: the file for messages and
// the load options.
type compiler struct {
	file string
	opts Options
}

// detection parses and compiles a detection section.
func (c *compiler) detection(n *yaml.Node, keyLine int) (*Detection, error) {
	if n.Kind != yaml.MappingNode {
		return nil, errorf(c.file, n.Line, "detection must be a map of search identifiers and a condition")
	}
	d := &Detection{Selections: map[string]*Selection{}}
	var condNodes []*yaml.Node
	var timeframe *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		if k.Kind != yaml.ScalarNode || k.Value == "" {
			return nil, errorf(c.file, k.Line, "detection keys must be non-empty strings")
		}
		switch k.Value {
		case "condition":
			switch v.Kind {
			case yaml.ScalarNode:
				condNodes = append(condNodes, v)
			case yaml.SequenceNode:
				for _, item := range v.Content {
					item = resolve(item)
					if item.Kind != yaml.ScalarNode {
						return nil, errorf(c.file, item.Line, "condition list items must be strings")
					}
					condNodes = append(condNodes, item)
				}
			default:
				return nil, errorf(c.file, v.Line, "condition must be a string or a list of strings")
			}
			continue
		case "timeframe":
			timeframe = k
			continue
		}
		if _, dup := d.Selections[k.Value]; dup {
			return nil, errorf(c.file, k.Line, "search identifier %q defined twice", k.Value)
		}
		s, err := c.selection(k.Value, k.Line, v)
		if err != nil {
			return nil, err
		}
		d.Selections[k.Value] = s
	}
	if len(condNodes) == 0 {
		return nil, errorf(c.file, keyLine, "detection has no condition")
	}
	var conds []*condNode
	for _, cn := range condNodes {
		if strings.TrimSpace(cn.Value) == "" {
			return nil, errorf(c.file, cn.Line, "condition is empty")
		}
		node, err := compileCondition(cn.Value, d.Selections)
		if err != nil {
			ce, _ := err.(*condError)
			if ce != nil && ce.unsupported {
				return nil, unsupportedf(c.file, cn.Line, "condition: %s", ce.msg)
			}
			return nil, errorf(c.file, cn.Line, "condition %q: %v", cn.Value, err)
		}
		d.Conditions = append(d.Conditions, cn.Value)
		conds = append(conds, node)
	}
	if timeframe != nil {
		return nil, unsupportedf(c.file, timeframe.Line,
			"timeframe (Sigma 1.x aggregation window) is not supported; express the rule as a correlation rule with a timespan")
	}
	d.cond = conds[0]
	if len(conds) > 1 {
		d.cond = &condNode{op: opOr, kids: conds}
	}
	return d, nil
}

// selection parses one search identifier.
func (c *compiler) selection(name string, line int, v *yaml.Node) (*Selection, error) {
	s := &Selection{Name: name, Line: line}
	switch v.Kind {
	case yaml.MappingNode:
		g, err := c.group(v)
		if err != nil {
			return nil, err
		}
		s.Groups = append(s.Groups, g)
	case yaml.SequenceNode:
		if len(v.Content) == 0 {
			return nil, errorf(c.file, v.Line, "search identifier %q is an empty list", name)
		}
		var keywords []*yaml.Node
		for _, item := range v.Content {
			item = resolve(item)
			switch item.Kind {
			case yaml.MappingNode:
				g, err := c.group(item)
				if err != nil {
					return nil, err
				}
				s.Groups = append(s.Groups, g)
			case yaml.ScalarNode:
				if isNull(item) {
					return nil, errorf(c.file, item.Line, "keyword list of %q holds a null value", name)
				}
				keywords = append(keywords, item)
			default:
				return nil, errorf(c.file, item.Line, "items of %q must be values or maps, not nested lists", name)
			}
		}
		if len(keywords) > 0 {
			f, err := c.field("", keywords[0].Line, keywords)
			if err != nil {
				return nil, err
			}
			s.Groups = append([][]*FieldMatch{{f}}, s.Groups...)
		}
	case yaml.ScalarNode:
		if isNull(v) {
			return nil, errorf(c.file, line, "search identifier %q is empty", name)
		}
		f, err := c.field("", v.Line, []*yaml.Node{v})
		if err != nil {
			return nil, err
		}
		s.Groups = append(s.Groups, []*FieldMatch{f})
	default:
		return nil, errorf(c.file, v.Line, "search identifier %q must be a map or a list", name)
	}
	return s, nil
}

// group parses a map of field matches (ANDed).
func (c *compiler) group(n *yaml.Node) ([]*FieldMatch, error) {
	if len(n.Content) == 0 {
		return nil, errorf(c.file, n.Line, "empty map in detection")
	}
	var g []*FieldMatch
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			return nil, errorf(c.file, k.Line, "field names must be strings")
		}
		if k.Value == "<<" {
			return nil, unsupportedf(c.file, k.Line, "YAML merge keys (<<) are not supported in detections")
		}
		if seen[k.Value] {
			return nil, errorf(c.file, k.Line, "field %q given twice in one map", k.Value)
		}
		seen[k.Value] = true
		var vals []*yaml.Node
		switch v.Kind {
		case yaml.ScalarNode:
			vals = []*yaml.Node{v}
		case yaml.SequenceNode:
			if len(v.Content) == 0 {
				return nil, errorf(c.file, v.Line, "field %q has an empty list of values", k.Value)
			}
			for _, item := range v.Content {
				item = resolve(item)
				if item.Kind != yaml.ScalarNode {
					return nil, errorf(c.file, item.Line, "values of field %q must be plain values, not maps or lists", k.Value)
				}
				vals = append(vals, item)
			}
		default:
			return nil, errorf(c.file, v.Line, "value of field %q must be a value or a list of values", k.Value)
		}
		f, err := c.field(k.Value, k.Line, vals)
		if err != nil {
			return nil, err
		}
		g = append(g, f)
	}
	return g, nil
}

// field compiles one `field|mods` with its values.
func (c *compiler) field(key string, line int, vals []*yaml.Node) (*FieldMatch, error) {
	parts := strings.Split(key, "|")
	f := &FieldMatch{Field: parts[0], Modifiers: parts[1:], Line: line, path: newFieldPath(parts[0])}
	if key != "" && f.Field == "" && len(f.Modifiers) == 0 {
		return nil, errorf(c.file, line, "empty field name")
	}
	for _, seg := range f.path.segs {
		if seg == "" {
			return nil, errorf(c.file, line, "field %q has an empty path segment", f.Field)
		}
	}
	m, err := parseMods(f.Modifiers)
	if err != nil {
		return nil, errorf(c.file, line, "field %q: %v", key, err)
	}
	f.m = m
	if f.Field == "" && (m.exists || m.fieldref) {
		return nil, errorf(c.file, line, "modifier %s needs a field name", strings.Join(f.Modifiers, "|"))
	}
	if m.wrap == pExact && f.Field == "" && !m.re && !m.cidr && m.cmp == "" && m.part == "" {
		m.wrap = pContains // keywords search anywhere in the record
		f.m.wrap = pContains
	}
	var live []*yaml.Node
	for _, v := range vals {
		if isNull(v) {
			f.Null = true
			continue
		}
		f.Values = append(f.Values, v.Value)
		live = append(live, v)
	}
	if m.exists {
		if len(vals) != 1 || f.Null {
			return nil, errorf(c.file, line, "field %q: exists needs exactly one value, true or false", key)
		}
		switch strings.ToLower(vals[0].Value) {
		case "true", "yes":
			f.want = true
		case "false", "no":
		default:
			return nil, errorf(c.file, vals[0].Line, "field %q: exists needs true or false, got %q", key, vals[0].Value)
		}
		return f, nil
	}
	if f.Null {
		for _, n := range f.Modifiers {
			if n != "neq" && n != "cased" {
				return nil, errorf(c.file, line, "field %q: a null value cannot be used with modifier %q", key, n)
			}
		}
	}
	if m.all && len(vals) < 2 {
		return nil, errorf(c.file, line, "field %q: modifier all needs a list of at least two values", key)
	}
	if m.all && f.Null {
		return nil, errorf(c.file, line, "field %q: modifier all cannot be used with a null value", key)
	}
	if f.matchers, err = c.compileValues(m, live); err != nil {
		l := line
		if le, ok := err.(*lineError); ok {
			l = le.line
		}
		return nil, errorf(c.file, l, "field %q: %v", key, err)
	}
	if !m.all {
		f.matchers = mergeContains(f.matchers)
	}
	return f, nil
}

// isNull reports whether a scalar is YAML null ("null", "~" or empty).
func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// resolve follows YAML aliases.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; i < 16 && n != nil && n.Kind == yaml.AliasNode && n.Alias != nil; i++ {
		n = n.Alias
	}
	return n
}

// SelectionNames returns the search identifiers in sorted order.
func (d *Detection) SelectionNames() []string {
	out := make([]string, 0, len(d.Selections))
	for n := range d.Selections {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// String renders the compiled condition with explicit grouping, e.g.
// "(selection and not (filter_a or filter_b))".
func (d *Detection) String() string {
	if d == nil || d.cond == nil {
		return ""
	}
	return d.cond.String()
}
