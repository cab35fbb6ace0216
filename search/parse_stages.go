package search

import (
	"strconv"
	"strings"
	"time"
)

// stageNames lists the stage spellings, for errors.
const stageNames = "where, stats (summarize), timechart, bin, sort (order by), head (limit, take), fields (project, table), eval (extend), rename, dedup, distinct, top, rare, count"

// stage reads one stage after '|'.
func (p *parser) stage() (stage, error) {
	t, err := p.nextE()
	if err != nil {
		return nil, err
	}
	if t.kind != tIdent {
		return nil, p.errAt(t, "expected a stage name ("+stageNames+")")
	}
	name := strings.ToLower(t.text)
	if name == "project" {
		// project-away, project-rename
		n, err := p.peekE()
		if err != nil {
			return nil, err
		}
		if isOp(n, "-") && n.pos == t.end {
			w, err := p.lx.exprToken(n.end)
			if err != nil {
				return nil, err
			}
			if w.pos == n.end && isWord(w, "away", "rename", "keep") {
				p.pos = w.end
				name = "project-" + strings.ToLower(w.text)
			}
		}
	}
	switch name {
	case "where", "filter":
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		return &whereStage{cond: x, pos: t.pos}, nil
	case "stats", "summarize", "comp":
		return p.stats(t, false)
	case "timechart":
		return p.stats(t, true)
	case "bin", "bucket":
		return p.bin(t)
	case "sort", "order":
		return p.sort(t, name)
	case "head", "limit", "take":
		n, err := p.count(10)
		if err != nil {
			return nil, err
		}
		return &limitStage{n: n, pos: t.pos}, nil
	case "fields", "project", "table", "project-keep", "project-away":
		return p.fields(t, name == "project-away")
	case "eval", "extend", "alter":
		as, err := p.assigns(false)
		if err != nil {
			return nil, err
		}
		return &evalStage{assigns: as, pos: t.pos}, nil
	case "rename", "project-rename":
		as, err := p.assigns(name == "rename")
		if err != nil {
			return nil, err
		}
		return &renameStage{pairs: as, pos: t.pos}, nil
	case "dedup":
		n, err := p.count(1)
		if err != nil {
			return nil, err
		}
		keys, err := p.exprList(t)
		if err != nil {
			return nil, err
		}
		return &dedupStage{keys: keys, n: n, pos: t.pos}, nil
	case "distinct":
		keys, err := p.exprList(t)
		if err != nil {
			return nil, err
		}
		return &distinctStage{keys: keys, pos: t.pos}, nil
	case "top", "rare":
		return p.top(t, name == "rare")
	case "count":
		return &countStage{pos: t.pos}, nil
	}
	return nil, p.errAt(t, "expected a stage name ("+stageNames+")")
}

// atStageEnd reports whether the stage's arguments are over.
func atStageEnd(t token) bool { return t.kind == tEOF || t.kind == tPipe }

// count reads an optional count (def when absent), also as limit=N.
func (p *parser) count(def int64) (int64, error) {
	t, err := p.peekE()
	if err != nil {
		return 0, err
	}
	switch {
	case isWord(t, "limit"):
		v, ok, err := p.option("limit")
		if err != nil {
			return 0, err
		}
		if !ok {
			return def, nil
		}
		t = v
	case t.kind == tNumber:
		p.pos = t.end
	default:
		return def, nil
	}
	n, err := strconv.ParseInt(t.text, 10, 64)
	if err != nil || n < 0 {
		return 0, errorf(p.q, t.pos, "expected a whole number of rows, got %q", t.text)
	}
	return n, nil
}

// option reads "name=value" when the next tokens are that; ok is false
// (and nothing is consumed) otherwise.
func (p *parser) option(name string) (token, bool, error) {
	save := p.pos
	t, err := p.nextE()
	if err != nil || !isWord(t, name) {
		p.pos = save
		return token{}, false, err
	}
	eq, err := p.nextE()
	if err != nil || !isOp(eq, "=") {
		p.pos = save
		return token{}, false, err
	}
	v, err := p.nextE()
	if err != nil {
		return token{}, false, err
	}
	return v, true, nil
}

