package search

import (
	"fmt"
	"slices"
	"strings"
)

// Stages that reshape rows: bin, fields, rename, distinct, top and rare.

func (c *compiler) bin(pl *pipeline, st *binStage) error {
	r, ok := st.field.(*eRef)
	if !ok {
		return c.errf(st.pos, "expected the time field to bin")
	}
	ref, err := c.resolve(r.name, r.pos, pl.sc)
	if err != nil {
		return err
	}
	if ref.path != nil || ref.typ != TypeTime {
		return c.errf(r.pos, "bin needs a time column, and %s is not one", r.name)
	}
	b := bucket(c, st.span, ref.sql)
	if st.name == "" || strings.EqualFold(st.name, ref.name) {
		pl.add("SELECT * REPLACE (" + b + " AS " + ref.sql + ") FROM " + pl.cur)
		return nil
	}
	if err := checkName(c, st.name, st.pos); err != nil {
		return err
	}
	pl.add("SELECT *, " + b + " AS " + qi(st.name) + " FROM " + pl.cur)
	pl.sc = pl.sc.with(column{name: st.name, typ: TypeTime})
	return nil
}

func (c *compiler) fields(pl *pipeline, st *fieldsStage) error {
	if st.remove {
		var drop []string
		sc := &schema{cols: slices.Clone(pl.sc.cols)}
		for _, it := range st.items {
			ref, err := c.resolve(it.name, it.pos, pl.sc)
			if err != nil {
				return err
			}
			if ref.path != nil {
				return c.errf(it.pos, "%s is not a column", it.name)
			}
			drop = append(drop, ref.sql)
			sc.cols = slices.DeleteFunc(sc.cols, func(col column) bool { return strings.EqualFold(col.name, ref.name) })
		}
		if len(sc.cols) == 0 {
			return c.errf(st.pos, "this would remove every column")
		}
		body := "SELECT * EXCLUDE (" + strings.Join(drop, ", ") + ") FROM " + pl.cur
		kept := keepOrder(pl.order, sc)
		if len(kept) < len(pl.order) {
			body += orderBy(pl.order)
		}
		pl.add(body)
		pl.sc = sc
		pl.order = kept
		return nil
	}
	var sel []string
	sc := &schema{}
	for _, it := range st.items {
		var col column
		var sql string
		if it.x != nil {
			if err := checkName(c, it.name, it.pos); err != nil {
				return err
			}
			x, err := c.expr(it.x, pl.sc)
			if err != nil {
				return err
			}
			col, sql = column{name: it.name, typ: x.typ}, x.sql+" AS "+qi(it.name)
		} else {
			ref, err := c.resolve(it.name, it.pos, pl.sc)
			if err != nil {
				return err
			}
			if ref.path != nil {
				sql = "json_extract_string(raw, " + c.param(pathString(ref.path)) + ") AS " + qi(ref.name)
				col = column{name: ref.name, typ: TypeString}
			} else {
				sql, col = ref.sql, column{name: ref.name, typ: ref.typ, f: ref.f}
			}
		}
		if _, dup := sc.col(col.name); dup {
			return c.errf(it.pos, "column %s is listed twice", quote(col.name))
		}
		sel = append(sel, sql)
		sc.cols = append(sc.cols, col)
	}
	body := "SELECT " + strings.Join(sel, ", ") + " FROM " + pl.cur
	kept := keepOrder(pl.order, sc)
	if len(kept) < len(pl.order) {
		// The sort columns are gone: sort here, and later stages keep
		// the rows in this order.
		body += orderBy(pl.order)
		kept = nil
	}
	pl.add(body)
	pl.sc = sc
	pl.order = kept
	return nil
}

// keepOrder is the sort keys whose columns sc still has; nil if any is
// gone.
func keepOrder(keys []orderKey, sc *schema) []orderKey {
	for _, k := range keys {
		if _, ok := sc.col(k.name); !ok {
			return nil
		}
	}
	return keys
}

