package sigma

import (
	"fmt"
	"sort"
	"strings"
)

// The condition grammar (precedence from loosest to tightest):
//
//	expr    = and { "or" and }
//	and     = not { "and" not }
//	not     = "not" not | primary
//	primary = "(" expr ")" | ("1" | "all") "of" (pattern | "them") | identifier
//
// Keywords are case-insensitive. A pattern may hold '*' wildcards; "them"
// means every search identifier not starting with '_'.

type condOp uint8

const (
	opSel condOp = iota
	opAnd
	opOr
	opNot
)

// condNode is a compiled condition.
type condNode struct {
	op   condOp
	sel  *Selection
	kids []*condNode
}

func (c *condNode) eval(e *Event) bool {
	switch c.op {
	case opSel:
		return c.sel.eval(e)
	case opAnd:
		for _, k := range c.kids {
			if !k.eval(e) {
				return false
			}
		}
		return true
	case opOr:
		for _, k := range c.kids {
			if k.eval(e) {
				return true
			}
		}
		return false
	}
	return !c.kids[0].eval(e)
}

// String renders the compiled condition with explicit parentheses (used by
// tests and `rules lint` output).
func (c *condNode) String() string {
	switch c.op {
	case opSel:
		return c.sel.Name
	case opNot:
		return "not " + c.kids[0].String()
	}
	parts := make([]string, len(c.kids))
	for i, k := range c.kids {
		parts[i] = k.String()
	}
	sep := " and "
	if c.op == opOr {
		sep = " or "
	}
	return "(" + strings.Join(parts, sep) + ")"
}

type ctok struct {
	s   string
	pos int // byte offset in the condition, for messages
}

// lexCondition splits a condition into words and parentheses.
func lexCondition(s string) ([]ctok, error) {
	var out []ctok
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')':
			out = append(out, ctok{s[i : i+1], i})
			i++
		case c == '|':
			return nil, legacyAggregation(s, i)
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\n\r()|", rune(s[j])) {
				j++
			}
			out = append(out, ctok{s[i:j], i})
			i = j
		}
	}
	return out, nil
}

// legacyAggregation describes a Sigma 1.x "| count() …" or "| near …"
// condition, which this engine refuses (correlation rules replace them).
func legacyAggregation(s string, at int) error {
	agg := strings.TrimSpace(s[at+1:])
	fn := agg
	if i := strings.IndexAny(fn, "( "); i >= 0 {
		fn = fn[:i]
	}
	fn = strings.ToLower(fn)
	hint := "a correlation rule"
	switch fn {
	case "count":
		hint = "an event_count or value_count correlation rule"
	case "near":
		hint = "a temporal correlation rule"
	case "sum", "avg":
		hint = "a value_sum or value_avg correlation rule"
	}
	return &condError{at: at, unsupported: true, msg: fmt.Sprintf(
		"legacy aggregation %q (Sigma 1.x %s) is not supported; express it as %s", "| "+agg, fn, hint)}
}

type condError struct {
	at          int
	msg         string
	unsupported bool
}

func (e *condError) Error() string { return e.msg }

type condParser struct {
	src   string
	toks  []ctok
	i     int
	sels  map[string]*Selection
	names []string // sorted identifier names
}

// compileCondition parses one condition string against the selections.
func compileCondition(src string, sels map[string]*Selection) (*condNode, error) {
	toks, err := lexCondition(src)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return nil, &condError{msg: "empty condition"}
	}
	p := &condParser{src: src, toks: toks, sels: sels}
	for n := range sels {
		p.names = append(p.names, n)
	}
	sort.Strings(p.names)
	node, err := p.or(0)
	if err != nil {
		return nil, err
	}
	if p.i < len(p.toks) {
		return nil, p.errf(p.toks[p.i], "unexpected %q", p.toks[p.i].s)
	}
	return node, nil
}

// maxCondDepth bounds nesting (parentheses and "not" chains).
const maxCondDepth = 64

func (p *condParser) errf(t ctok, format string, args ...any) error {
	return &condError{at: t.pos, msg: fmt.Sprintf(format, args...)}
}

func (p *condParser) peek() (ctok, bool) {
	if p.i >= len(p.toks) {
		return ctok{pos: len(p.src)}, false
	}
	return p.toks[p.i], true
}