// span reads span=DURATION when present.
func (p *parser) span() (time.Duration, bool, error) {
	v, ok, err := p.option("span")
	if err != nil || !ok {
		return 0, false, err
	}
	if v.kind != tDuration {
		return 0, false, p.errAt(v, "expected a duration after span= (e.g. 5m, 1h, 1d)")
	}
	d, err := parseDuration(v.text)
	if err != nil || d < time.Second {
		return 0, false, errorf(p.q, v.pos, "expected a span of at least 1s, got %q", v.text)
	}
	return d, true, nil
}

// stats reads "aggs [by keys]"; timechart also takes span= and defaults to
// count().
func (p *parser) stats(t token, timechart bool) (stage, error) {
	st := &statsStage{timechart: timechart, pos: t.pos}
	for {
		if timechart {
			d, ok, err := p.span()
			if err != nil {
				return nil, err
			}
			if ok {
				st.span = d
				continue
			}
		}
		n, err := p.peekE()
		if err != nil {
			return nil, err
		}
		if atStageEnd(n) || isWord(n, "by") {
			break
		}
		if n.kind == tComma && len(st.aggs) > 0 {
			p.pos = n.end
			continue
		}
		a, err := p.agg()
		if err != nil {
			return nil, err
		}
		st.aggs = append(st.aggs, a)
	}
	if len(st.aggs) == 0 {
		if !timechart {
			n, _ := p.peekE()
			return nil, p.errAt(n, "expected an aggregation such as count(), dcount(field), min(field)")
		}
		st.aggs = []agg{{fn: "count", pos: t.pos}}
	}
	n, err := p.peekE()
	if err != nil {
		return nil, err
	}
	if isWord(n, "by") {
		p.pos = n.end
		for {
			n, err := p.peekE()
			if err != nil {
				return nil, err
			}
			if atStageEnd(n) {
				break
			}
			if n.kind == tComma && len(st.by) > 0 {
				p.pos = n.end
				continue
			}
			if timechart {
				if d, ok, err := p.span(); err != nil {
					return nil, err
				} else if ok {
					st.span = d
					continue
				}
			}
			name, err := p.assignName()
			if err != nil {
				return nil, err
			}
			x, err := p.expr()
			if err != nil {
				return nil, err
			}
			st.by = append(st.by, byItem{x: x, name: name, pos: n.pos})
		}
		if len(st.by) == 0 {
			return nil, p.errAt(n, "expected fields after by")
		}
	}
	return st, nil
}

// assignName reads "name =" (KQL) when it comes next.
func (p *parser) assignName() (string, error) {
	t, err := p.peekE()
	if err != nil || t.kind != tIdent {
		return "", err
	}
	eq, err := p.lx.exprToken(t.end)
	if err != nil {
		return "", err
	}
	if isOp(eq, "=") {
		p.pos = eq.end
		return t.text, nil
	}
	return "", nil
}

// agg reads [name =] fn[(args)] [as name].
func (p *parser) agg() (agg, error) {
	name, err := p.assignName()
	if err != nil {
		return agg{}, err
	}
	t, err := p.nextE()
	if err != nil {
		return agg{}, err
	}
	if t.kind != tIdent {
		return agg{}, p.errAt(t, "expected an aggregation such as count(), dcount(field), min(field)")
	}
	a := agg{fn: strings.ToLower(t.text), name: name, pos: t.pos}
	n, err := p.peekE()
	if err != nil {
		return agg{}, err
	}
	if n.kind == tLParen {
		p.pos = n.end
		if a.args, err = p.argsAfterParen(n); err != nil {
			return agg{}, err
		}
	}
	n, err = p.peekE()
	if err != nil {
		return agg{}, err
	}
	if isWord(n, "as") {
		p.pos = n.end
		id, err := p.nextE()
		if err != nil {
			return agg{}, err
		}
		if id.kind != tIdent && id.kind != tPhrase {
			return agg{}, p.errAt(id, "expected a column name after as")
		}
		a.name = id.text
	}
	return a, nil
}

