package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// CompileFunc compiles a search query into one parameterized SQL
// statement. Mistakes in the query are returned as *QueryError.
type CompileFunc func(query string, opts CompileOptions) (sql string, args []any, err error)

// CompileOptions bound a search.
type CompileOptions struct {
	From, To time.Time // time >= From, time < To; zero: unbounded
	Limit    int       // rows at most
	Now      time.Time // reference for relative times inside the query
}

// QueryError is a search query the compiler rejected. Message is shown
// as is (it carries the query with a caret under the mistake); Pos is the
// 0-based offset of the mistake in the query.
type QueryError struct {
	Message string
	Pos     int
}

func (e *QueryError) Error() string { return e.Message }

// SearchRequest is the body of POST /api/v1/search.
type SearchRequest struct {
	Query   string `json:"query,omitempty"` // the search; or
	Saved   string `json:"saved,omitempty"` // the name of a saved query
	From    string `json:"from,omitempty"`  // RFC 3339, a date, now, or relative (-24h, now-15m)
	To      string `json:"to,omitempty"`
	Last    string `json:"last,omitempty"`    // instead of from/to: 15m, 24h, 7d
	Limit   int    `json:"limit,omitempty"`   // rows at most; 0 or more than api.max_rows: api.max_rows
	Explain bool   `json:"explain,omitempty"` // return the SQL instead of running it
}

// ExplainResponse answers a search with explain set.
type ExplainResponse struct {
	SQL  string `json:"sql"`
	Args []any  `json:"args"`
}

func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	var req SearchRequest
	if !s.decodeBody(w, r, &req) {
		return
	}
	if s.opts.Compile == nil {
		writeError(w, http.StatusNotImplemented, "search is not available in this build")
		return
	}
	text, label, ok := s.searchText(w, req)
	if !ok {
		return
	}
	now := s.opts.Now().UTC()
	from, to, err := timeRange(req.From, req.To, req.Last, now)
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad time range: "+err.Error())
		return
	}
	limit := s.rowLimit(req.Limit)
	// One row more than returned, so that Truncated tells whether there
	// were more.
	sql, args, err := s.opts.Compile(text, CompileOptions{From: from, To: to, Limit: limit + 1, Now: now})
	if err != nil {
		var qe *QueryError
		if errors.As(err, &qe) {
			pos := qe.Pos
			writeJSON(w, http.StatusBadRequest, errorBody{Error: label + qe.Message, Position: &pos})
			return
		}
		writeError(w, http.StatusBadRequest, label+err.Error())
		return
	}
	if req.Explain {
		if args == nil {
			args = []any{}
		}
		writeJSON(w, http.StatusOK, ExplainResponse{SQL: sql, Args: args})
		return
	}
	s.runQuery(w, r, sql, args, limit)
}

// searchText is the query to run: the request's or a saved one's. label
// prefixes errors about a saved query.
func (s *Server) searchText(w http.ResponseWriter, req SearchRequest) (text, label string, ok bool) {
	switch {
	case req.Saved != "" && req.Query != "":
		writeError(w, http.StatusBadRequest, "bad request: give query or saved, not both")
	case req.Saved != "":
		if s.opts.Library == nil {
			writeError(w, http.StatusNotFound, fmt.Sprintf("no saved query %q", req.Saved))
			return "", "", false
		}
		q, err := s.opts.Library.Lookup(req.Saved)
		if err != nil {
			writeError(w, http.StatusNotFound, err.Error())
			return "", "", false
		}
		return q.Query, fmt.Sprintf("saved query %q: ", q.Name), true
	case strings.TrimSpace(req.Query) == "":
		writeError(w, http.StatusBadRequest, "bad request: query is empty (give query or saved)")
	default:
		return req.Query, "", true
	}
	return "", "", false
}
