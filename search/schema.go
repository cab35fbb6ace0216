package search

import (
	"slices"
	"strings"
)

// Column types beyond the registry's, for columns stages compute.
const (
	typeNumber   = "number"
	typeList     = "list"
	typeInterval = "interval"
	typeUnknown  = "unknown"
	typePath     = "json path"
)

// column is a column of a stage's output.
type column struct {
	name string
	typ  string
	f    *fieldDef // the registry field it still is, if any
}

// schema is what a stage's output holds.
type schema struct{ cols []column }

// eventsSchema is the events view.
func eventsSchema() *schema {
	sc := &schema{}
	for i := range registry {
		f := &registry[i]
		sc.cols = append(sc.cols, column{name: f.Name, typ: f.Type, f: f})
	}
	return sc
}

// col finds a column by name, ignoring case.
func (s *schema) col(name string) (column, bool) {
	for _, c := range s.cols {
		if strings.EqualFold(c.name, name) {
			return c, true
		}
	}
	return column{}, false
}

func (s *schema) names() []string {
	out := make([]string, len(s.cols))
	for i, c := range s.cols {
		out[i] = c.name
	}
	return out
}

// ref is a resolved field reference: a column (sql is its SQL name) or a
// path into the raw record.
type ref struct {
	sql  string
	name string // the output column name it gives
	typ  string
	f    *fieldDef
	path []string
}

// resolve finds what name refers to in sc: a field or alias, a column a
// stage made, or a dotted path into the raw record.
func (c *compiler) resolve(name string, pos int, sc *schema) (ref, error) {
	if f := lookupField(name); f != nil {
		if col, ok := sc.col(f.Name); ok {
			return ref{sql: qi(col.name), name: col.name, typ: col.typ, f: col.f}, nil
		}
	}
	if col, ok := sc.col(name); ok {
		return ref{sql: qi(col.name), name: col.name, typ: col.typ, f: col.f}, nil
	}
	if segs, ok := jsonPath(name); ok {
		if _, hasRaw := sc.col("raw"); hasRaw && safeName.MatchString(name) {
			return ref{name: name, typ: typePath, path: segs}, nil
		}
		if lookupField(name) == nil {
			return ref{}, c.errf(pos, "%q reads the raw record, which this stage no longer has (columns: %s)", name, strings.Join(sc.names(), ", "))
		}
	}
	if f := lookupField(name); f != nil {
		return ref{}, c.errf(pos, "field %q (%s) is not available here (columns: %s)", name, f.Name, strings.Join(sc.names(), ", "))
	}
	msg := "unknown field " + quote(name)
	if s := suggest(name, sc); s != "" {
		msg += "; did you mean " + s + "?"
	}
	if strings.Contains(name, ".") {
		msg += " (JSON path segments may hold letters, digits, _, -, @ and $)"
	} else if len(sc.cols) > 0 && sc.cols[0].f != nil && sc.cols[0].name == "time" && len(sc.cols) == len(registry) {
		msg += " (dotted paths such as requestParameters.bucketName read the raw record)"
	} else {
		msg += " (columns: " + strings.Join(sc.names(), ", ") + ")"
	}
	return ref{}, c.errf(pos, "%s", msg)
}

// suggest names the closest known field, if one is close.
func suggest(name string, sc *schema) string {
	cands := sc.names()
	for _, f := range registry {
		if _, ok := sc.col(f.Name); ok {
			cands = append(cands, f.Aliases...)
		}
	}
	best, bestD := "", 3
	ln := strings.ToLower(name)
	for _, cand := range cands {
		if d := distance(ln, strings.ToLower(cand)); d < bestD || d == bestD && best != "" && cand < best {
			best, bestD = cand, d
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// with returns a copy of s with col added or replaced.
func (s *schema) with(col column) *schema {
	out := &schema{cols: slices.Clone(s.cols)}
	for i, c := range out.cols {
		if strings.EqualFold(c.name, col.name) {
			out.cols[i] = col
			return out
		}
	}
	out.cols = append(out.cols, col)
	return out
}
