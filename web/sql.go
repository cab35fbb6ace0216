package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// SQLRequest is the body of POST /api/v1/sql.
type SQLRequest struct {
	SQL   string `json:"sql"`
	Args  []any  `json:"args,omitempty"`  // values for ? placeholders
	Limit int    `json:"limit,omitempty"` // rows at most; 0 or more than api.max_rows: api.max_rows
}

// handleSQL runs one read-only SQL statement for power users. The store
// refuses anything but a single query, and runs with external access
// disabled and its configuration locked.
func (s *Server) handleSQL(w http.ResponseWriter, r *http.Request) {
	var req SQLRequest
	if !s.decodeBody(w, r, &req) {
		return
	}
	if strings.TrimSpace(req.SQL) == "" {
		writeError(w, http.StatusBadRequest, "bad request: sql is empty")
		return
	}
	args, err := sqlArgs(req.Args)
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad request: "+err.Error())
		return
	}
	s.runQuery(w, r, req.SQL, args, s.rowLimit(req.Limit))
}

// sqlArgs converts JSON values to query parameters: strings, booleans,
// null, and numbers (integers as int64, others as float64).
func sqlArgs(in []any) ([]any, error) {
	out := make([]any, len(in))
	for i, v := range in {
		switch x := v.(type) {
		case nil, string, bool:
			out[i] = x
		case json.Number:
			if n, err := x.Int64(); err == nil {
				out[i] = n
			} else if f, err := x.Float64(); err == nil {
				out[i] = f
			} else {
				return nil, fmt.Errorf("args[%d]: %w", i, err)
			}
		default:
			return nil, fmt.Errorf("args[%d]: want a string, number, boolean or null", i)
		}
	}
	return out, nil
}
