package search

import (
	"strconv"
	"strings"
)

// maxDepth bounds nesting of parentheses and operators.
const maxDepth = 64

// parser reads a query: a Lucene-style filter, then stages after '|'.
type parser struct {
	lx    lexer
	q     string
	pos   int // where the next token starts
	depth int
}

// parse reads a whole query.
func parse(q string) (*query, error) {
	p := &parser{lx: lexer{src: q, q: q}, q: q}
	filter, err := p.filter()
	if err != nil {
		return nil, err
	}
	out := &query{filter: filter}
	for {
		t, err := p.lx.exprToken(p.pos)
		if err != nil {
			return nil, err
		}
		if t.kind == tEOF {
			return out, nil
		}
		if t.kind != tPipe {
			return nil, p.errAt(t, "expected '|' or the end of the query")
		}
		p.pos = t.end
		st, err := p.stage()
		if err != nil {
			return nil, err
		}
		out.stages = append(out.stages, st)
	}
}

// errAt reports what was expected where t starts, naming what was found.
func (p *parser) errAt(t token, expected string) error {
	return errorf(p.q, t.pos, "%s, got %s", expected, t.describe())
}

func (p *parser) peekF(mode lexMode) (token, error) { return p.lx.filterToken(p.pos, mode) }

func (p *parser) enter(pos int) error {
	p.depth++
	if p.depth > maxDepth {
		return errorf(p.q, pos, "query nests too deeply (more than %d levels)", maxDepth)
	}
	return nil
}

// keyword reports which boolean keyword a term is: AND, OR, NOT in upper
// or lower case.
func keyword(t token) tokKind {
	if t.kind != tTerm || t.wild() {
		return t.kind
	}
	switch t.text {
	case "AND", "and":
		return tAnd
	case "OR", "or":
		return tOr
	case "NOT", "not":
		return tNot
	}
	return t.kind
}

// filter reads the filter up to '|' or the end; nil when there is none.
func (p *parser) filter() (node, error) {
	t, err := p.peekF(mClause)
	if err != nil {
		return nil, err
	}
	if t.kind == tEOF || t.kind == tPipe {
		return nil, nil
	}
	n, err := p.or("")
	if err != nil {
		return nil, err
	}
	t, err = p.peekF(mClause)
	if err != nil {
		return nil, err
	}
	if t.kind != tEOF && t.kind != tPipe {
		return nil, p.errAt(t, "expected AND, OR, '|' or the end of the query")
	}
	return n, nil
}

// or: and (OR and)*. field is the default field inside field:( ... ).
func (p *parser) or(field string) (node, error) {
	start := p.pos
	var items []node
	for {
		n, err := p.and(field)
		if err != nil {
			return nil, err
		}
		items = append(items, n)
		t, err := p.peekF(mClause)
		if err != nil {
			return nil, err
		}
		if keyword(t) != tOr {
			break
		}
		p.pos = t.end
	}
	if len(items) == 1 {
		return items[0], nil
	}
	return &boolNode{or: true, items: items, pos: p.lx.skipSpace(start)}, nil
}

// and: unary ((AND)? unary)*; adjacent clauses are ANDed.
func (p *parser) and(field string) (node, error) {
	start := p.pos
	var items []node
	for {
		n, err := p.unary(field)
		if err != nil {
			return nil, err
		}
		items = append(items, n)
		t, err := p.peekF(mClause)
		if err != nil {
			return nil, err
		}
		if keyword(t) == tAnd {
			p.pos = t.end
			continue
		}
		switch keyword(t) {
		case tTerm, tPhrase, tRegex, tLParen, tNot, tMinus, tPlus:
			continue // implicit AND
		}
		break
	}
	if len(items) == 1 {
		return items[0], nil
	}
	return &boolNode{items: items, pos: p.lx.skipSpace(start)}, nil
}

