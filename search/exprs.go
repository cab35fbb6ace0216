package search

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// typed is compiled SQL and the type of its value.
type typed struct {
	sql string
	typ string
}

// sub is a compiler for a fragment whose parameters are merged later.
func (c *compiler) sub() *compiler { return &compiler{q: c.q, now: c.now} }

// merge appends a sub-compiler's parameters.
func (c *compiler) merge(subs ...*compiler) {
	for _, s := range subs {
		c.args = append(c.args, s.args...)
	}
}

func stringish(typ string) bool {
	return typ == TypeString || typ == TypeIP || typ == typePath || typ == typeUnknown || typ == TypeJSON
}

func strLit(e expr) (string, bool) {
	l, ok := e.(*eLit)
	if !ok {
		return "", false
	}
	s, ok := l.v.(string)
	return s, ok
}

// expr compiles an expression of a where, eval, stats or sort stage.
func (c *compiler) expr(e expr, sc *schema) (typed, error) {
	switch e := e.(type) {
	case *eLit:
		switch v := e.v.(type) {
		case nil:
			return typed{"NULL", typeUnknown}, nil
		case string:
			return typed{c.param(v), TypeString}, nil
		case bool:
			return typed{c.param(v), TypeBool}, nil
		default:
			return typed{c.param(v), typeNumber}, nil
		}
	case *eDur:
		return typed{"to_microseconds(" + c.param(e.d.Microseconds()) + ")", typeInterval}, nil
	case *eRef:
		r, err := c.resolve(e.name, e.pos, sc)
		if err != nil {
			return typed{}, err
		}
		if r.path != nil {
			return typed{"json_extract_string(raw, " + c.param(pathString(r.path)) + ")", TypeString}, nil
		}
		return typed{r.sql, r.typ}, nil
	case *eUnary:
		x, err := c.expr(e.x, sc)
		if err != nil {
			return typed{}, err
		}
		if e.op == "not" {
			return typed{"(NOT " + x.sql + ")", TypeBool}, nil
		}
		return typed{"(-" + x.sql + ")", x.typ}, nil
	case *eBinary:
		return c.binary(e, sc)
	case *eIn:
		return c.in(e, sc)
	case *eCall:
		return c.call(e, sc)
	case *eStar:
		return typed{}, c.errf(e.pos, "'*' is only allowed in count(*)")
	}
	return typed{}, fmt.Errorf("search: unknown expression %T", e)
}

// pathString is a JSON path for DuckDB built from validated segments.
func pathString(segs []string) string {
	return `$."` + strings.Join(segs, `"."`) + `"`
}

func (c *compiler) binary(e *eBinary, sc *schema) (typed, error) {
	lc, rc := c.sub(), c.sub()
	l, err := lc.expr(e.l, sc)
	if err != nil {
		return typed{}, err
	}
	r, err := rc.expr(e.r, sc)
	if err != nil {
		return typed{}, err
	}
	// A string compared with a time is a time: where time > "2024-05-01".
	if s, ok := strLit(e.r); ok && l.typ == TypeTime {
		if r, err = c.timeLit(rc, s, e.r.epos()); err != nil {
			return typed{}, err
		}
	}
	if s, ok := strLit(e.l); ok && r.typ == TypeTime {
		if l, err = c.timeLit(lc, s, e.l.epos()); err != nil {
			return typed{}, err
		}
	}
	c.merge(lc, rc)
	lower := func(t typed) string { return "lower(CAST(" + t.sql + " AS VARCHAR))" }
	switch e.op {
	case "and", "or":
		return typed{"(" + l.sql + " " + strings.ToUpper(e.op) + " " + r.sql + ")", TypeBool}, nil
	case "=", "!=":
		op := map[string]string{"=": " = ", "!=": " <> "}[e.op]
		_, ls := strLit(e.l)
		_, rs := strLit(e.r)
		if ls && stringish(r.typ) || rs && stringish(l.typ) {
			// Equality with text ignores case, as in the filter.
			return typed{"(" + lower(l) + op + lower(r) + ")", TypeBool}, nil
		}
		return typed{"(" + l.sql + op + r.sql + ")", TypeBool}, nil
	case "<", "<=", ">", ">=":
		return typed{"(" + l.sql + " " + e.op + " " + r.sql + ")", TypeBool}, nil
	case "contains":
		return typed{"contains(" + lower(l) + ", " + lower(r) + ")", TypeBool}, nil
	case "startswith":
		return typed{"starts_with(" + lower(l) + ", " + lower(r) + ")", TypeBool}, nil
	case "endswith":
		return typed{"ends_with(" + lower(l) + ", " + lower(r) + ")", TypeBool}, nil
	case "like":
		return typed{"(CAST(" + l.sql + " AS VARCHAR) ILIKE CAST(" + r.sql + " AS VARCHAR))", TypeBool}, nil
	case "+", "-", "*", "/", "%":
		typ := typeNumber
		switch {
		case l.typ == TypeTime && r.typ == typeInterval:
			typ = TypeTime
		case l.typ == TypeTime && r.typ == TypeTime && e.op == "-":
			typ = typeInterval
		case l.typ == typeInterval && r.typ == typeInterval:
			typ = typeInterval
		}
		return typed{"(" + l.sql + " " + e.op + " " + r.sql + ")", typ}, nil
	}
	return typed{}, c.errf(e.pos, "unknown operator %q", e.op)
}

