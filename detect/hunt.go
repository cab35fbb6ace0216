package detect

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/cloudtrail"
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

// Hunt runs the engine's rules over stored events in [From, To), in the
// order they were stored (as streaming saw them), with a fresh correlator
// and a fresh first-seen memory (the learning period of a new_value rule
// starts at its first match in the range).
// The SQL prefilter keeps the rows of routed sources in the range and, for
// CloudTrail, only those whose eventName (or eventSource) is one a rule
// requires; the exact matcher then runs on each candidate's raw record.
//
// CloudTrail rows are read as raw records only and normalized again with
// the decoder's own cloudtrail.Normalize (reading the other columns of
// scattered rows costs as much again as raw); rows of other sources bring
// their stored columns. The two streams are merged by row id.
func (e *Engine) Hunt(ctx context.Context, q Querier, opts HuntOptions) (*HuntResult, error) {
	if opts.PageSize <= 0 {
		opts.PageSize = 5000
	}
	corr, err := e.newCorrelator()
	if err != nil {
		return nil, err
	}
	v := &evaluator{e: e, corr: corr, out: newAlertSet(e.opts.Suppression), onMatch: opts.OnMatch}
	v.seen = e.newFirstSeen() // history before From is unknown: learning starts in the range
	res := &HuntResult{}
	var streams []*rowStream
	for _, p := range e.prefilter(opts.From, opts.To) {
		cols := otherColumns
		if p.cloudTrail {
			cols = cloudTrailColumns
		}
		streams = append(streams, &rowStream{q: q, cloudTrail: p.cloudTrail, page: opts.PageSize, last: -1,
			sql:  `SELECT ` + cols + ` FROM events_data WHERE ` + p.where + ` AND rowid > ? ORDER BY rowid LIMIT ` + strconv.Itoa(opts.PageSize),
			args: p.args})
	}
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var next *rowStream
		for _, st := range streams {
			ok, err := st.peek(ctx)
			if err != nil {
				return nil, err
			}
			if ok && (next == nil || st.rowid() < next.rowid()) {
				next = st
			}
		}
		if next == nil {
			break
		}
		ev, err := next.pop()
		if err != nil {
			return nil, err
		}
		res.Candidates++
		v.event(ev) // parse errors are counted in v.bad
	}
	for _, st := range streams {
		res.Errors += st.bad
	}
	res.Matches, res.Errors = int64(v.matched), res.Errors+int64(v.bad)
	res.Alerts = v.out.alerts()
	return res, nil
}

// The columns a hunt reads: CloudTrail rows are normalized from raw again,
// other sources' rows bring what evaluation and alerts use.
const (
	cloudTrailColumns = `rowid, time, raw`
	otherColumns      = `rowid, time, source, event_id, account_id, user_arn, user_name, source_ip, raw`
)

// rowStream pages through one prefilter's candidate rows by row id.
type rowStream struct {
	q          Querier
	sql        string
	args       []any
	page       int
	cloudTrail bool
	last       int64
	rows       [][]any
	done       bool
	bad        int64 // CloudTrail rows the normalizer refused
}

// peek makes sure a row is buffered; false when the stream is exhausted.
func (s *rowStream) peek(ctx context.Context) (bool, error) {
	if len(s.rows) > 0 {
		return true, nil
	}
	if s.done {
		return false, nil
	}
	res, err := s.q.Query(ctx, s.sql, append(slices.Clip(s.args), s.last), 0)
	if err != nil {
		return false, fmt.Errorf("hunt: %w", err)
	}
	s.rows = res.Rows
	s.done = len(res.Rows) < s.page
	if len(s.rows) == 0 {
		return false, nil
	}
	for i, row := range s.rows {
		if len(row) == 0 {
			return false, fmt.Errorf("hunt: empty row %d", i)
		}
		id, err := toInt(row[0])
		if err != nil {
			return false, fmt.Errorf("hunt: rowid: %w", err)
		}
		row[0] = id
	}
	s.last = s.rows[len(s.rows)-1][0].(int64)
	return true, nil
}

func (s *rowStream) rowid() int64 { return s.rows[0][0].(int64) }

// pop returns the buffered row as the event evaluation sees.
func (s *rowStream) pop() (*cairn.Event, error) {
	row := s.rows[0]
	s.rows[0] = nil
	s.rows = s.rows[1:]
	if !s.cloudTrail {
		ev, _, err := huntEvent(row)
		return ev, err
	}
	if len(row) != 3 {
		return nil, fmt.Errorf("hunt: want 3 columns, got %d", len(row))
	}
	raw := []byte(str(row[2]))
	ev := &cairn.Event{}
	if err := cloudtrail.Normalize(raw, ev); err != nil {
		// Stored by another version of the normalizer: evaluate the
		// record with what the row says.
		s.bad++
		ev = &cairn.Event{Raw: raw}
		if ev.Time, err = duckdb.CellTime(row[1]); err != nil {
			return nil, fmt.Errorf("hunt: row %d: time: %w", row[0], err)
		}
	}
	ev.Source = SourceCloudTrail
	return ev, nil
}

// huntEvent turns a row of otherColumns into the event evaluation sees.
func huntEvent(row []any) (*cairn.Event, int64, error) {
	if len(row) != 9 {
		return nil, 0, fmt.Errorf("hunt: want 9 columns, got %d", len(row))
	}
	id, err := toInt(row[0])
	if err != nil {
		return nil, 0, fmt.Errorf("hunt: rowid: %w", err)
	}
	ev := &cairn.Event{Source: str(row[2]), EventID: str(row[3]), AccountID: str(row[4]), UserARN: str(row[5]),
		UserName: str(row[6]), SourceIP: str(row[7]), Raw: []byte(str(row[8]))}
	if ev.Time, err = duckdb.CellTime(row[1]); err != nil {
		return nil, id, fmt.Errorf("hunt: row %d: time: %w", id, err)
	}
	return ev, id, nil
}

func str(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
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
