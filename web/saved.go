package web

import (
	"net/http"

	"github.com/cairn-sec/cairn/queries"
)

// QueriesResponse answers GET /api/v1/queries.
type QueriesResponse struct {
	Queries []queries.Query `json:"queries"`
}

func (s *Server) handleQueries(w http.ResponseWriter, _ *http.Request) {
	out := QueriesResponse{Queries: []queries.Query{}}
	if s.opts.Library != nil {
		out.Queries = s.opts.Library.All()
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleQuery(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if s.opts.Library == nil {
		writeError(w, http.StatusNotFound, "no saved query "+name)
		return
	}
	q, err := s.opts.Library.Lookup(name)
	if err != nil {
		writeError(w, http.StatusNotFound, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, q)
}
