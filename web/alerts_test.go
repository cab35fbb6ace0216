package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/detect"
	"github.com/cairn-sec/cairn/duckdb"
)

// alertStore is a store with three alerts, one acknowledged.
func alertStore(t *testing.T) (string, []cairn.Alert) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := duckdb.Open(ctx, duckdb.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	t0 := time.Date(2024, 3, 2, 8, 0, 0, 0, time.UTC)
	mk := func(rule, sev string, at time.Time) cairn.Alert {
		a := cairn.Alert{Kind: cairn.AlertSigma, RuleID: rule, Title: "title " + rule, Severity: sev, Author: "Sigma author",
			License: "DRL-1.1", GroupKey: "g", FirstSeen: at, LastSeen: at, Count: 1, SampleEventIDs: []string{rule + "-e"}}
		a.SetID()
		return a
	}
	as := []cairn.Alert{mk("r-low", "low", t0), mk("r-high", "high", t0.Add(time.Hour)), mk("r-crit", "critical", t0.Add(2*time.Hour))}
	if _, err := st.UpsertAlerts(ctx, as, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := st.SetAlertStatus(ctx, as[1].ID, cairn.AlertAcknowledged); err != nil {
		t.Fatal(err)
	}
	return dir, as
}

func TestAlertsAPI(t *testing.T) {
	dir, as := alertStore(t)
	rules := []detect.RuleInfo{{ID: "r-high", Title: "title r-high", Kind: "detection", Level: "high", Author: "Sigma author",
		License: "DRL-1.1", EventSource: "aws.cloudtrail", Tags: []string{"attack.t1098"}}}
	ts := newTestServer(t, dir, func(o *Options) { o.Rules = rules })

	ruleIDs := func(r AlertsResponse) []string {
		var out []string
		for _, a := range r.Alerts {
			out = append(out, a.RuleID)
		}
		return out
	}
	cases := []struct {
		query  string
		status int
		want   []string
	}{
		{"", 200, []string{"r-crit", "r-high", "r-low"}},
		{"?status=open", 200, []string{"r-crit", "r-low"}},
		{"?status=open,acknowledged&severity=high", 200, []string{"r-crit", "r-high"}},
		{"?rule=r-low&rule=r-high", 200, []string{"r-high", "r-low"}},
		{"?from=2024-03-02T08:30:00Z&to=2024-03-02T09:30:00Z", 200, []string{"r-high"}},
		{"?last=3h", 200, []string{"r-crit", "r-high"}}, // now is 12:00
		{"?limit=1", 200, []string{"r-crit"}},
		{"?status=bogus", 400, nil},
		{"?severity=extreme", 400, nil},
		{"?limit=0", 400, nil},
		{"?last=1h&from=2024-01-01", 400, nil},
	}
	for _, c := range cases {
		var r AlertsResponse
		resp := ts.do(t, "GET", "/api/v1/alerts"+c.query, tokenA, nil, &r)
		if resp.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d", c.query, resp.StatusCode, c.status)
			continue
		}
		if c.status == 200 && strings.Join(ruleIDs(r), ",") != strings.Join(c.want, ",") {
			t.Errorf("%s: %v, want %v", c.query, ruleIDs(r), c.want)
		}
	}

	var one cairn.Alert
	if resp := ts.do(t, "GET", "/api/v1/alerts/"+as[1].ID, tokenA, nil, &one); resp.StatusCode != 200 ||
		one.ID != as[1].ID || one.Status != cairn.AlertAcknowledged || one.Author != "Sigma author" || one.License != "DRL-1.1" {
		t.Errorf("one alert: %d %+v", resp.StatusCode, one)
	}
	var e errResp
	if resp := ts.do(t, "GET", "/api/v1/alerts/al-nope", tokenA, nil, &e); resp.StatusCode != http.StatusNotFound || e.Error == "" {
		t.Errorf("unknown alert: %d %+v", resp.StatusCode, e)
	}
	var rr RulesResponse
	if resp := ts.do(t, "GET", "/api/v1/rules", tokenB, nil, &rr); resp.StatusCode != 200 || len(rr.Rules) != 1 ||
		rr.Rules[0].Author != "Sigma author" || rr.Rules[0].EventSource != "aws.cloudtrail" || rr.Rules[0].Level != "high" {
		t.Errorf("rules: %d %+v", resp.StatusCode, rr)
	}
	for _, p := range []string{"/api/v1/alerts", "/api/v1/alerts/" + as[0].ID, "/api/v1/rules"} {
		if resp := ts.do(t, "GET", p, "", nil, nil); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s without a token: %d", p, resp.StatusCode)
		}
		if resp := ts.do(t, "GET", p, "wrong-token", nil, nil); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s with a wrong token: %d", p, resp.StatusCode)
		}
	}
	if resp := ts.do(t, "POST", "/api/v1/alerts", tokenA, "{}", nil); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST alerts: %d", resp.StatusCode)
	}
}
