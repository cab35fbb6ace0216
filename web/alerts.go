package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/detect"
	"github.com/cairn-sec/cairn/duckdb"
)

// AlertsResponse answers GET /api/v1/alerts.
type AlertsResponse struct {
	Alerts []cairn.Alert `json:"alerts"`
	TookMS int64         `json:"took_ms"`
}

// RulesResponse answers GET /api/v1/rules: the rules streaming detection
// runs (each with its author and license: the Detection Rule License
// requires crediting Sigma authors).
type RulesResponse struct {
	Rules []detect.RuleInfo `json:"rules"`
}

func (s *Server) registerAlerts() {
	s.api("GET", "/api/v1/alerts", s.handleAlerts)
	s.api("GET", "/api/v1/alerts/{id}", s.handleAlert)
	s.api("GET", "/api/v1/rules", s.handleRules)
}

// handleAlerts lists alerts, newest first. Query parameters: status
// (repeatable or comma-separated), severity (minimum), rule (repeatable),
// kind, last or from/to (as for search), limit (default 100, at most
// api.max_rows).
func (s *Server) handleAlerts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := cairn.AlertFilter{MinSeverity: q.Get("severity"), RuleIDs: list(q["rule"]), Kind: cairn.AlertKind(q.Get("kind")), Limit: 100}
	for _, v := range list(q["status"]) {
		st, err := cairn.ParseAlertStatus(v)
		if err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		f.Status = append(f.Status, st)
	}
	if f.MinSeverity != "" && cairn.SeverityRank(f.MinSeverity) < 0 {
		writeError(w, http.StatusBadRequest, "severity "+strconv.Quote(f.MinSeverity)+": want one of "+strings.Join(cairn.Severities, ", "))
		return
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, "limit "+strconv.Quote(v)+": want a positive number")
			return
		}
		f.Limit = s.rowLimit(n)
	}
	var err error
	f.From, f.To, err = timeRange(q.Get("from"), q.Get("to"), q.Get("last"), s.opts.Now().UTC())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	sql, args := duckdb.AlertsSQL(f)
	s.writeAlerts(w, r, sql, args, false)
}

// handleAlert returns one alert, or 404.
func (s *Server) handleAlert(w http.ResponseWriter, r *http.Request) {
	sql, args := duckdb.AlertSQL(r.PathValue("id"))
	s.writeAlerts(w, r, sql, args, true)
}

func (s *Server) writeAlerts(w http.ResponseWriter, r *http.Request, sql string, args []any, one bool) {
	ctx, cancel := context.WithTimeout(r.Context(), s.opts.QueryTimeout)
	defer cancel()
	start := time.Now()
	res, err := s.query(ctx, sql, args, 0)
	if err != nil {
		status, msg := s.queryFailure(ctx, err)
		if strings.Contains(err.Error(), "alerts does not exist") {
			status, msg = http.StatusServiceUnavailable, "no alerts table yet: run a collector of this version first"
		}
		writeError(w, status, msg)
		return
	}
	as, err := duckdb.AlertsFromResult(res)
	if err != nil {
		s.log.Error("decode alerts", "err", err)
		writeError(w, http.StatusInternalServerError, "internal error")
		return
	}
	if one {
		if len(as) == 0 {
			writeError(w, http.StatusNotFound, "no such alert: "+r.PathValue("id"))
			return
		}
		writeJSON(w, http.StatusOK, as[0])
		return
	}
	if as == nil {
		as = []cairn.Alert{}
	}
	writeJSON(w, http.StatusOK, AlertsResponse{Alerts: as, TookMS: time.Since(start).Milliseconds()})
}

func (s *Server) handleRules(w http.ResponseWriter, _ *http.Request) {
	rules := s.opts.Rules
	if rules == nil {
		rules = []detect.RuleInfo{}
	}
	writeJSON(w, http.StatusOK, RulesResponse{Rules: rules})
}

// list splits comma-separated query values.
func list(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}
