package search

import (
	"strconv"
	"strings"
)

// Expressions in where, eval, sort and stats, with KQL and SPL operators:
//
//	or:  and (or|'||') and      and: not (and|'&&') not     not: (not|'!') not
//	cmp: add (= == != <> < <= > >= =~ !~ contains startswith endswith like in (...)) add
//	add: mul (+|-) mul          mul: unary (*|/|%) unary    unary: '-' unary | primary
//	primary: number, duration, "string", true, false, null, name, f(args), (expr)

func (p *parser) peekE() (token, error) { return p.lx.exprToken(p.pos) }

func (p *parser) nextE() (token, error) {
	t, err := p.lx.exprToken(p.pos)
	if err == nil {
		p.pos = t.end
	}
	return t, err
}

// isWord reports whether t is the name w, ignoring case.
func isWord(t token, words ...string) bool {
	if t.kind != tIdent {
		return false
	}
	for _, w := range words {
		if strings.EqualFold(t.text, w) {
			return true
		}
	}
	return false
}

func isOp(t token, ops ...string) bool {
	if t.kind != tOp {
		return false
	}
	for _, o := range ops {
		if t.text == o {
			return true
		}
	}
	return false
}

func (p *parser) expr() (expr, error) {
	t, err := p.peekE()
	if err != nil {
		return nil, err
	}
	if err := p.enter(t.pos); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	return p.orE()
}

func (p *parser) orE() (expr, error) {
	l, err := p.andE()
	if err != nil {
		return nil, err
	}
	for {
		t, err := p.peekE()
		if err != nil {
			return nil, err
		}
		if !isWord(t, "or") && !isOp(t, "||") {
			return l, nil
		}
		p.pos = t.end
		r, err := p.andE()
		if err != nil {
			return nil, err
		}
		l = &eBinary{op: "or", l: l, r: r, pos: t.pos}
	}
}

func (p *parser) andE() (expr, error) {
	l, err := p.notE()
	if err != nil {
		return nil, err
	}
	for {
		t, err := p.peekE()
		if err != nil {
			return nil, err
		}
		if !isWord(t, "and") && !isOp(t, "&&") {
			return l, nil
		}
		p.pos = t.end
		r, err := p.notE()
		if err != nil {
			return nil, err
		}
		l = &eBinary{op: "and", l: l, r: r, pos: t.pos}
	}
}

func (p *parser) notE() (expr, error) {
	t, err := p.peekE()
	if err != nil {
		return nil, err
	}
	if isWord(t, "not") || isOp(t, "!") {
		p.pos = t.end
		if err := p.enter(t.pos); err != nil {
			return nil, err
		}
		defer func() { p.depth-- }()
		x, err := p.notE()
		if err != nil {
			return nil, err
		}
		return &eUnary{op: "not", x: x, pos: t.pos}, nil
	}
	return p.cmpE()
}

// cmpOps maps comparison spellings to the compiler's.
var cmpOps = map[string]string{"=": "=", "==": "=", "=~": "=", "!=": "!=", "<>": "!=", "!~": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}

func (p *parser) cmpE() (expr, error) {
	l, err := p.addE()
	if err != nil {
		return nil, err
	}
	t, err := p.peekE()
	if err != nil {
		return nil, err
	}
	neg := false
	opTok := t
	if isOp(t, "!") || isWord(t, "not") {
		// !contains, !in, not in, not like
		save := p.pos
		p.pos = t.end
		n, err := p.peekE()
		if err != nil {
			return nil, err
		}
		if !isWord(n, "in", "contains", "startswith", "endswith", "has", "like") {
			p.pos = save
			return l, nil
		}
		neg, t = true, n
	}
	var x expr
	switch {
	case t.kind == tOp && cmpOps[t.text] != "":
		p.pos = t.end
		r, err := p.addE()
		if err != nil {
			return nil, err
		}
		x = &eBinary{op: cmpOps[t.text], l: l, r: r, pos: t.pos}
	case isWord(t, "contains", "has", "startswith", "endswith", "like"):
		p.pos = t.end
		r, err := p.addE()
		if err != nil {
			return nil, err
		}
		op := strings.ToLower(t.text)
		if op == "has" {
			op = "contains"
		}
		x = &eBinary{op: op, l: l, r: r, pos: t.pos}
	case isWord(t, "in"):
		p.pos = t.end
		list, err := p.args(t)
		if err != nil {
			return nil, err
		}
		if len(list) == 0 {
			return nil, errorf(p.q, t.pos, "expected at least one value in the list after in")
		}
		return &eIn{x: l, list: list, not: neg, pos: opTok.pos}, nil
	default:
		return l, nil
	}
	if neg {
		x = &eUnary{op: "not", x: x, pos: opTok.pos}
	}
	return x, nil
}

