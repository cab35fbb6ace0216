package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/cairn-sec/cairn/duckdb"
)

// errorBody is every error response: {"error": "..."}, and for a search
// query the compiler rejected, the column of the mistake.
type errorBody struct {
	Error    string `json:"error"`
	Position *int   `json:"position,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorBody{Error: msg})
}

// decodeBody reads a JSON request body into v: at most the configured
// size, unknown fields refused (a misspelt "qurey" must not run an empty
// search). It writes the error response itself and returns false.
func (s *Server) decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, s.opts.MaxRequestBytes))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	err := dec.Decode(v)
	if err == nil {
		if dec.More() {
			err = errors.New("more than one JSON value")
		} else if _, e := dec.Token(); e != io.EOF {
			err = errors.New("data after the JSON object")
		}
	}
	if err == nil {
		return true
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", tooBig.Limit))
	case errors.Is(err, io.EOF):
		writeError(w, http.StatusBadRequest, "bad request: empty body, want a JSON object")
	default:
		writeError(w, http.StatusBadRequest, "bad request: "+err.Error())
	}
	return false
}

// userSQLErrors are DuckDB error classes caused by the query's text or
// data, not by the server.
var userSQLErrors = []string{
	"Parser Error", "Binder Error", "Catalog Error", "Conversion Error", "Invalid Input Error",
	"Out of Range Error", "Not implemented Error", "Syntax Error", "Constraint Error", "Invalid Error",
	"Dependency Error", "Invalid type Error", "Mismatch Type Error",
}

// refusedSQL marks statements the sandbox refuses: not a single read-only
// query, or reaching outside the store (file and network access are
// disabled, configuration is locked). Errors from a collector's socket
// arrive as text, hence the text checks.
func refusedSQL(err error) bool {
	if errors.Is(err, duckdb.ErrNotReadOnly) {
		return true
	}
	m := err.Error()
	return strings.Contains(m, duckdb.ErrNotReadOnly.Error()) || strings.Contains(m, "Permission Error") ||
		strings.Contains(m, "disabled by configuration") || strings.Contains(m, "disabled through configuration") ||
		strings.Contains(m, "lock_configuration") || strings.Contains(m, "configuration has been locked")
}

// queryFailure maps an error from running a query to a status and a
// message. ctx is the query's context (with its timeout).
func (s *Server) queryFailure(ctx context.Context, err error) (int, string) {
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout, fmt.Sprintf("query timed out after %s (api.query_timeout); narrow the time range or add filters", s.opts.QueryTimeout)
	case errors.Is(ctx.Err(), context.Canceled):
		return 499, "request canceled by the client" // nginx's code: nobody reads it
	case refusedSQL(err):
		// The store's message says why: not a single read-only query, or
		// file/network access or a setting that is locked.
		return http.StatusUnprocessableEntity, "refused: " + trimQueryPrefix(err.Error())
	case errors.Is(err, os.ErrNotExist):
		return http.StatusServiceUnavailable, "no store yet: run cairn collect, cairn ingest or cairn demo first"
	case errors.Is(err, duckdb.ErrLocked):
		return http.StatusServiceUnavailable, "the store is held by a cairn process that does not serve queries (cairn ingest?); try again when it ends"
	}
	m := err.Error()
	for _, c := range userSQLErrors {
		if strings.Contains(m, c) {
			return http.StatusBadRequest, trimQueryPrefix(m)
		}
	}
	return http.StatusInternalServerError, "query failed: " + trimQueryPrefix(m)
}

// trimQueryPrefix drops the "query: " wrapping the store adds.
func trimQueryPrefix(m string) string {
	return strings.TrimPrefix(m, "query: ")
}
