package web

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"sync"
	"time"

	"github.com/cairn-sec/cairn/search"
)

// Field is a searchable field (package search describes them).
type Field struct {
	Name    string   `json:"name"`
	Type    string   `json:"type"`
	Column  string   `json:"column,omitempty"` // the events column, "" for paths into the raw record
	Aliases []string `json:"aliases,omitempty"`
}

// TopValue is one of a field's most frequent values.
type TopValue struct {
	Value any   `json:"value"`
	Count int64 `json:"count"`
}

// FieldInfo is a field with its top values in the recent window.
type FieldInfo struct {
	Field
	TopValues []TopValue `json:"top_values,omitempty"`
}

// FieldsResponse answers GET /api/v1/fields.
type FieldsResponse struct {
	Fields      []FieldInfo `json:"fields"`
	From        time.Time   `json:"from"` // top values count events since
	GeneratedAt time.Time   `json:"generated_at"`
	// TopValuesError says why top values are missing (no store yet, a
	// timeout); the field list is still complete.
	TopValuesError string `json:"top_values_error,omitempty"`
}

// topValuesCount is how many values are listed per field.
const topValuesCount = 10

// noTopValues are columns whose values are unique or bulky.
var noTopValues = map[string]bool{
	"time": true, "ingested_at": true, "raw": true, "event_id": true, "record_index": true, "s3_key": true,
	"request_parameters": true, "response_elements": true, "additional_event_data": true, "resources": true,
}

var columnRE = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// maxFieldsWindow bounds ?last= on /api/v1/fields.
const maxFieldsWindow = 366 * 24 * time.Hour

// fieldsCache holds recent answers briefly, per window: top values take
// one query per field.
type fieldsCache struct {
	mu      sync.Mutex // held while computing, so concurrent requests share one
	entries map[time.Duration]fieldsEntry
}

type fieldsEntry struct {
	resp *FieldsResponse
	at   time.Time
}

// handleFields answers GET /api/v1/fields[?last=7d]: top values are
// counted over the last FieldsWindow, or the window asked for.
func (s *Server) handleFields(w http.ResponseWriter, r *http.Request) {
	window := s.opts.FieldsWindow
	if v := r.URL.Query().Get("last"); v != "" {
		d, err := search.ParseDuration(v)
		if err != nil || d > maxFieldsWindow {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("bad request: last %q: want a duration up to 366d, e.g. 24h or 7d", v))
			return
		}
		window = d
	}
	c := s.fields
	c.mu.Lock()
	defer c.mu.Unlock()
	now := s.opts.Now()
	if e, ok := c.entries[window]; ok && now.Sub(e.at) < s.opts.FieldsTTL && !now.Before(e.at) {
		writeJSON(w, http.StatusOK, e.resp)
		return
	}
	resp := s.computeFields(r.Context(), now.UTC(), window)
	if c.entries == nil || len(c.entries) >= 8 {
		c.entries = map[time.Duration]fieldsEntry{}
	}
	if resp.TopValuesError == "" { // do not keep an answer without top values
		c.entries[window] = fieldsEntry{resp: resp, at: now}
	} else {
		delete(c.entries, window)
	}
	writeJSON(w, http.StatusOK, resp)
}

// computeFields lists the fields and, for each column-backed one, its
// most frequent values since now-window: one GROUP BY per column, all
// within one query timeout.
func (s *Server) computeFields(ctx context.Context, now time.Time, window time.Duration) *FieldsResponse {
	resp := &FieldsResponse{Fields: []FieldInfo{}, From: now.Add(-window), GeneratedAt: now}
	if s.opts.Fields == nil {
		return resp
	}
	ctx, cancel := context.WithTimeout(ctx, s.opts.QueryTimeout)
	defer cancel()
	if h, ok := s.opts.Querier.(holder); ok {
		defer h.Hold(ctx)()
	}
	top := map[string][]TopValue{}
	for _, f := range s.opts.Fields() {
		resp.Fields = append(resp.Fields, FieldInfo{Field: f})
		col := f.Column
		if col == "" || noTopValues[col] || f.Type == "timestamp" || f.Type == "json" || !columnRE.MatchString(col) || resp.TopValuesError != "" {
			continue
		}
		if _, done := top[col]; done {
			continue
		}
		vals, err := s.topValues(ctx, col, resp.From)
		if err != nil {
			_, msg := s.queryFailure(ctx, err)
			resp.TopValuesError = fmt.Sprintf("top values of %s: %s", col, msg)
			s.log.Warn("fields: top values", "column", col, "err", err)
			continue
		}
		top[col] = vals
	}
	for i := range resp.Fields {
		resp.Fields[i].TopValues = top[resp.Fields[i].Column]
	}
	return resp
}

func (s *Server) topValues(ctx context.Context, col string, from time.Time) ([]TopValue, error) {
	// col is a column name from the search package, checked against
	// columnRE above.
	sql := fmt.Sprintf(`SELECT CAST(%[1]s AS VARCHAR) AS value, count(*) AS n FROM events
WHERE time >= ? AND %[1]s IS NOT NULL GROUP BY 1 ORDER BY n DESC, value LIMIT %[2]d`, col, topValuesCount)
	res, err := s.query(ctx, sql, []any{from.UTC()}, topValuesCount)
	if err != nil {
		return nil, err
	}
	out := make([]TopValue, 0, len(res.Rows))
	for _, row := range res.Rows {
		if len(row) != 2 {
			continue
		}
		out = append(out, TopValue{Value: row[0], Count: toInt64(row[1])})
	}
	return out, nil
}

func toInt64(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case int32:
		return int64(n)
	case int:
		return int64(n)
	case uint64:
		return int64(n)
	case float64:
		return int64(n)
	case interface{ Int64() (int64, error) }: // json.Number from the socket
		i, _ := n.Int64()
		return i
	}
	return 0
}
