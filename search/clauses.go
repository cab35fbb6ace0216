package search

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Typed field:value clauses: time, boolean, integer, IP ranges and paths
// into the raw JSON record.

func (c *compiler) timeClause(ref ref, val value) (string, error) {
	col := ref.sql
	switch v := val.(type) {
	case *termVal:
		if v.wild() {
			return "", c.errf(v.pos, "wildcards do not apply to %s; use a range such as %s:[2024-05-01 TO 2024-05-02]", ref.name, ref.name)
		}
		return c.timeEq(col, v.text, v.pos)
	case *phraseVal:
		return c.timeEq(col, v.text, v.pos)
	case *existsVal:
		return col + " IS NOT NULL", nil
	case *rangeVal:
		var parts []string
		if v.lo != nil {
			t, prec, err := parseTimeValue(v.lo.text, c.now)
			if err != nil {
				return "", c.errf(v.lo.pos, "%v", err)
			}
			switch {
			case v.loIncl:
				parts = append(parts, col+" >= "+c.param(t))
			case prec > 0:
				parts = append(parts, col+" >= "+c.param(t.Add(prec)))
			default:
				parts = append(parts, col+" > "+c.param(t))
			}
		}
		if v.hi != nil {
			t, prec, err := parseTimeValue(v.hi.text, c.now)
			if err != nil {
				return "", c.errf(v.hi.pos, "%v", err)
			}
			switch {
			case !v.hiIncl:
				parts = append(parts, col+" < "+c.param(t))
			case prec > 0:
				parts = append(parts, col+" < "+c.param(t.Add(prec)))
			default:
				parts = append(parts, col+" <= "+c.param(t))
			}
		}
		return "(" + strings.Join(parts, " AND ") + ")", nil
	}
	return "", c.errf(val.vpos(), "expected a time, a range or * for %s", ref.name)
}

// timeEq matches the span a time was written with: a date, its day.
func (c *compiler) timeEq(col, s string, pos int) (string, error) {
	t, prec, err := parseTimeValue(s, c.now)
	if err != nil {
		return "", c.errf(pos, "%v", err)
	}
	if prec == 0 {
		return col + " = " + c.param(t), nil
	}
	return "(" + col + " >= " + c.param(t) + " AND " + col + " < " + c.param(t.Add(prec)) + ")", nil
}

func (c *compiler) boolClause(ref ref, val value) (string, error) {
	var s string
	switch v := val.(type) {
	case *existsVal:
		return ref.sql + " IS NOT NULL", nil
	case *termVal:
		if v.wild() {
			return "", c.errf(v.pos, "expected true or false for %s", ref.name)
		}
		s = v.text
	case *phraseVal:
		s = v.text
	default:
		return "", c.errf(val.vpos(), "expected true or false for %s", ref.name)
	}
	b, err := parseBool(s)
	if err != nil {
		return "", c.errf(val.vpos(), "expected true or false for %s, got %s", ref.name, quote(s))
	}
	return ref.sql + " = " + c.param(b), nil
}

func (c *compiler) intClause(ref ref, val value) (string, error) {
	col := ref.sql
	switch v := val.(type) {
	case *existsVal:
		return col + " IS NOT NULL", nil
	case *termVal:
		if v.wild() {
			return "CAST(" + col + ` AS VARCHAR) LIKE ` + c.param(likePattern(v.parts)) + ` ESCAPE '\'`, nil
		}
		return c.intEq(ref, v.text, v.pos)
	case *phraseVal:
		return c.intEq(ref, v.text, v.pos)
	case *regexVal:
		return c.regex("CAST("+col+" AS VARCHAR)", v)
	case *rangeVal:
		return c.bounds(col, v, func(b *bound) (any, error) {
			n, ok := number(b.text)
			if !ok {
				return nil, fmt.Errorf("expected a number for %s, got %s", ref.name, quote(b.text))
			}
			return n, nil
		})
	}
	return "", fmt.Errorf("search: unknown value %T", val)
}

func (c *compiler) intEq(ref ref, s string, pos int) (string, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return "", c.errf(pos, "expected a whole number for %s, got %s", ref.name, quote(s))
	}
	return ref.sql + " = " + c.param(n), nil
}

// number reads an integer or a decimal number.
func number(s string) (any, bool) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "xXnN") {
		return f, true
	}
	return nil, false
}