func (p *parser) unary(field string) (node, error) {
	t, err := p.peekF(mClause)
	if err != nil {
		return nil, err
	}
	if err := p.enter(t.pos); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	switch keyword(t) {
	case tNot, tMinus:
		p.pos = t.end
		x, err := p.unary(field)
		if err != nil {
			return nil, err
		}
		return &notNode{x: x, pos: t.pos}, nil
	case tPlus:
		p.pos = t.end
		return p.unary(field)
	}
	return p.primary(field)
}

func (p *parser) primary(field string) (node, error) {
	t, err := p.peekF(mClause)
	if err != nil {
		return nil, err
	}
	switch keyword(t) {
	case tLParen:
		p.pos = t.end
		n, err := p.or(field)
		if err != nil {
			return nil, err
		}
		if err := p.closeParen(t); err != nil {
			return nil, err
		}
		return n, nil
	case tPhrase:
		p.pos = t.end
		return &clause{field: field, fieldPos: t.pos, val: &phraseVal{text: t.text, pos: t.pos}, pos: t.pos}, nil
	case tRegex:
		p.pos = t.end
		return &clause{field: field, fieldPos: t.pos, val: &regexVal{re: t.text, pos: t.pos}, pos: t.pos}, nil
	case tTerm:
		p.pos = t.end
		next, err := p.peekF(mClause)
		if err != nil {
			return nil, err
		}
		if next.kind == tColon || next.kind == tCmp {
			return p.fieldClause(t, next)
		}
		if t.text == "*" && t.wild() {
			return &matchAll{pos: t.pos}, nil
		}
		return &clause{field: field, fieldPos: t.pos, val: &termVal{text: t.text, parts: t.parts, pos: t.pos}, pos: t.pos}, nil
	}
	return nil, p.errAt(t, "expected a search term, a field:value clause or '('")
}

func (p *parser) closeParen(open token) error {
	t, err := p.peekF(mClause)
	if err != nil {
		return err
	}
	if t.kind != tRParen {
		return p.errAt(t, "expected ')' to close the '(' at column "+strconv.Itoa(runeCol(p.q, open.pos)))
	}
	p.pos = t.end
	return nil
}

// fieldClause reads what follows "name:" or "name OP".
func (p *parser) fieldClause(name, op token) (node, error) {
	p.pos = op.end
	if name.wild() && name.text != "*" {
		return nil, errorf(p.q, name.pos, "wildcards in field names are not supported")
	}
	if op.kind == tCmp {
		switch op.text {
		case "=":
			return p.fieldValue(name)
		case "!=":
			n, err := p.fieldValue(name)
			if err != nil {
				return nil, err
			}
			return &notNode{x: n, pos: name.pos}, nil
		}
		return p.comparison(name, op)
	}
	next, err := p.peekF(mValue)
	if err != nil {
		return nil, err
	}
	if next.kind == tCmp {
		p.pos = next.end
		return p.comparison(name, next)
	}
	return p.fieldValue(name)
}

// fieldValue reads the value of a field clause.
func (p *parser) fieldValue(name token) (node, error) {
	field := name.text
	t, err := p.peekF(mValue)
	if err != nil {
		return nil, err
	}
	c := &clause{field: field, fieldPos: name.pos, pos: name.pos}
	switch t.kind {
	case tLParen:
		if field == "*" || field == "_exists_" {
			return nil, errorf(p.q, t.pos, "expected a field name before ':(', got %q", field)
		}
		p.pos = t.end
		if err := p.enter(t.pos); err != nil {
			return nil, err
		}
		defer func() { p.depth-- }()
		n, err := p.or(field)
		if err != nil {
			return nil, err
		}
		return n, p.closeParen(t)
	case tLBrack, tLBrace:
		p.pos = t.end
		v, err := p.rangeValue(t)
		if err != nil {
			return nil, err
		}
		c.val = v
	case tTerm:
		p.pos = t.end
		if t.text == "*" && t.wild() {
			c.val = &existsVal{pos: t.pos}
		} else {
			c.val = &termVal{text: t.text, parts: t.parts, pos: t.pos}
		}
	case tPhrase:
		p.pos = t.end
		c.val = &phraseVal{text: t.text, pos: t.pos}
	case tRegex:
		p.pos = t.end
		c.val = &regexVal{re: t.text, pos: t.pos}
	default:
		return nil, p.errAt(t, "expected a value after "+quote(p.q[name.pos:t.pos]))
	}
	switch field {
	case "*":
		if _, ok := c.val.(*existsVal); !ok {
			return nil, errorf(p.q, name.pos, "expected *:* (all events); search every field with a bare word instead")
		}
		return &matchAll{pos: name.pos}, nil
	case "_exists_":
		tv, ok := c.val.(*termVal)
		if !ok || tv.text == "" {
			return nil, errorf(p.q, c.val.vpos(), "expected a field name after _exists_:")
		}
		return &clause{field: tv.text, fieldPos: tv.pos, val: &existsVal{pos: tv.pos}, pos: name.pos}, nil
	}
	return c, nil
}

