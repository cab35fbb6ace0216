package detect

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/duckdb"
	"github.com/cairn-sec/cairn/sigma"
)

// Querier runs one read-only statement with its arguments, returning at
// most maxRows rows (web.StoreBackend: the collector's socket, else the
// store opened read-only; or a Store through StoreQuerier).
type Querier interface {
	Query(ctx context.Context, sql string, args []any, maxRows int) (*duckdb.Result, error)
}

// StoreQuerier adapts an open store to Querier.
type StoreQuerier struct{ Store *duckdb.Store }

// Query runs sql on the store.
func (q StoreQuerier) Query(ctx context.Context, sql string, args []any, maxRows int) (*duckdb.Result, error) {
	return q.Store.Query(ctx, sql, maxRows, args...)
}

// HuntOptions select what a retro-hunt reads.
type HuntOptions struct {
	From, To time.Time // event time range [From, To); zero: unbounded
	PageSize int       // candidate rows per query (default 5000)
	// OnMatch, when set, sees every detection match.
	OnMatch func(r *sigma.Rule, ev *cairn.Event)
}

// HuntResult is what a retro-hunt found.
type HuntResult struct {
	Alerts     []cairn.Alert `json:"alerts"`     // with suppression, oldest first
	Candidates int64         `json:"candidates"` // rows the SQL prefilter selected
	Matches    int64         `json:"matches"`    // detection matches
	Errors     int64         `json:"errors"`     // rows whose raw record could not be parsed
}

// huntColumns are the columns a hunt reads: what evaluation and alerts use.
const huntColumns = `rowid, time, source, event_id, account_id, user_arn, user_name, source_ip, raw`

// Hunt runs the engine's rules over stored events in [From, To), in the
// order they were stored (as streaming saw them), with a fresh correlator.
// The SQL prefilter keeps the rows of routed sources in the range and, for
// CloudTrail, only those whose eventName (or eventSource) is one a rule
// requires; the exact matcher then runs on each candidate's raw record.
func (e *Engine) Hunt(ctx context.Context, q Querier, opts HuntOptions) (*HuntResult, error) {
	if opts.PageSize <= 0 {
		opts.PageSize = 5000
	}
	corr, err := e.newCorrelator()
	if err != nil {
		return nil, err
	}
	v := &evaluator{e: e, corr: corr, out: newAlertSet(e.opts.Suppression), onMatch: opts.OnMatch}
	where, args := e.Prefilter(opts.From, opts.To)
	res := &HuntResult{}
	if where == "" {
		return res, nil // no rule applies to any source
	}
	last := int64(-1)
	for {
		page, err := q.Query(ctx, `SELECT `+huntColumns+` FROM events_data WHERE `+where+` AND rowid > ? ORDER BY rowid LIMIT `+strconv.Itoa(opts.PageSize),
			append(slices.Clip(args), last), 0)
		if err != nil {
			return nil, fmt.Errorf("hunt: %w", err)
		}
		for _, row := range page.Rows {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			ev, id, err := huntEvent(row)
			if err != nil {
				return nil, fmt.Errorf("hunt: row %d: %w", last, err)
			}
			last = id
			res.Candidates++
			v.event(ev) // parse errors are counted in v.bad
		}
		if len(page.Rows) < opts.PageSize {
			break
		}
	}
	res.Matches, res.Errors = int64(v.matched), int64(v.bad)
	res.Alerts = v.out.alerts()
	return res, nil
}

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
	srcs := make([]string, 0, len(e.routes))
	for s := range e.routes {
		srcs = append(srcs, s)
	}
	slices.Sort(srcs)
	for _, src := range srcs {
		cond := "source = ?"
		args = append(args, src)
		if src == SourceCloudTrail {
			if names, sources, ok := literals(e.routes[src]); ok {
				var lits []string
				if len(names) > 0 {
					lits = append(lits, "lower(event_name) IN ("+placeholders(len(names))+")")
					args = append(args, anys(names)...)
				}
				if len(sources) > 0 {
					lits = append(lits, "lower(event_source) IN ("+placeholders(len(sources))+")")
					args = append(args, anys(sources)...)
				}
				cond += " AND (" + strings.Join(lits, " OR ") + ")"
			}
		}
		ors = append(ors, "("+cond+")")
	}
	if len(ors) == 0 {
		return "", nil
	}
	where := "(" + strings.Join(ors, " OR ") + ")"
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

// huntEvent turns a row of huntColumns into the event evaluation sees.
func huntEvent(row []any) (*cairn.Event, int64, error) {
	if len(row) != 9 {
		return nil, 0, fmt.Errorf("want 9 columns, got %d", len(row))
	}
	id, err := toInt(row[0])
	if err != nil {
		return nil, 0, fmt.Errorf("rowid: %w", err)
	}
	str := func(v any) string {
		if s, ok := v.(string); ok {
			return s
		}
		return ""
	}
	ev := &cairn.Event{Source: str(row[2]), EventID: str(row[3]), AccountID: str(row[4]), UserARN: str(row[5]),
		UserName: str(row[6]), SourceIP: str(row[7]), Raw: []byte(str(row[8]))}
	switch t := row[1].(type) {
	case time.Time:
		ev.Time = t.UTC()
	case string:
		if ev.Time, err = time.Parse(time.RFC3339Nano, t); err != nil {
			return nil, id, fmt.Errorf("time: %w", err)
		}
	}
	return ev, id, nil
}

func toInt(v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case int32:
		return int64(x), nil
	case int:
		return int64(x), nil
	case float64:
		return int64(x), nil
	case json.Number:
		return x.Int64()
	case string:
		return strconv.ParseInt(x, 10, 64)
	}
	return 0, fmt.Errorf("unexpected %T", v)
}