// IPv4 addresses and IPv6 addresses (without embedded IPv4 or zones) are
// turned into keys that order like the addresses: IPv4 as a number, IPv6
// as 32 hex digits. Text that is not an address gives NULL.
const (
	ipv4Octet = `(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])`
	ipv4Key   = `list_transform([%s], h -> CASE WHEN regexp_full_match(h, '` + ipv4Octet + `(\.` + ipv4Octet + `){3}') ` +
		`THEN list_reduce(list_transform(string_split(h, '.'), o -> CAST(o AS BIGINT)), (a, b) -> a * 256 + b) END)[1]`
	ipv6Key = `list_transform([lower(%s)], h -> CASE WHEN regexp_full_match(h, '[0-9a-f:]{2,39}') AND NOT contains(h, ':::') THEN ` +
		`list_transform([string_split(h, '::')], p -> CASE ` +
		`WHEN len(p) = 1 THEN list_transform([string_split(h, ':')], gs -> CASE WHEN len(gs) = 8 AND list_bool_and(list_transform(gs, g -> length(g) BETWEEN 1 AND 4)) ` +
		`THEN array_to_string(list_transform(gs, g -> lpad(g, 4, '0')), '') END)[1] ` +
		`WHEN len(p) = 2 THEN list_transform([CASE WHEN p[1] = '' THEN []::VARCHAR[] ELSE string_split(p[1], ':') END || ['*'] || ` +
		`CASE WHEN p[2] = '' THEN []::VARCHAR[] ELSE string_split(p[2], ':') END], gs -> CASE WHEN len(gs) <= 8 AND list_bool_and(list_transform(gs, g -> length(g) BETWEEN 1 AND 4)) ` +
		`THEN array_to_string(list_transform(gs, g -> CASE WHEN g = '*' THEN repeat('0000', 9 - len(gs)) ELSE lpad(g, 4, '0') END), '') END)[1] ` +
		`END)[1] END)[1]`
)

func ipKey(col string, v4 bool) string {
	if v4 {
		return fmt.Sprintf(ipv4Key, col)
	}
	return fmt.Sprintf(ipv6Key, col)
}

// ipIn tests that col holds an address from lo's low key to hi's high key.
func (c *compiler) ipIn(col string, lo, hi ipRange) string {
	return "(" + ipKey(col, lo.v4) + " BETWEEN " + c.param(lo.lo) + " AND " + c.param(hi.hi) + ")"
}

// ipRangeClause handles [addr TO addr] on an IP field; ok is false when
// the bounds are not addresses of one family.
func (c *compiler) ipRangeClause(col string, r *rangeVal) (string, bool) {
	var lo, hi *ipRange
	v4 := -1
	for _, b := range []*bound{r.lo, r.hi} {
		if b == nil {
			continue
		}
		ir, ok := parseIPRange(b.text)
		if !ok || strings.Contains(b.text, "/") {
			return "", false
		}
		fam := 0
		if ir.v4 {
			fam = 1
		}
		if v4 >= 0 && v4 != fam {
			return "", false
		}
		v4 = fam
		if b == r.lo {
			lo = &ir
		} else {
			hi = &ir
		}
	}
	key := ipKey(col, v4 == 1)
	var parts []string
	if lo != nil {
		op := " > "
		if r.loIncl {
			op = " >= "
		}
		parts = append(parts, key+op+c.param(lo.lo))
	}
	if hi != nil {
		op := " < "
		if r.hiIncl {
			op = " <= "
		}
		parts = append(parts, key+op+c.param(hi.hi))
	}
	return "(" + strings.Join(parts, " AND ") + ")", true
}

// jsonStrings is the list of text values at a path in the raw record:
// at each step an array stands for each of its elements, and an array at
// the end for its elements, so a.b matches {"a":[{"b":1},{"b":2}]} for 1
// and 2. Path steps are parameters.
func (c *compiler) jsonStrings(path []string) string {
	step := func(seg string) string { return c.param(`$."` + seg + `"`) }
	e := "[json_extract(raw, " + step(path[0]) + ")]"
	for _, seg := range path[1:] {
		e = "flatten(list_transform(" + e + ", x -> CASE WHEN json_type(x) = 'ARRAY' THEN list_transform(json_extract(x, '$[*]'), y -> json_extract(y, " +
			step(seg) + ")) ELSE [json_extract(x, " + step(seg) + ")] END))"
	}
	e = "flatten(list_transform(" + e + ", x -> CASE WHEN json_type(x) = 'ARRAY' THEN json_extract(x, '$[*]') ELSE [x] END))"
	return "list_transform(" + e + ", x -> json_extract_string(x, '$'))"
}

// jsonClause tests whether any value at a path matches.
func (c *compiler) jsonClause(ref ref, val value) (string, error) {
	list := c.jsonStrings(ref.path)
	anyOf := func(cond string) string { return "len(list_filter(" + list + ", s -> " + cond + ")) > 0" }
	switch v := val.(type) {
	case *termVal:
		if v.wild() {
			return anyOf(`s ILIKE ` + c.param(likePattern(v.parts)) + ` ESCAPE '\'`), nil
		}
		return anyOf("lower(s) = lower(" + c.param(v.text) + ")"), nil
	case *phraseVal:
		return anyOf("lower(s) = lower(" + c.param(v.text) + ")"), nil
	case *regexVal:
		cond, err := c.regex("s", v)
		if err != nil {
			return "", err
		}
		return anyOf(cond), nil
	case *existsVal:
		return anyOf("s <> ''"), nil
	case *rangeVal:
		numeric := true
		for _, b := range []*bound{v.lo, v.hi} {
			if b != nil {
				if _, ok := number(b.text); !ok {
					numeric = false
				}
			}
		}
		if numeric {
			cond, err := c.bounds("TRY_CAST(s AS DOUBLE)", v, func(b *bound) (any, error) {
				n, _ := number(b.text)
				if i, ok := n.(int64); ok {
					return float64(i), nil
				}
				return n, nil
			})
			return anyOf(cond), err
		}
		cond, err := c.bounds("s", v, func(b *bound) (any, error) { return b.text, nil })
		return anyOf(cond), err
	}
	return "", errors.New("search: unknown value")
}
