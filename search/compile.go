package search

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Options bound a search. Zero values mean unbounded.
type Options struct {
	From, To time.Time // time >= From, time < To
	Limit    int       // at most this many rows
	Now      time.Time // reference for relative times (now-1h, ago(1d)); zero: time.Now()
}

// Statement is one parameterized DuckDB query: every value from the query
// is in Args, bound to a '?' in SQL, in order.
type Statement struct {
	SQL  string
	Args []any
}

// Compile translates a query into one parameterized DuckDB statement over
// the events view: a CTE for the filter and the time range, then one per
// stage. Mistakes in the query are returned as *Error.
func Compile(q string, opts Options) (*Statement, error) {
	ast, err := parse(q)
	if err != nil {
		return nil, err
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	c := &compiler{q: q, now: now.UTC()}
	return c.compile(ast, opts)
}

// compiler accumulates the statement's parameters as SQL is written, so
// fragments must be produced in the order they appear in the text.
type compiler struct {
	q    string
	now  time.Time
	args []any
}

// param binds v and returns its placeholder.
func (c *compiler) param(v any) string {
	c.args = append(c.args, v)
	return "?"
}

func (c *compiler) errf(pos int, format string, args ...any) error {
	return errorf(c.q, pos, format, args...)
}

// orderKey is a column the result is sorted by.
type orderKey struct {
	name string
	desc bool
}

// pipeline is the statement being built.
type pipeline struct {
	ctes  []string
	cur   string // the CTE the next stage reads
	sc    *schema
	order []orderKey
}

func (pl *pipeline) add(body string) {
	name := fmt.Sprintf("s%d", len(pl.ctes))
	pl.ctes = append(pl.ctes, name+" AS (\n  "+body+"\n)")
	pl.cur = name
}

func (c *compiler) compile(ast *query, opts Options) (*Statement, error) {
	pl := &pipeline{sc: eventsSchema(), order: []orderKey{{name: "time", desc: true}}}
	var conds []string
	if !opts.From.IsZero() {
		conds = append(conds, "time >= "+c.param(opts.From.UTC()))
	}
	if !opts.To.IsZero() {
		conds = append(conds, "time < "+c.param(opts.To.UTC()))
	}
	if ast.filter != nil {
		cond, err := c.filter(ast.filter, pl.sc)
		if err != nil {
			return nil, err
		}
		conds = append(conds, cond)
	}
	body := "SELECT * FROM events"
	if len(conds) > 0 {
		body += " WHERE " + strings.Join(conds, " AND ")
	}
	pl.add(body)
	for _, st := range ast.stages {
		if err := c.stage(pl, st, opts); err != nil {
			return nil, err
		}
	}
	sql := "WITH " + strings.Join(pl.ctes, ",\n") + "\nSELECT * FROM " + pl.cur + orderBy(pl.order)
	if opts.Limit > 0 {
		sql += " LIMIT " + c.param(int64(opts.Limit))
	}
	return &Statement{SQL: sql, Args: c.args}, nil
}

// orderBy renders an ORDER BY clause (with a leading space), or "".
func orderBy(keys []orderKey) string {
	if len(keys) == 0 {
		return ""
	}
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = qi(k.name)
		if k.desc {
			parts[i] += " DESC NULLS LAST"
		} else {
			parts[i] += " ASC NULLS LAST"
		}
	}
	return " ORDER BY " + strings.Join(parts, ", ")
}

// safeName is what qi may quote: user-chosen column names and JSON paths.
var safeName = regexp.MustCompile(`^[A-Za-z0-9_@$.-]+$`)

// qi renders a column name: registry columns bare, others double-quoted.
// Names reach here validated; anything else is a bug.
func qi(name string) string {
	if f := lookupField(name); f != nil && f.Name == name {
		return name
	}
	if !safeName.MatchString(name) {
		panic(fmt.Sprintf("search: unsafe column name %q", name))
	}
	return `"` + name + `"`
}

// filter compiles a Lucene-style filter to a boolean SQL expression.
func (c *compiler) filter(n node, sc *schema) (string, error) {
	switch n := n.(type) {
	case *boolNode:
		parts := make([]string, len(n.items))
		for i, it := range n.items {
			s, err := c.filter(it, sc)
			if err != nil {
				return "", err
			}
			parts[i] = s
		}
		op := " AND "
		if n.or {
			op = " OR "
		}
		return "(" + strings.Join(parts, op) + ")", nil
	case *notNode:
		s, err := c.filter(n.x, sc)
		if err != nil {
			return "", err
		}
		// An event without the field matches NOT field:value.
		return "NOT coalesce(" + s + ", false)", nil
	case *matchAll:
		return "true", nil
	case *clause:
		return c.clause(n, sc)
	}
	return "", fmt.Errorf("search: unknown filter node %T", n)
}

