package search

import (
	"fmt"
	"strings"
	"time"
)

// stage compiles one stage into a CTE reading the previous one.
func (c *compiler) stage(pl *pipeline, st stage, opts Options) error {
	switch st := st.(type) {
	case *whereStage:
		x, err := c.expr(st.cond, pl.sc)
		if err != nil {
			return err
		}
		pl.add("SELECT * FROM " + pl.cur + " WHERE " + x.sql)
	case *statsStage:
		return c.stats(pl, st, opts)
	case *binStage:
		return c.bin(pl, st)
	case *sortStage:
		keys, err := c.sortKeys(pl, st.keys)
		if err != nil {
			return err
		}
		body := "SELECT * FROM " + pl.cur + orderBy(keys)
		if st.limit > 0 {
			body += " LIMIT " + c.param(st.limit)
		}
		pl.add(body)
		pl.order = keys
	case *limitStage:
		pl.add("SELECT * FROM " + pl.cur + orderBy(pl.order) + " LIMIT " + c.param(st.n))
	case *fieldsStage:
		return c.fields(pl, st)
	case *evalStage:
		for _, a := range st.assigns {
			if err := checkName(c, a.name, a.pos); err != nil {
				return err
			}
			x, err := c.expr(a.x, pl.sc)
			if err != nil {
				return err
			}
			if old, ok := pl.sc.col(a.name); ok {
				pl.add("SELECT * REPLACE (" + x.sql + " AS " + qi(old.name) + ") FROM " + pl.cur)
				pl.sc = pl.sc.with(column{name: old.name, typ: x.typ})
			} else {
				pl.add("SELECT *, " + x.sql + " AS " + qi(a.name) + " FROM " + pl.cur)
				pl.sc = pl.sc.with(column{name: a.name, typ: x.typ})
			}
		}
	case *renameStage:
		return c.rename(pl, st)
	case *dedupStage:
		keys, err := c.exprs(st.keys, pl.sc)
		if err != nil {
			return err
		}
		ord := orderBy(pl.order)
		pl.add("SELECT * FROM " + pl.cur + " QUALIFY row_number() OVER (PARTITION BY " + strings.Join(keys, ", ") + ord + ") <= " + c.param(st.n))
	case *distinctStage:
		return c.distinct(pl, st)
	case *topStage:
		return c.top(pl, st)
	case *countStage:
		pl.add("SELECT count(*) AS \"count\" FROM " + pl.cur)
		pl.sc = &schema{cols: []column{{name: "count", typ: TypeInt}}}
		pl.order = nil
	default:
		return fmt.Errorf("search: unknown stage %T", st)
	}
	return nil
}

// checkName validates a column name the user chose.
func checkName(c *compiler, name string, pos int) error {
	if !identRe.MatchString(name) {
		return c.errf(pos, "expected a column name of letters, digits and _ (starting with a letter or _), got %s", quote(name))
	}
	return nil
}

func (c *compiler) exprs(xs []expr, sc *schema) ([]string, error) {
	out := make([]string, len(xs))
	for i, x := range xs {
		t, err := c.expr(x, sc)
		if err != nil {
			return nil, err
		}
		out[i] = t.sql
	}
	return out, nil
}

// sortKeys resolves sort keys, which must be columns.
func (c *compiler) sortKeys(pl *pipeline, keys []sortKey) ([]orderKey, error) {
	out := make([]orderKey, len(keys))
	for i, k := range keys {
		r, ok := k.x.(*eRef)
		if !ok {
			return nil, c.errf(k.pos, "expected a column to sort by (compute expressions with eval first)")
		}
		ref, err := c.resolve(r.name, r.pos, pl.sc)
		if err != nil {
			return nil, err
		}
		if ref.path != nil {
			return nil, c.errf(r.pos, "sort by a column; extract %s with eval first", r.name)
		}
		out[i] = orderKey{name: ref.name, desc: k.desc}
	}
	return out, nil
}

// aggregate functions and the type of their result ("" = the argument's).
var aggTypes = map[string]string{
	"count": TypeInt, "countif": TypeInt, "dcount": TypeInt, "min": "", "max": "", "sum": typeNumber,
	"avg": typeNumber, "median": typeNumber, "values": typeList, "list": typeList, "top": typeList,
	"earliest": "", "latest": "", "stdev": typeNumber,
}

// aggAliases maps other spellings to the names above.
var aggAliases = map[string]string{
	"dc": "dcount", "distinct_count": "dcount", "count_distinct": "dcount", "mean": "avg", "make_set": "values",
	"make_list": "list", "first": "earliest", "last": "latest", "stddev": "stdev", "stdevp": "stdev",
}