// timeLit recompiles a string literal as a time parameter in sub.
func (c *compiler) timeLit(sub *compiler, s string, pos int) (typed, error) {
	t, err := ParseTime(s, c.now)
	if err != nil {
		return typed{}, c.errf(pos, "%v", err)
	}
	sub.args = sub.args[:0]
	return typed{sub.param(t), TypeTime}, nil
}

func (c *compiler) in(e *eIn, sc *schema) (typed, error) {
	x, err := c.expr(e.x, sc)
	if err != nil {
		return typed{}, err
	}
	allStr := stringish(x.typ)
	for _, it := range e.list {
		if _, ok := strLit(it); !ok {
			allStr = false
		}
	}
	items := make([]string, len(e.list))
	for i, it := range e.list {
		t, err := c.expr(it, sc)
		if err != nil {
			return typed{}, err
		}
		items[i] = t.sql
		if allStr {
			items[i] = "lower(" + t.sql + ")"
		}
	}
	lhs := x.sql
	if allStr {
		lhs = "lower(CAST(" + x.sql + " AS VARCHAR))"
	}
	s := lhs + " IN (" + strings.Join(items, ", ") + ")"
	if e.not {
		s = "NOT coalesce(" + s + ", false)"
	}
	return typed{"(" + s + ")", TypeBool}, nil
}

// scalar functions: name -> arity and SQL (args already compiled).
type scalarFn struct {
	min, max int // max -1: any
	typ      string
	sql      func(a []string) string
}

func fn1(name, typ string) scalarFn {
	return scalarFn{1, 1, typ, func(a []string) string { return name + "(" + a[0] + ")" }}
}

func varchar(s string) string { return "CAST(" + s + " AS VARCHAR)" }