// clause compiles one field:value test.
func (c *compiler) clause(cl *clause, sc *schema) (string, error) {
	if cl.field == "" {
		return c.bare(cl, sc)
	}
	ref, err := c.resolve(cl.field, cl.fieldPos, sc)
	if err != nil {
		return "", err
	}
	if ref.path != nil {
		return c.jsonClause(ref, cl.val)
	}
	switch ref.typ {
	case TypeTime:
		return c.timeClause(ref, cl.val)
	case TypeBool:
		return c.boolClause(ref, cl.val)
	case TypeInt:
		return c.intClause(ref, cl.val)
	case TypeString, TypeIP, TypeJSON:
		return c.stringClause(ref, cl.val)
	}
	return "", c.errf(cl.fieldPos, "field %s (%s) cannot be searched with field:value; use | where", cl.field, ref.typ)
}

// bare searches the whole raw record as text.
func (c *compiler) bare(cl *clause, sc *schema) (string, error) {
	raw, ok := sc.col("raw")
	if !ok {
		return "", c.errf(cl.pos, "bare words search the raw record, which this stage no longer has")
	}
	switch v := cl.val.(type) {
	case *termVal:
		return raw.name + ` ILIKE ` + c.param("%"+likePattern(v.parts)+"%") + ` ESCAPE '\'`, nil
	case *phraseVal:
		return raw.name + ` ILIKE ` + c.param("%"+likeEscape(v.text)+"%") + ` ESCAPE '\'`, nil
	case *regexVal:
		return c.regex(raw.name, v)
	}
	return "", c.errf(cl.val.vpos(), "expected a field name before this value")
}

// likeEscape escapes LIKE's wildcards and its escape character.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// likePattern turns a term's wildcards into LIKE's.
func likePattern(parts []part) string {
	var b strings.Builder
	for _, p := range parts {
		switch p.wild {
		case '*':
			b.WriteByte('%')
		case '?':
			b.WriteByte('_')
		default:
			b.WriteString(likeEscape(p.lit))
		}
	}
	return b.String()
}

func (c *compiler) regex(target string, v *regexVal) (string, error) {
	if _, err := regexp.Compile(v.re); err != nil {
		return "", c.errf(v.pos, "bad regular expression: %v", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
	}
	return "regexp_matches(" + target + ", " + c.param(v.re) + ")", nil
}

func (c *compiler) stringClause(ref ref, val value) (string, error) {
	col := ref.sql
	if ref.typ == TypeJSON {
		col = "CAST(" + col + " AS VARCHAR)"
	}
	eq := func(s string) string {
		if ref.f != nil && ref.f.canon != nil {
			s = ref.f.canon(s)
		}
		return "lower(" + col + ") = lower(" + c.param(s) + ")"
	}
	switch v := val.(type) {
	case *termVal:
		if ref.typ == TypeIP {
			if r, ok := parseIPRange(v.text); ok && !v.wild() && (strings.Contains(v.text, "/") || !r.v4) {
				return c.ipIn(col, r, r), nil
			}
		}
		if v.wild() {
			return col + ` ILIKE ` + c.param(likePattern(v.parts)) + ` ESCAPE '\'`, nil
		}
		return eq(v.text), nil
	case *phraseVal:
		return eq(v.text), nil
	case *regexVal:
		return c.regex(col, v)
	case *existsVal:
		return "(" + col + " IS NOT NULL AND " + col + " <> '')", nil
	case *rangeVal:
		if ref.typ == TypeIP {
			if s, ok := c.ipRangeClause(col, v); ok {
				return s, nil
			}
		}
		return c.bounds(col, v, func(b *bound) (any, error) { return b.text, nil })
	}
	return "", fmt.Errorf("search: unknown value %T", val)
}

// bounds renders a range with each bound converted by conv.
func (c *compiler) bounds(col string, r *rangeVal, conv func(*bound) (any, error)) (string, error) {
	var parts []string
	if r.lo != nil {
		v, err := conv(r.lo)
		if err != nil {
			return "", c.errf(r.lo.pos, "%v", err)
		}
		op := " > "
		if r.loIncl {
			op = " >= "
		}
		parts = append(parts, col+op+c.param(v))
	}
	if r.hi != nil {
		v, err := conv(r.hi)
		if err != nil {
			return "", c.errf(r.hi.pos, "%v", err)
		}
		op := " < "
		if r.hiIncl {
			op = " <= "
		}
		parts = append(parts, col+op+c.param(v))
	}
	return "(" + strings.Join(parts, " AND ") + ")", nil
}