func (c *compiler) rename(pl *pipeline, st *renameStage) error {
	to := map[string]string{}
	for _, a := range st.pairs {
		r, ok := a.x.(*eRef)
		if !ok {
			return c.errf(a.pos, "rename takes a field name, not an expression")
		}
		ref, err := c.resolve(r.name, r.pos, pl.sc)
		if err != nil {
			return err
		}
		if ref.path != nil {
			return c.errf(r.pos, "%s is not a column", r.name)
		}
		if err := checkName(c, a.name, a.pos); err != nil {
			return err
		}
		to[strings.ToLower(ref.name)] = a.name
	}
	var sel []string
	sc := &schema{}
	for _, col := range pl.sc.cols {
		if n, ok := to[strings.ToLower(col.name)]; ok {
			sel = append(sel, qi(col.name)+" AS "+qi(n))
			for i, k := range pl.order {
				if strings.EqualFold(k.name, col.name) {
					pl.order[i].name = n
				}
			}
			col = column{name: n, typ: col.typ}
		} else {
			sel = append(sel, qi(col.name))
		}
		if _, dup := sc.col(col.name); dup {
			return c.errf(st.pos, "two columns would be named %s", quote(col.name))
		}
		sc.cols = append(sc.cols, col)
	}
	pl.add("SELECT " + strings.Join(sel, ", ") + " FROM " + pl.cur)
	pl.sc = sc
	return nil
}

// project computes named keys into a CTE of their own, so that later
// clauses refer to them by name.
func (c *compiler) project(pl *pipeline, xs []expr) ([]column, error) {
	var sel []string
	var cols []column
	for _, x := range xs {
		name := exprName(x, pl.sc, c)
		if name == "" {
			return nil, c.errf(x.epos(), "expected a field name")
		}
		t, err := c.expr(x, pl.sc)
		if err != nil {
			return nil, err
		}
		for _, col := range cols {
			if strings.EqualFold(col.name, name) {
				return nil, c.errf(x.epos(), "column %s is listed twice", quote(name))
			}
		}
		if t.sql != qi(name) {
			t.sql += " AS " + qi(name)
		}
		sel = append(sel, t.sql)
		cols = append(cols, column{name: name, typ: t.typ})
	}
	pl.add("SELECT " + strings.Join(sel, ", ") + " FROM " + pl.cur)
	pl.sc = &schema{cols: cols}
	return cols, nil
}

func (c *compiler) distinct(pl *pipeline, st *distinctStage) error {
	cols, err := c.project(pl, st.keys)
	if err != nil {
		return err
	}
	pl.ctes[len(pl.ctes)-1] = strings.Replace(pl.ctes[len(pl.ctes)-1], "SELECT ", "SELECT DISTINCT ", 1)
	pl.order = nil
	for _, col := range cols {
		pl.order = append(pl.order, orderKey{name: col.name})
	}
	return nil
}

// top counts the most (rare: least) common values of the keys, with their
// share of the events, N per group of the by fields.
func (c *compiler) top(pl *pipeline, st *topStage) error {
	cols, err := c.project(pl, append(slices.Clone(st.by), st.keys...))
	if err != nil {
		return err
	}
	nb := len(st.by)
	var all, by, keys, notNull []string
	for i, col := range cols {
		all = append(all, qi(col.name))
		if i < nb {
			by = append(by, qi(col.name))
		} else {
			keys = append(keys, qi(col.name))
			notNull = append(notNull, qi(col.name)+" IS NOT NULL")
		}
	}
	part := ""
	if nb > 0 {
		part = "PARTITION BY " + strings.Join(by, ", ")
	}
	dir := "DESC"
	if st.rare {
		dir = "ASC"
	}
	groups := make([]string, len(all))
	for i := range groups {
		groups[i] = fmt.Sprint(i + 1)
	}
	pl.add("SELECT " + strings.Join(all, ", ") + ", count(*) AS \"count\", round(100.0 * count(*) / sum(count(*)) OVER (" + part + "), 2) AS \"percent\" FROM " +
		pl.cur + " WHERE " + strings.Join(notNull, " AND ") + " GROUP BY " + strings.Join(groups, ", ") +
		" QUALIFY row_number() OVER (" + part + " ORDER BY count(*) " + dir + ", " + strings.Join(keys, ", ") + ") <= " + c.param(st.n))
	pl.sc = &schema{cols: append(cols, column{name: "count", typ: TypeInt}, column{name: "percent", typ: typeNumber})}
	pl.order = nil
	for _, col := range cols[:nb] {
		pl.order = append(pl.order, orderKey{name: col.name})
	}
	pl.order = append(pl.order, orderKey{name: "count", desc: !st.rare})
	for _, col := range cols[nb:] {
		pl.order = append(pl.order, orderKey{name: col.name})
	}
	return nil
}