var scalars = map[string]scalarFn{
	"lower":      {1, 1, TypeString, func(a []string) string { return "lower(" + varchar(a[0]) + ")" }},
	"tolower":    {1, 1, TypeString, func(a []string) string { return "lower(" + varchar(a[0]) + ")" }},
	"upper":      {1, 1, TypeString, func(a []string) string { return "upper(" + varchar(a[0]) + ")" }},
	"toupper":    {1, 1, TypeString, func(a []string) string { return "upper(" + varchar(a[0]) + ")" }},
	"len":        {1, 1, typeNumber, func(a []string) string { return "length(" + varchar(a[0]) + ")" }},
	"strlen":     {1, 1, typeNumber, func(a []string) string { return "length(" + varchar(a[0]) + ")" }},
	"length":     {1, 1, typeNumber, func(a []string) string { return "length(" + varchar(a[0]) + ")" }},
	"abs":        fn1("abs", typeNumber),
	"floor":      fn1("floor", typeNumber),
	"ceil":       fn1("ceil", typeNumber),
	"ceiling":    fn1("ceil", typeNumber),
	"sqrt":       fn1("sqrt", typeNumber),
	"log":        fn1("ln", typeNumber),
	"round":      {1, 2, typeNumber, func(a []string) string { return "round(" + strings.Join(a, ", ") + ")" }},
	"coalesce":   {1, -1, typeUnknown, func(a []string) string { return "coalesce(" + strings.Join(a, ", ") + ")" }},
	"isnull":     {1, 1, TypeBool, func(a []string) string { return "(" + a[0] + " IS NULL)" }},
	"isnotnull":  {1, 1, TypeBool, func(a []string) string { return "(" + a[0] + " IS NOT NULL)" }},
	"isempty":    {1, 1, TypeBool, func(a []string) string { return "coalesce(" + varchar(a[0]) + " = '', true)" }},
	"isnotempty": {1, 1, TypeBool, func(a []string) string { return "coalesce(" + varchar(a[0]) + " <> '', false)" }},
	"if":         {3, 3, typeUnknown, func(a []string) string { return "CASE WHEN " + a[0] + " THEN " + a[1] + " ELSE " + a[2] + " END" }},
	"iff":        {3, 3, typeUnknown, func(a []string) string { return "CASE WHEN " + a[0] + " THEN " + a[1] + " ELSE " + a[2] + " END" }},
	"tostring":   {1, 1, TypeString, func(a []string) string { return varchar(a[0]) }},
	"toint":      {1, 1, typeNumber, func(a []string) string { return "TRY_CAST(" + a[0] + " AS BIGINT)" }},
	"tolong":     {1, 1, typeNumber, func(a []string) string { return "TRY_CAST(" + a[0] + " AS BIGINT)" }},
	"todouble":   {1, 1, typeNumber, func(a []string) string { return "TRY_CAST(" + a[0] + " AS DOUBLE)" }},
	"toreal":     {1, 1, typeNumber, func(a []string) string { return "TRY_CAST(" + a[0] + " AS DOUBLE)" }},
	"tonumber":   {1, 1, typeNumber, func(a []string) string { return "TRY_CAST(" + a[0] + " AS DOUBLE)" }},
	"substr":     {2, 3, TypeString, func(a []string) string { return "substr(" + varchar(a[0]) + ", " + strings.Join(a[1:], ", ") + ")" }},
	"strcat":     {1, -1, TypeString, func(a []string) string { return "concat(" + strings.Join(a, ", ") + ")" }},
	"replace":    {3, 3, TypeString, func(a []string) string { return "replace(" + varchar(a[0]) + ", " + a[1] + ", " + a[2] + ")" }},
	"split":      {2, 2, typeList, func(a []string) string { return "string_split(" + varchar(a[0]) + ", " + a[1] + ")" }},
	"contains":   {2, 2, TypeBool, func(a []string) string { return "contains(lower(" + varchar(a[0]) + "), lower(" + varchar(a[1]) + "))" }},
	"startswith": {2, 2, TypeBool, func(a []string) string {
		return "starts_with(lower(" + varchar(a[0]) + "), lower(" + varchar(a[1]) + "))"
	}},
	"endswith": {2, 2, TypeBool, func(a []string) string {
		return "ends_with(lower(" + varchar(a[0]) + "), lower(" + varchar(a[1]) + "))"
	}},
	"match":        {2, 2, TypeBool, func(a []string) string { return "regexp_matches(" + varchar(a[0]) + ", " + a[1] + ")" }},
	"mvcount":      {1, 1, typeNumber, func(a []string) string { return "len(" + a[0] + ")" }},
	"array_length": {1, 1, typeNumber, func(a []string) string { return "len(" + a[0] + ")" }},
	"epoch":        {1, 1, typeNumber, func(a []string) string { return "epoch(" + a[0] + ")" }},
	"hour":         {1, 1, typeNumber, func(a []string) string { return "hour(" + a[0] + ")" }},
	"dayofweek":    {1, 1, typeNumber, func(a []string) string { return "dayofweek(" + a[0] + ")" }},
	"date":         {1, 1, TypeTime, func(a []string) string { return "CAST(CAST(" + a[0] + " AS DATE) AS TIMESTAMP)" }},
}

