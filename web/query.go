package web

import (
	"context"
	"net/http"
	"time"

	"github.com/cairn-sec/cairn/duckdb"
)

// Column is a result column: its name and DuckDB type (VARCHAR, BIGINT,
// TIMESTAMP, BOOLEAN, JSON, ...).
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// QueryResponse answers /api/v1/search and /api/v1/sql. Rows are arrays
// in column order; times are RFC 3339 strings in UTC. Truncated means
// more rows matched than limit (or api.max_rows) allowed.
type QueryResponse struct {
	Columns   []Column `json:"columns"`
	Rows      [][]any  `json:"rows"`
	TookMS    int64    `json:"took_ms"`
	Truncated bool     `json:"truncated"`
}

// rowLimit is the request's limit capped by MaxRows (0: MaxRows).
func (s *Server) rowLimit(limit int) int {
	if limit <= 0 || limit > s.opts.MaxRows {
		return s.opts.MaxRows
	}
	return limit
}

// runQuery runs one statement within the query timeout and a concurrency
// slot, and writes the response or the error.
func (s *Server) runQuery(w http.ResponseWriter, r *http.Request, sql string, args []any, maxRows int) {
	ctx, cancel := context.WithTimeout(r.Context(), s.opts.QueryTimeout)
	defer cancel()
	start := time.Now()
	res, err := s.query(ctx, sql, args, maxRows)
	took := time.Since(start)
	if err != nil {
		status, msg := s.queryFailure(ctx, err)
		if status >= 500 && status != http.StatusGatewayTimeout {
			s.log.Error("query failed", "path", r.URL.Path, "status", status, "err", err)
		}
		writeError(w, status, msg)
		return
	}
	writeJSON(w, http.StatusOK, toResponse(res, took))
}

// query waits for a slot (the wait counts toward the timeout) and runs
// the statement.
func (s *Server) query(ctx context.Context, sql string, args []any, maxRows int) (*duckdb.Result, error) {
	select {
	case s.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-s.slots }()
	return s.opts.Querier.Query(ctx, sql, args, maxRows)
}

func toResponse(res *duckdb.Result, took time.Duration) QueryResponse {
	out := QueryResponse{Columns: make([]Column, len(res.Columns)), Rows: res.Rows, TookMS: took.Milliseconds(), Truncated: res.Truncated}
	for i, c := range res.Columns {
		out.Columns[i].Name = c
		if i < len(res.Types) {
			out.Columns[i].Type = res.Types[i]
		}
	}
	if out.Rows == nil {
		out.Rows = [][]any{}
	}
	return out
}