// bin reads "[span=D] field [span=D] [as name]".
func (p *parser) bin(t token) (stage, error) {
	st := &binStage{pos: t.pos}
	for {
		n, err := p.peekE()
		if err != nil {
			return nil, err
		}
		if atStageEnd(n) {
			break
		}
		if d, ok, err := p.span(); err != nil {
			return nil, err
		} else if ok {
			st.span = d
			continue
		}
		if isWord(n, "as") && st.field != nil {
			p.pos = n.end
			id, err := p.nextE()
			if err != nil {
				return nil, err
			}
			if id.kind != tIdent {
				return nil, p.errAt(id, "expected a column name after as")
			}
			st.name = id.text
			continue
		}
		if st.field != nil {
			return nil, p.errAt(n, "expected span=, as, '|' or the end of the query")
		}
		p.pos = n.end
		if n.kind != tIdent {
			return nil, p.errAt(n, "expected the field to bin")
		}
		st.field = &eRef{name: n.text, pos: n.pos}
	}
	if st.field == nil {
		st.field = &eRef{name: "time", pos: t.pos}
	}
	if st.span == 0 {
		return nil, errorf(p.q, t.pos, "expected span= in bin (e.g. bin time span=5m)")
	}
	return st, nil
}

// sort reads SPL "sort [N] -a, +b, c desc" or KQL "sort by a desc" /
// "order by a asc"; KQL's order is descending unless asc is given.
func (p *parser) sort(t token, name string) (stage, error) {
	st := &sortStage{pos: t.pos}
	kql := false
	n, err := p.peekE()
	if err != nil {
		return nil, err
	}
	if isWord(n, "by") {
		p.pos, kql = n.end, true
	} else if name == "order" {
		return nil, p.errAt(n, "expected by after order")
	}
	if !kql {
		if n.kind == tNumber {
			if st.limit, err = p.count(0); err != nil {
				return nil, err
			}
		}
	}
	keys, err := p.sortKeys(kql)
	if err != nil {
		return nil, err
	}
	st.keys = keys
	return st, nil
}

