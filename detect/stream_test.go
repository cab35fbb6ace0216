package detect

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/sigma"
)

func TestRoute(t *testing.T) {
	cases := []struct {
		ls   sigma.LogSource
		want string
	}{
		{sigma.LogSource{Product: "aws", Service: "cloudtrail"}, SourceCloudTrail},
		{sigma.LogSource{Product: "aws", Service: "vpcflow"}, SourceVPCFlow},
		{sigma.LogSource{Product: "aws", Service: "route53"}, SourceResolver},
		{sigma.LogSource{Category: "dns"}, SourceResolver},
		{sigma.LogSource{Product: "kubernetes", Service: "audit"}, SourceEKSAudit},
		{sigma.LogSource{Product: "aws", Service: "eks"}, SourceEKSAudit},
		{sigma.LogSource{Category: "application", Product: "django"}, SourceApplication},
		{sigma.LogSource{Product: "application"}, SourceApplication},
		{sigma.LogSource{Product: "windows", Service: "security"}, ""},
		{sigma.LogSource{Product: "aws"}, ""},
		{sigma.LogSource{Category: "dns", Product: "windows"}, ""},
	}
	for _, c := range cases {
		if got := Route(c.ls); got != c.want {
			t.Errorf("Route(%+v) = %q, want %q", c.ls, got, c.want)
		}
	}
}