func (p *condParser) isWord(w string) bool {
	t, ok := p.peek()
	return ok && strings.EqualFold(t.s, w)
}

func (p *condParser) or(depth int) (*condNode, error) {
	return p.binary(depth, "or", opOr, p.and)
}

func (p *condParser) and(depth int) (*condNode, error) {
	return p.binary(depth, "and", opAnd, p.not)
}

func (p *condParser) binary(depth int, word string, op condOp, next func(int) (*condNode, error)) (*condNode, error) {
	first, err := next(depth)
	if err != nil {
		return nil, err
	}
	kids := []*condNode{first}
	for p.isWord(word) {
		p.i++
		k, err := next(depth)
		if err != nil {
			return nil, err
		}
		kids = append(kids, k)
	}
	if len(kids) == 1 {
		return first, nil
	}
	return &condNode{op: op, kids: kids}, nil
}

func (p *condParser) not(depth int) (*condNode, error) {
	if depth > maxCondDepth {
		t, _ := p.peek()
		return nil, p.errf(t, "condition nested too deeply")
	}
	if p.isWord("not") {
		p.i++
		k, err := p.not(depth + 1)
		if err != nil {
			return nil, err
		}
		return &condNode{op: opNot, kids: []*condNode{k}}, nil
	}
	return p.primary(depth)
}

func (p *condParser) primary(depth int) (*condNode, error) {
	t, ok := p.peek()
	if !ok {
		return nil, p.errf(t, "condition ends unexpectedly")
	}
	low := strings.ToLower(t.s)
	switch {
	case t.s == "(":
		p.i++
		n, err := p.or(depth + 1)
		if err != nil {
			return nil, err
		}
		if c, ok := p.peek(); !ok || c.s != ")" {
			return nil, p.errf(c, "missing ')' for '(' at offset %d", t.pos)
		}
		p.i++
		return n, nil
	case t.s == ")":
		return nil, p.errf(t, "unexpected ')'")
	case low == "and" || low == "or" || low == "not" || low == "of" || low == "them":
		return nil, p.errf(t, "unexpected %q", t.s)
	case p.i+1 < len(p.toks) && strings.EqualFold(p.toks[p.i+1].s, "of"):
		return p.quantifier(t)
	}
	p.i++
	if strings.ContainsAny(t.s, "*?") {
		return nil, p.errf(t, "pattern %q needs \"1 of\" or \"all of\"", t.s)
	}
	s, ok := p.sels[t.s]
	if !ok {
		return nil, p.errf(t, "unknown search identifier %q", t.s)
	}
	return &condNode{op: opSel, sel: s}, nil
}

// quantifier parses "1 of x" / "all of x".
func (p *condParser) quantifier(q ctok) (*condNode, error) {
	op := opOr
	switch strings.ToLower(q.s) {
	case "1", "any": // pySigma also accepts "any of"
		op = opOr
	case "all":
		op = opAnd
	default:
		return nil, p.errf(q, "unsupported quantifier %q (want \"1 of\" or \"all of\")", q.s)
	}
	p.i += 2
	t, ok := p.peek()
	if !ok || t.s == "(" || t.s == ")" {
		return nil, p.errf(t, "%q needs a search identifier pattern or \"them\"", q.s+" of")
	}
	p.i++
	var kids []*condNode
	them := strings.EqualFold(t.s, "them")
	for _, n := range p.names {
		var hit bool
		if them {
			hit = !strings.HasPrefix(n, "_")
		} else {
			hit = globName(t.s, n)
		}
		if hit {
			kids = append(kids, &condNode{op: opSel, sel: p.sels[n]})
		}
	}
	if len(kids) == 0 {
		return nil, p.errf(t, "%q matches no search identifier", q.s+" of "+t.s)
	}
	if len(kids) == 1 {
		return kids[0], nil
	}
	return &condNode{op: op, kids: kids}, nil
}

// globName matches an identifier pattern where only '*' is special.
func globName(pat, name string) bool {
	toks := parseWildcards(strings.ReplaceAll(strings.ReplaceAll(pat, `\`, `\\`), "?", `\?`))
	return compilePattern(toks, true).matchBytes([]byte(name), false)
}