func (p *parser) sortKeys(descDefault bool) ([]sortKey, error) {
	var keys []sortKey
	for {
		n, err := p.peekE()
		if err != nil {
			return nil, err
		}
		if atStageEnd(n) {
			break
		}
		if n.kind == tComma && len(keys) > 0 {
			p.pos = n.end
			continue
		}
		k := sortKey{desc: descDefault, pos: n.pos}
		if isOp(n, "-", "+") {
			p.pos = n.end
			k.desc = n.text == "-"
		}
		if k.x, err = p.addE(); err != nil {
			return nil, err
		}
		if d, err := p.peekE(); err != nil {
			return nil, err
		} else if isWord(d, "asc", "desc") {
			p.pos = d.end
			k.desc = strings.EqualFold(d.text, "desc")
			if d2, _ := p.peekE(); isWord(d2, "nulls") {
				return nil, p.errAt(d2, "nulls first/last is not supported; expected ',' or '|'")
			}
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		n, _ := p.peekE()
		return nil, p.errAt(n, "expected a field to sort by")
	}
	return keys, nil
}

// fields reads "[+|-] a, b" or KQL "a, name = expr".
func (p *parser) fields(t token, remove bool) (stage, error) {
	st := &fieldsStage{remove: remove, pos: t.pos}
	n, err := p.peekE()
	if err != nil {
		return nil, err
	}
	if isOp(n, "-", "+") {
		p.pos = n.end
		st.remove = n.text == "-"
	}
	for {
		n, err := p.peekE()
		if err != nil {
			return nil, err
		}
		if atStageEnd(n) {
			break
		}
		if n.kind == tComma && len(st.items) > 0 {
			p.pos = n.end
			continue
		}
		name, err := p.assignName()
		if err != nil {
			return nil, err
		}
		if name != "" && !st.remove {
			x, err := p.expr()
			if err != nil {
				return nil, err
			}
			st.items = append(st.items, projItem{name: name, x: x, pos: n.pos})
			continue
		}
		p.pos = n.end
		if n.kind != tIdent {
			return nil, p.errAt(n, "expected a field name")
		}
		st.items = append(st.items, projItem{name: n.text, pos: n.pos})
	}
	if len(st.items) == 0 {
		n, _ := p.peekE()
		return nil, p.errAt(n, "expected field names")
	}
	return st, nil
}

// assigns reads "a = expr, b = expr"; with as (SPL rename) "old as new".
func (p *parser) assigns(as bool) ([]assign, error) {
	var out []assign
	for {
		n, err := p.peekE()
		if err != nil {
			return nil, err
		}
		if atStageEnd(n) {
			break
		}
		if n.kind == tComma && len(out) > 0 {
			p.pos = n.end
			continue
		}
		if as {
			p.pos = n.end
			if n.kind != tIdent {
				return nil, p.errAt(n, "expected a field name")
			}
			kw, err := p.nextE()
			if err != nil {
				return nil, err
			}
			if !isWord(kw, "as") {
				return nil, p.errAt(kw, "expected as in rename old as new")
			}
			nn, err := p.nextE()
			if err != nil {
				return nil, err
			}
			if nn.kind != tIdent && nn.kind != tPhrase {
				return nil, p.errAt(nn, "expected the new name after as")
			}
			out = append(out, assign{name: nn.text, x: &eRef{name: n.text, pos: n.pos}, pos: nn.pos})
			continue
		}
		name, err := p.assignName()
		if err != nil {
			return nil, err
		}
		if name == "" {
			return nil, p.errAt(n, "expected name = expression")
		}
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		out = append(out, assign{name: name, x: x, pos: n.pos})
	}
	if len(out) == 0 {
		n, _ := p.peekE()
		return nil, p.errAt(n, "expected name = expression")
	}
	return out, nil
}

// exprList reads "a, b c" up to the end of the stage.
func (p *parser) exprList(at token) ([]expr, error) {
	var out []expr
	for {
		n, err := p.peekE()
		if err != nil {
			return nil, err
		}
		if atStageEnd(n) || isWord(n, "by") {
			break
		}
		if n.kind == tComma && len(out) > 0 {
			p.pos = n.end
			continue
		}
		x, err := p.addE()
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	if len(out) == 0 {
		n, _ := p.peekE()
		return nil, p.errAt(n, "expected field names after "+at.text)
	}
	return out, nil
}

// top reads SPL "top [N|limit=N] a, b [by c]" (and rare), or KQL
// "top N by expr [asc|desc]", which is a sort with a limit.
func (p *parser) top(t token, rare bool) (stage, error) {
	n, err := p.count(10)
	if err != nil {
		return nil, err
	}
	nx, err := p.peekE()
	if err != nil {
		return nil, err
	}
	if isWord(nx, "by") && !rare {
		p.pos = nx.end
		keys, err := p.sortKeys(true)
		if err != nil {
			return nil, err
		}
		return &sortStage{keys: keys, limit: n, pos: t.pos}, nil
	}
	st := &topStage{rare: rare, n: n, pos: t.pos}
	if st.keys, err = p.exprList(t); err != nil {
		return nil, err
	}
	if nx, err = p.peekE(); err != nil {
		return nil, err
	}
	if isWord(nx, "by") {
		p.pos = nx.end
		if st.by, err = p.exprList(nx); err != nil {
			return nil, err
		}
	}
	return st, nil
}