// comparison reads the value of field:>=v, field<v and the like.
func (p *parser) comparison(name, op token) (node, error) {
	if name.text == "*" || name.text == "_exists_" {
		return nil, errorf(p.q, name.pos, "expected a field name before %q", op.text)
	}
	t, err := p.peekF(mValue)
	if err != nil {
		return nil, err
	}
	if t.kind != tTerm && t.kind != tPhrase || t.kind == tTerm && t.wild() {
		return nil, p.errAt(t, "expected a value after "+quote(op.text))
	}
	p.pos = t.end
	b := &bound{text: t.text, pos: t.pos}
	r := &rangeVal{pos: op.pos}
	switch op.text {
	case ">", ">=":
		r.lo, r.loIncl = b, op.text == ">="
	case "<", "<=":
		r.hi, r.hiIncl = b, op.text == "<="
	}
	return &clause{field: name.text, fieldPos: name.pos, val: r, pos: name.pos}, nil
}

// rangeValue reads "lo TO hi]" after '[' or '{'; '*' is an open end.
func (p *parser) rangeValue(open token) (*rangeVal, error) {
	r := &rangeVal{pos: open.pos, loIncl: open.kind == tLBrack}
	lo, err := p.rangeBound()
	if err != nil {
		return nil, err
	}
	t, err := p.peekF(mRange)
	if err != nil {
		return nil, err
	}
	if t.kind != tTerm || !strings.EqualFold(t.text, "TO") {
		return nil, p.errAt(t, "expected TO in the range")
	}
	p.pos = t.end
	hi, err := p.rangeBound()
	if err != nil {
		return nil, err
	}
	t, err = p.peekF(mRange)
	if err != nil {
		return nil, err
	}
	if t.kind != tRBrack && t.kind != tRBrace {
		return nil, p.errAt(t, "expected ']' or '}' to close the range")
	}
	p.pos = t.end
	r.lo, r.hi, r.hiIncl = lo, hi, t.kind == tRBrack
	if lo == nil && hi == nil {
		return nil, errorf(p.q, open.pos, "expected at least one bound in the range (both are *); use field:* for existence")
	}
	return r, nil
}

func (p *parser) rangeBound() (*bound, error) {
	t, err := p.peekF(mRange)
	if err != nil {
		return nil, err
	}
	switch {
	case t.kind == tTerm && t.text == "*" && t.wild():
		p.pos = t.end
		return nil, nil
	case t.kind == tTerm && !t.wild() && !strings.EqualFold(t.text, "TO"), t.kind == tPhrase:
		p.pos = t.end
		return &bound{text: t.text, pos: t.pos}, nil
	}
	return nil, p.errAt(t, "expected a range bound (a value or *)")
}

// runeCol is the 1-based column of byte offset pos.
func runeCol(q string, pos int) int {
	start := strings.LastIndexByte(q[:pos], '\n') + 1
	return len([]rune(q[start:pos])) + 1
}