// call compiles a function call; now, ago, bin, todatetime and cidrmatch
// take literal arguments.
func (c *compiler) call(e *eCall, sc *schema) (typed, error) {
	switch e.name {
	case "now":
		if len(e.args) != 0 {
			return typed{}, c.errf(e.pos, "now() takes no arguments")
		}
		return typed{c.param(c.now), TypeTime}, nil
	case "ago":
		d, ok := durArg(e, 0, 1)
		if !ok {
			return typed{}, c.errf(e.pos, "expected ago(DURATION), e.g. ago(1h)")
		}
		return typed{c.param(c.now.Add(-d)), TypeTime}, nil
	case "todatetime", "datetime":
		s, ok := "", len(e.args) == 1
		if ok {
			s, ok = strLit(e.args[0])
		}
		if !ok {
			return typed{}, c.errf(e.pos, "expected %s(\"2024-05-01T10:00:00Z\")", e.name)
		}
		t, err := ParseTime(s, c.now)
		if err != nil {
			return typed{}, c.errf(e.args[0].epos(), "%v", err)
		}
		return typed{c.param(t), TypeTime}, nil
	case "bin", "floor_time", "bucket":
		d, ok := durArg(e, 1, 2)
		if !ok {
			return typed{}, c.errf(e.pos, "expected bin(FIELD, DURATION), e.g. bin(time, 5m)")
		}
		x, err := c.expr(e.args[0], sc)
		if err != nil {
			return typed{}, err
		}
		if x.typ != TypeTime && x.typ != typeUnknown {
			return typed{}, c.errf(e.args[0].epos(), "bin needs a time, got a %s", x.typ)
		}
		return typed{bucket(c, d, x.sql), TypeTime}, nil
	case "cidrmatch", "ipv4_is_in_range", "ipv6_is_in_range", "ipmatch":
		return c.cidrCall(e, sc)
	}
	if re, ok := "", len(e.args) == 2 && e.name == "match"; ok {
		if re, ok = strLit(e.args[1]); ok {
			if _, err := regexp.Compile(re); err != nil {
				return typed{}, c.errf(e.args[1].epos(), "bad regular expression: %v", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
			}
		}
	}
	f, ok := scalars[e.name]
	if !ok {
		return typed{}, c.errf(e.pos, "unknown function %s()", e.name)
	}
	if len(e.args) < f.min || f.max >= 0 && len(e.args) > f.max {
		return typed{}, c.errf(e.pos, "%s() takes %s", e.name, arity(f.min, f.max))
	}
	args := make([]string, len(e.args))
	for i, a := range e.args {
		t, err := c.expr(a, sc)
		if err != nil {
			return typed{}, err
		}
		args[i] = t.sql
	}
	return typed{f.sql(args), f.typ}, nil
}

func arity(lo, hi int) string {
	switch {
	case hi < 0:
		return fmt.Sprintf("at least %d arguments", lo)
	case lo == hi && lo == 1:
		return "1 argument"
	case lo == hi:
		return fmt.Sprintf("%d arguments", lo)
	}
	return fmt.Sprintf("%d to %d arguments", lo, hi)
}

// durArg reads a duration literal argument at i of a call with n args.
func durArg(e *eCall, i, n int) (time.Duration, bool) {
	if len(e.args) != n {
		return 0, false
	}
	d, ok := e.args[i].(*eDur)
	if !ok || d.d <= 0 {
		return 0, false
	}
	return d.d, true
}

// bucket floors a time to a span.
func bucket(c *compiler, d time.Duration, x string) string {
	return "time_bucket(to_microseconds(" + c.param(d.Microseconds()) + "), " + x + ")"
}

// cidrCall: cidrmatch("10.0.0.0/8", source_ip) (SPL) or
// ipv4_is_in_range(source_ip, "10.0.0.0/8") (KQL).
func (c *compiler) cidrCall(e *eCall, sc *schema) (typed, error) {
	if len(e.args) != 2 {
		return typed{}, c.errf(e.pos, "%s() takes an address field and a CIDR block", e.name)
	}
	cidrAt, fieldAt := 1, 0
	if e.name == "cidrmatch" {
		cidrAt, fieldAt = 0, 1
	}
	s, ok := strLit(e.args[cidrAt])
	if !ok {
		return typed{}, c.errf(e.args[cidrAt].epos(), "expected a CIDR block in quotes, e.g. \"10.0.0.0/8\"")
	}
	r, ok := parseIPRange(s)
	if !ok {
		return typed{}, c.errf(e.args[cidrAt].epos(), "expected a CIDR block such as 10.0.0.0/8 or 2001:db8::/32, got %s", quote(s))
	}
	x, err := c.expr(e.args[fieldAt], sc)
	if err != nil {
		return typed{}, err
	}
	return typed{"coalesce(" + c.ipIn(x.sql, r, r) + ", false)", TypeBool}, nil
}