// meteredEngine is an engine on the test rules with registered metrics.
func meteredEngine(t *testing.T) *Engine {
	t.Helper()
	e, err := New(Options{Rules: loadRules(t, "testdata/rules"), Registerer: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func listAlerts(t *testing.T, e interface {
	ListAlerts(context.Context, cairn.AlertFilter) ([]cairn.Alert, error)
}) map[string][]cairn.Alert {
	t.Helper()
	as, err := e.ListAlerts(context.Background(), cairn.AlertFilter{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	by := map[string][]cairn.Alert{}
	for _, a := range as {
		by[a.Title] = append(by[a.Title], a)
	}
	return by
}

// Alerts for every routed source are written with the events, credited to
// the rule's author, and a batch committed again raises nothing new.
func TestStreamingAlerts(t *testing.T) {
	s := openStore(t)
	e := meteredEngine(t)
	t0 := time.Date(2026, 10, 23, 12, 0, 0, 0, time.UTC)
	logins := []*cairn.Event{loginFailure("l-1", "198.51.100.1", t0), loginFailure("l-2", "198.51.100.2", t0.Add(time.Minute))}
	flows, audits := flowEvents(t), auditEvents()
	commit(t, s, e, logins)
	commit(t, s, e, flows)
	commit(t, s, e, audits)
	commit(t, s, e, append(append(logins, flows...), audits...)) // redelivered: all duplicates

	by := listAlerts(t, s)
	check := func(title string, alerts, count int, samples ...string) {
		t.Helper()
		as := by[title]
		var n int64
		got := map[string]bool{}
		for _, a := range as {
			n += a.Count
			for _, id := range a.SampleEventIDs {
				got[id] = true
			}
			if a.Author != "Cairn tests" || a.License != "Apache-2.0" || a.Status != cairn.AlertOpen {
				t.Errorf("%s: metadata %+v", title, a)
			}
		}
		if len(as) != alerts || n != int64(count) {
			t.Fatalf("%s: %d alerts counting %d, want %d counting %d: %+v", title, len(as), n, alerts, count, as)
		}
		for _, id := range samples {
			if !got[id] {
				t.Errorf("%s: sample %s missing from %v", title, id, as)
			}
		}
	}
	check("Console login failure", 1, 2, "l-1", "l-2") // one user: one group
	check("Rejected SSH connection attempt", 2, 2)
	check("Exec into a pod", 2, 2, "a-1", "a-4")
	if by["Repeated console login failures from one address"] != nil {
		t.Fatalf("correlation fired on two failures: %+v", by)
	}
	if got := testutil.ToFloat64(e.m.evaluated); got != 11 {
		t.Errorf("events evaluated %v, want 11 (duplicates are not evaluated)", got)
	}
	if got := testutil.ToFloat64(e.m.alerts.WithLabelValues("created")); got < 4 {
		t.Errorf("alerts created %v", got)
	}
	if got := testutil.ToFloat64(e.m.rules.WithLabelValues("detection", SourceVPCFlow)); got != 1 {
		t.Errorf("vpcflow rules %v", got)
	}
}

// A correlation window spans a restart: its state is saved with the
// events and reloaded by a new engine; a rolled-back transaction's
// matches are not counted when it is retried.
func TestCorrelationStateSurvivesRestartAndRollback(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	rules := loadRules(t, "testdata/rules")
	t0 := time.Date(2026, 10, 23, 12, 0, 0, 0, time.UTC)
	ip := "203.0.113.50"
	e1 := newEngine(t, rules)
	commit(t, s, e1, []*cairn.Event{loginFailure("f-1", ip, t0)})
	commit(t, s, e1, []*cairn.Event{loginFailure("f-2", ip, t0.Add(time.Minute))})
	if gen, size := stateGenOf(t, s, stateName); gen != 2 || size == 0 {
		t.Fatalf("state after two failures: gen %d, %d bytes", gen, size)
	}

	// A new engine (restart) sees the third failure; its transaction
	// rolls back (crash before commit), then the batch is retried.
	e2 := newEngine(t, rules)
	third := []*cairn.Event{loginFailure("f-3", ip, t0.Add(2*time.Minute))}
	tx, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Append(ctx, third); err != nil {
		t.Fatal(err)
	}
	if err := e2.Detect(ctx, tx); err != nil {
		t.Fatal(err)
	}
	tx.Rollback()
	if by := listAlerts(t, s); by["Repeated console login failures from one address"] != nil {
		t.Fatalf("rolled back correlation alert visible")
	}
	commit(t, s, e2, third)
	by := listAlerts(t, s)
	corr := by["Repeated console login failures from one address"]
	if len(corr) != 1 {
		t.Fatalf("correlation alerts after restart: %+v", by)
	}
	c := corr[0]
	if c.Kind != cairn.AlertCorrelation || c.GroupKey != "sourceIPAddress="+ip || c.Fields["value"] != "3" || c.Severity != "high" {
		t.Errorf("correlation alert %+v", c)
	}
	if fmt.Sprint(c.SampleEventIDs) != "[f-1 f-2 f-3]" {
		t.Errorf("samples %v", c.SampleEventIDs)
	}
	if !c.FirstSeen.Equal(t0) || !c.LastSeen.Equal(t0.Add(2*time.Minute)) {
		t.Errorf("range %v..%v", c.FirstSeen, c.LastSeen)
	}
	// generate: true keeps the detection alerts too.
	var n int64
	for _, a := range by["Console login failure"] {
		n += a.Count
	}
	if n != 3 {
		t.Errorf("detection matches %d, want 3", n)
	}

	// Without the saved state, a fresh store sees one failure only.
	s2 := openStore(t)
	commit(t, s2, newEngine(t, rules), third)
	if by := listAlerts(t, s2); by["Repeated console login failures from one address"] != nil {
		t.Fatal("correlation fired without the earlier failures")
	}
}

// A record whose raw form is not JSON is counted and skipped; the rest of
// the transaction is evaluated and commits.
func TestUnparsableRecordSkipped(t *testing.T) {
	s := openStore(t)
	e := meteredEngine(t)
	t0 := time.Date(2026, 10, 23, 12, 0, 0, 0, time.UTC)
	bad := &cairn.Event{Time: t0, Source: SourceCloudTrail, EventID: "bad-1", Raw: []byte(`{"eventName":`)}
	commit(t, s, e, []*cairn.Event{bad, loginFailure("ok-1", "192.0.2.1", t0)})
	if got := testutil.ToFloat64(e.m.errors.WithLabelValues("not_json")); got != 1 {
		t.Errorf("not_json errors %v", got)
	}
	if by := listAlerts(t, s); len(by["Console login failure"]) != 1 {
		t.Fatalf("alerts %+v", by)
	}
}