func (p *parser) addE() (expr, error) {
	l, err := p.mulE()
	if err != nil {
		return nil, err
	}
	for {
		t, err := p.peekE()
		if err != nil {
			return nil, err
		}
		if !isOp(t, "+", "-") {
			return l, nil
		}
		p.pos = t.end
		r, err := p.mulE()
		if err != nil {
			return nil, err
		}
		l = &eBinary{op: t.text, l: l, r: r, pos: t.pos}
	}
}

func (p *parser) mulE() (expr, error) {
	l, err := p.unaryE()
	if err != nil {
		return nil, err
	}
	for {
		t, err := p.peekE()
		if err != nil {
			return nil, err
		}
		if !isOp(t, "*", "/", "%") {
			return l, nil
		}
		p.pos = t.end
		r, err := p.unaryE()
		if err != nil {
			return nil, err
		}
		l = &eBinary{op: t.text, l: l, r: r, pos: t.pos}
	}
}

func (p *parser) unaryE() (expr, error) {
	t, err := p.peekE()
	if err != nil {
		return nil, err
	}
	if isOp(t, "-") {
		p.pos = t.end
		if err := p.enter(t.pos); err != nil {
			return nil, err
		}
		defer func() { p.depth-- }()
		x, err := p.unaryE()
		if err != nil {
			return nil, err
		}
		return &eUnary{op: "-", x: x, pos: t.pos}, nil
	}
	return p.primaryE()
}

func (p *parser) primaryE() (expr, error) {
	t, err := p.nextE()
	if err != nil {
		return nil, err
	}
	switch t.kind {
	case tNumber:
		return p.number(t)
	case tDuration:
		d, err := parseDuration(t.text)
		if err != nil {
			return nil, errorf(p.q, t.pos, "%v", err)
		}
		return &eDur{d: d, pos: t.pos}, nil
	case tPhrase:
		return &eLit{v: t.text, pos: t.pos}, nil
	case tLParen:
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		c, err := p.nextE()
		if err != nil {
			return nil, err
		}
		if c.kind != tRParen {
			return nil, p.errAt(c, "expected ')' to close the '(' at column "+strconv.Itoa(runeCol(p.q, t.pos)))
		}
		return x, nil
	case tIdent:
		switch strings.ToLower(t.text) {
		case "true":
			return &eLit{v: true, pos: t.pos}, nil
		case "false":
			return &eLit{v: false, pos: t.pos}, nil
		case "null":
			return &eLit{v: nil, pos: t.pos}, nil
		}
		n, err := p.peekE()
		if err != nil {
			return nil, err
		}
		if n.kind == tLParen && n.pos == t.end {
			p.pos = n.end
			args, err := p.argsAfterParen(n)
			if err != nil {
				return nil, err
			}
			return &eCall{name: strings.ToLower(t.text), args: args, pos: t.pos}, nil
		}
		return &eRef{name: t.text, pos: t.pos}, nil
	}
	return nil, p.errAt(t, "expected a value, a field name, a function call or '('")
}

func (p *parser) number(t token) (expr, error) {
	if !strings.ContainsAny(t.text, ".eE") {
		n, err := strconv.ParseInt(t.text, 10, 64)
		if err != nil {
			return nil, errorf(p.q, t.pos, "number %s is too large", t.text)
		}
		return &eLit{v: n, pos: t.pos}, nil
	}
	f, err := strconv.ParseFloat(t.text, 64)
	if err != nil {
		return nil, errorf(p.q, t.pos, "bad number %s", t.text)
	}
	return &eLit{v: f, pos: t.pos}, nil
}

// args reads "(a, b, ...)" after the token at.
func (p *parser) args(at token) ([]expr, error) {
	t, err := p.nextE()
	if err != nil {
		return nil, err
	}
	if t.kind != tLParen {
		return nil, p.errAt(t, "expected '(' after "+quote(at.text))
	}
	return p.argsAfterParen(t)
}

// argsAfterParen reads "a, b, ...)"; '*' stands alone as in count(*).
func (p *parser) argsAfterParen(open token) ([]expr, error) {
	var out []expr
	for {
		t, err := p.peekE()
		if err != nil {
			return nil, err
		}
		if t.kind == tRParen && len(out) == 0 {
			p.pos = t.end
			return out, nil
		}
		if isOp(t, "*") {
			p.pos = t.end
			out = append(out, &eStar{pos: t.pos})
		} else {
			x, err := p.expr()
			if err != nil {
				return nil, err
			}
			out = append(out, x)
		}
		t, err = p.nextE()
		if err != nil {
			return nil, err
		}
		switch t.kind {
		case tRParen:
			return out, nil
		case tComma:
			continue
		}
		return nil, p.errAt(t, "expected ',' or ')' to close the '(' at column "+strconv.Itoa(runeCol(p.q, open.pos)))
	}
}