func (c *compiler) stats(pl *pipeline, st *statsStage, opts Options) error {
	var sel, names []string
	var cols []column
	addCol := func(name, sql, typ string, pos int) error {
		for _, n := range names {
			if strings.EqualFold(n, name) {
				return c.errf(pos, "two columns are named %s; name one with as", quote(name))
			}
		}
		names = append(names, name)
		if sql != qi(name) {
			sql += " AS " + qi(name)
		}
		sel = append(sel, sql)
		cols = append(cols, column{name: name, typ: typ})
		return nil
	}
	if st.timechart {
		tc, ok := pl.sc.col("time")
		if !ok || tc.typ != TypeTime {
			return c.errf(st.pos, "timechart needs the time column, which this stage no longer has")
		}
		span := st.span
		if span == 0 {
			span = autoSpan(opts)
		}
		if err := addCol("time", bucket(c, span, "time"), TypeTime, st.pos); err != nil {
			return err
		}
	}
	for _, b := range st.by {
		x, err := c.expr(b.x, pl.sc)
		if err != nil {
			return err
		}
		name := b.name
		if name == "" {
			name = exprName(b.x, pl.sc, c)
		}
		if name == "" {
			return c.errf(b.pos, "name this group key: by name = expression")
		}
		if err := checkColumnName(c, name, b.pos); err != nil {
			return err
		}
		if err := addCol(name, x.sql, x.typ, b.pos); err != nil {
			return err
		}
	}
	keys := len(sel)
	for _, a := range st.aggs {
		sql, typ, name, err := c.agg(a, pl.sc)
		if err != nil {
			return err
		}
		if a.name != "" {
			if err := checkName(c, a.name, a.pos); err != nil {
				return err
			}
			name = a.name
		}
		if err := addCol(name, sql, typ, a.pos); err != nil {
			return err
		}
	}
	body := "SELECT " + strings.Join(sel, ", ") + " FROM " + pl.cur
	pl.order = nil
	if keys > 0 {
		pos := make([]string, keys)
		for i := range pos {
			pos[i] = fmt.Sprint(i + 1)
			pl.order = append(pl.order, orderKey{name: names[i]})
		}
		body += " GROUP BY " + strings.Join(pos, ", ")
	}
	pl.add(body)
	pl.sc = &schema{cols: cols}
	return nil
}

// checkColumnName accepts a user's name or a JSON path as a column name.
func checkColumnName(c *compiler, name string, pos int) error {
	if identRe.MatchString(name) || safeName.MatchString(name) {
		return nil
	}
	return checkName(c, name, pos)
}

// exprName is the column name an unnamed expression gets: a column's
// own name, a path as written, bin(time, ...) its field's.
func exprName(x expr, sc *schema, c *compiler) string {
	switch x := x.(type) {
	case *eRef:
		if r, err := c.sub().resolve(x.name, x.pos, sc); err == nil {
			return r.name
		}
	case *eCall:
		if (x.name == "bin" || x.name == "bucket" || x.name == "floor_time") && len(x.args) > 0 {
			return exprName(x.args[0], sc, c)
		}
	}
	return ""
}

// autoSpan picks a timechart span giving at most about 200 buckets over
// the time range, or an hour without one.
func autoSpan(opts Options) time.Duration {
	if opts.From.IsZero() || opts.To.IsZero() {
		return time.Hour
	}
	r := opts.To.Sub(opts.From)
	for _, d := range []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour,
		3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour, 7 * 24 * time.Hour} {
		if r/d <= 200 {
			return d
		}
	}
	return 30 * 24 * time.Hour
}

// agg compiles one aggregation and names its column.
func (c *compiler) agg(a agg, sc *schema) (sql, typ, name string, err error) {
	fn := a.fn
	if n, ok := aggAliases[fn]; ok {
		fn = n
	}
	rtype, ok := aggTypes[fn]
	if !ok {
		return "", "", "", c.errf(a.pos, "unknown aggregation %s(); expected count, countif, dcount, min, max, sum, avg, median, stdev, values, list, top, earliest or latest", a.fn)
	}
	args := a.args
	if fn == "count" && (len(args) == 0 || len(args) == 1 && isStar(args[0])) {
		return "count(*)", TypeInt, "count", nil
	}
	var n int64
	if fn == "top" {
		// top(field, N) or top(N, field); N defaults to 10.
		n = 10
		var rest []expr
		for _, x := range args {
			if l, ok := x.(*eLit); ok {
				if v, ok := l.v.(int64); ok && v > 0 {
					n = v
					continue
				}
			}
			rest = append(rest, x)
		}
		args = rest
	}
	if len(args) != 1 {
		return "", "", "", c.errf(a.pos, "%s() takes one field", a.fn)
	}
	if isStar(args[0]) {
		return "", "", "", c.errf(a.pos, "%s(*) is not an aggregation; give a field", a.fn)
	}
	x, err := c.expr(args[0], sc)
	if err != nil {
		return "", "", "", err
	}
	if rtype == "" {
		rtype = x.typ
	}
	name = fn
	if base := exprName(args[0], sc, c); base != "" && fn != "countif" {
		name = fn + "_" + strings.NewReplacer(".", "_", "-", "_", "@", "", "$", "").Replace(base)
	}
	if !identRe.MatchString(name) {
		name = fn
	}
	switch fn {
	case "count":
		sql = "count(" + x.sql + ")"
	case "countif":
		sql = "count(*) FILTER (WHERE " + x.sql + ")"
	case "dcount":
		sql = "count(DISTINCT " + x.sql + ")"
	case "values":
		sql = "list_sort(list_filter(list(DISTINCT " + x.sql + "), v -> v IS NOT NULL))"
	case "list":
		sql = "list_filter(list(" + x.sql + "), v -> v IS NOT NULL)"
	case "top":
		sql = "list_transform(list_slice(list_reverse_sort(list_transform(map_entries(histogram(" + x.sql +
			")), e -> {'n': e.value, 'v': e.key})), 1, " + c.param(n) + "), e -> e.v)"
	case "earliest", "latest":
		if _, ok := sc.col("time"); !ok {
			return "", "", "", c.errf(a.pos, "%s() needs the time column, which this stage no longer has", a.fn)
		}
		sql = map[string]string{"earliest": "arg_min", "latest": "arg_max"}[fn] + "(" + x.sql + ", time)"
	case "stdev":
		sql = "stddev_samp(" + x.sql + ")"
	default:
		sql = fn + "(" + x.sql + ")"
	}
	return sql, rtype, name, nil
}

func isStar(x expr) bool { _, ok := x.(*eStar); return ok }
