package detect

import (
	"slices"
	"strings"
	"time"
)

// Prefilter is the SQL condition (over events_data) and its parameters
// that select the candidate rows for the engine's rules in [from, to):
// "" when no rule applies to any source. For each source with rules, rows
// of that source; for CloudTrail, when every rule pins eventName or
// eventSource to literals (sigma.Rule.Requires), only rows with one of
// those values. The columns hold the raw record's eventName and
// eventSource, so the filter never drops a row a rule can match.
func (e *Engine) Prefilter(from, to time.Time) (string, []any) {
	var ors []string
	var args []any
	parts := e.prefilter(time.Time{}, time.Time{})
	for _, p := range parts {
		ors = append(ors, p.where)
		args = append(args, p.args...)
	}
	if len(ors) == 0 {
		return "", nil
	}
	where, targs := timeCond(from, to)
	return "(" + strings.Join(ors, " OR ") + ")" + where, append(args, targs...)
}

// part is the prefilter of one row stream of a hunt: CloudTrail, or every
// other source with rules.
type part struct {
	cloudTrail bool
	where      string
	args       []any
}

func (e *Engine) prefilter(from, to time.Time) []part {
	srcs := make([]string, 0, len(e.routes))
	for s := range e.routes {
		srcs = append(srcs, s)
	}
	slices.Sort(srcs)
	var out []part
	var others []string
	var oargs []any
	for _, src := range srcs {
		if src != SourceCloudTrail {
			others = append(others, "?")
			oargs = append(oargs, src)
			continue
		}
		p := part{cloudTrail: true, where: "source = ?", args: []any{src}}
		if names, sources, ok := literals(e.routes[src]); ok {
			var lits []string
			if len(names) > 0 {
				lits = append(lits, "lower(event_name) IN ("+placeholders(len(names))+")")
				p.args = append(p.args, anys(names)...)
			}
			if len(sources) > 0 {
				lits = append(lits, "lower(event_source) IN ("+placeholders(len(sources))+")")
				p.args = append(p.args, anys(sources)...)
			}
			p.where += " AND (" + strings.Join(lits, " OR ") + ")"
		}
		p.where = "(" + p.where + ")"
		out = append(out, p)
	}
	if len(others) > 0 {
		out = append(out, part{where: "(source IN (" + strings.Join(others, ", ") + "))", args: oargs})
	}
	where, targs := timeCond(from, to)
	for i := range out {
		out[i].where += where
		out[i].args = append(out[i].args, targs...)
	}
	return out
}

// timeCond bounds the event time; zero times are unbounded.
func timeCond(from, to time.Time) (string, []any) {
	var where string
	var args []any
	if !from.IsZero() {
		where += " AND time >= ?"
		args = append(args, from.UTC())
	}
	if !to.IsZero() {
		where += " AND time < ?"
		args = append(args, to.UTC())
	}
	return where, args
}

// literals collects the eventName (else eventSource) values the rules
// require, the way sigma's index routes them; ok is false when a rule
// pins neither.
func literals(rs []route) (names, sources []string, ok bool) {
	seenN, seenS := map[string]bool{}, map[string]bool{}
	for _, r := range rs {
		for _, rule := range r.set.Rules(r.ls) {
			if vals, ok := rule.Requires("eventName"); ok {
				for _, v := range vals {
					if !seenN[v] {
						seenN[v] = true
						names = append(names, v)
					}
				}
			} else if vals, ok := rule.Requires("eventSource"); ok {
				for _, v := range vals {
					if !seenS[v] {
						seenS[v] = true
						sources = append(sources, v)
					}
				}
			} else {
				return nil, nil, false
			}
		}
	}
	slices.Sort(names)
	slices.Sort(sources)
	return names, sources, true
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
