package duckdb

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
)

func testAlert(rule, group string, at time.Time, ids ...string) cairn.Alert {
	a := cairn.Alert{Kind: cairn.AlertSigma, RuleID: rule, Title: "rule " + rule, Severity: "high", Tags: []string{"attack.t1098"},
		Author: "Jane Doe", License: "DRL-1.1", Source: "aws.cloudtrail", GroupKey: group,
		FirstSeen: at, LastSeen: at, Count: int64(len(ids)), SampleEventIDs: ids}
	a.SetID()
	return a
}

// Repeated matches within the suppression window update one alert; a later
// one, another group or a closed alert make new ones.
func TestUpsertAlertsSuppression(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	window := time.Hour
	steps := []struct {
		name string
		in   cairn.Alert
		want cairn.AlertCounts
	}{
		{"first", testAlert("r1", "alice", t0, "e1"), cairn.AlertCounts{Created: 1}},
		{"same window", testAlert("r1", "alice", t0.Add(30*time.Minute), "e2", "e3"), cairn.AlertCounts{Updated: 1}},
		{"earlier, within window", testAlert("r1", "alice", t0.Add(-20*time.Minute), "e0"), cairn.AlertCounts{Updated: 1}},
		{"other group", testAlert("r1", "bob", t0, "e4"), cairn.AlertCounts{Created: 1}},
		{"other rule", testAlert("r2", "alice", t0, "e5"), cairn.AlertCounts{Created: 1}},
		{"after the window", testAlert("r1", "alice", t0.Add(3*time.Hour), "e6"), cairn.AlertCounts{Created: 1}},
	}
	for _, st := range steps {
		got, err := s.UpsertAlerts(ctx, []cairn.Alert{st.in}, window)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got != st.want {
			t.Fatalf("%s: got %+v, want %+v", st.name, got, st.want)
		}
	}
	all, err := s.ListAlerts(ctx, cairn.AlertFilter{RuleIDs: []string{"r1"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 {
		t.Fatalf("r1 alerts: %d, want 3: %+v", len(all), all)
	}
	var merged cairn.Alert
	for _, a := range all {
		if a.GroupKey == "alice" && a.Count == 4 {
			merged = a
		}
	}
	if merged.ID == "" {
		t.Fatalf("no merged alert with count 4: %+v", all)
	}
	if !merged.FirstSeen.Equal(t0.Add(-20*time.Minute)) || !merged.LastSeen.Equal(t0.Add(30*time.Minute)) {
		t.Errorf("merged range %v..%v", merged.FirstSeen, merged.LastSeen)
	}
	if want := []string{"e0", "e1", "e2", "e3"}; !slices.Equal(merged.SampleEventIDs, want) {
		t.Errorf("samples %v, want %v", merged.SampleEventIDs, want)
	}
	if merged.Author != "Jane Doe" || merged.License != "DRL-1.1" || !slices.Equal(merged.Tags, []string{"attack.t1098"}) || merged.Status != cairn.AlertOpen {
		t.Errorf("metadata lost: %+v", merged)
	}

	// The same matches saved again are not counted twice.
	again, err := s.UpsertAlerts(ctx, []cairn.Alert{steps[0].in}, window)
	if err != nil || again != (cairn.AlertCounts{Unchanged: 1}) {
		t.Fatalf("re-save: %+v %v", again, err)
	}

	// A closed alert absorbs nothing.
	if err := s.SetAlertStatus(ctx, merged.ID, cairn.AlertClosed); err != nil {
		t.Fatal(err)
	}
	got, err := s.UpsertAlerts(ctx, []cairn.Alert{testAlert("r1", "alice", t0.Add(31*time.Minute), "e7")}, window)
	if err != nil || got != (cairn.AlertCounts{Created: 1}) {
		t.Fatalf("after close: %+v %v", got, err)
	}
	closed, err := s.GetAlert(ctx, merged.ID)
	if err != nil || closed.Status != cairn.AlertClosed || closed.Count != 4 {
		t.Fatalf("closed alert: %+v %v", closed, err)
	}
}

func TestSamplesBounded(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for i := range 30 {
		if _, err := s.UpsertAlerts(ctx, []cairn.Alert{testAlert("r", "g", t0.Add(time.Duration(i)*time.Second), fmt.Sprintf("e%02d", i))}, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	as, err := s.ListAlerts(ctx, cairn.AlertFilter{})
	if err != nil || len(as) != 1 {
		t.Fatalf("%d alerts, %v", len(as), err)
	}
	if as[0].Count != 30 || len(as[0].SampleEventIDs) != cairn.MaxAlertSamples || as[0].SampleEventIDs[0] != "e00" {
		t.Fatalf("count %d samples %v", as[0].Count, as[0].SampleEventIDs)
	}
}

func TestListAlertFilters(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	mk := func(rule, sev string, at time.Time) cairn.Alert {
		a := testAlert(rule, "g", at, rule+"-e")
		a.Severity = sev
		a.SetID()
		return a
	}
	in := []cairn.Alert{mk("low1", "low", t0), mk("med1", "medium", t0.Add(time.Hour)), mk("crit1", "critical", t0.Add(2*time.Hour))}
	if _, err := s.UpsertAlerts(ctx, in, time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAlertStatus(ctx, in[1].ID, cairn.AlertAcknowledged); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		f    cairn.AlertFilter
		want []string
	}{
		{"all, newest first", cairn.AlertFilter{}, []string{"crit1", "med1", "low1"}},
		{"min severity", cairn.AlertFilter{MinSeverity: "medium"}, []string{"crit1", "med1"}},
		{"status", cairn.AlertFilter{Status: []cairn.AlertStatus{cairn.AlertOpen}}, []string{"crit1", "low1"}},
		{"rule", cairn.AlertFilter{RuleIDs: []string{"low1", "med1"}}, []string{"med1", "low1"}},
		{"time", cairn.AlertFilter{From: t0.Add(30 * time.Minute), To: t0.Add(90 * time.Minute)}, []string{"med1"}},
		{"limit", cairn.AlertFilter{Limit: 1}, []string{"crit1"}},
		{"kind", cairn.AlertFilter{Kind: cairn.AlertIOC}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			as, err := s.ListAlerts(ctx, c.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range as {
				got = append(got, a.RuleID)
			}
			if !slices.Equal(got, c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}
	if err := s.SetAlertStatus(ctx, "al-nope", cairn.AlertClosed); !errors.Is(err, cairn.ErrNoSuchAlert) {
		t.Fatalf("unknown id: %v", err)
	}
	if _, err := s.GetAlert(ctx, "al-nope"); !errors.Is(err, cairn.ErrNoSuchAlert) {
		t.Fatalf("unknown id: %v", err)
	}
}

// Alerts and state written in a transaction commit with its events, or
// vanish with them on rollback; Inserted leaves duplicates out.
func TestAlertsInEventTransaction(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	write := func(commit bool, evs ...*cairn.Event) []*cairn.Event {
		t.Helper()
		wtx, err := s.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		tx := wtx.(*Tx)
		if err := tx.Append(ctx, evs); err != nil {
			t.Fatal(err)
		}
		ins, err := tx.Inserted(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.UpsertAlerts(ctx, []cairn.Alert{testAlert("r", "g", evs[0].Time, evs[0].EventID)}, time.Hour); err != nil {
			t.Fatal(err)
		}
		if err := tx.SaveState(ctx, "engine", int64(len(ins)), []byte(`{"n":1}`)); err != nil {
			t.Fatal(err)
		}
		if commit {
			if _, err := tx.Commit(ctx); err != nil {
				t.Fatal(err)
			}
		} else if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		return ins
	}
	write(false, testEvent(1, t0))
	if as, _ := s.ListAlerts(ctx, cairn.AlertFilter{}); len(as) != 0 {
		t.Fatalf("rolled back alert visible: %+v", as)
	}
	if gen, st, err := s.LoadState(ctx, "engine"); err != nil || gen != 0 || st != nil {
		t.Fatalf("rolled back state: %d %q %v", gen, st, err)
	}
	if ins := write(true, testEvent(1, t0), testEvent(2, t0)); len(ins) != 2 {
		t.Fatalf("inserted %d, want 2", len(ins))
	}
	ins := write(true, testEvent(2, t0), testEvent(3, t0), testEvent(3, t0))
	if len(ins) != 1 || ins[0].EventID != testEvent(3, t0).EventID {
		t.Fatalf("inserted %v, want only event 3", ins)
	}
	if gen, st, err := s.LoadState(ctx, "engine"); err != nil || gen != 1 || string(st) != `{"n":1}` {
		t.Fatalf("state: %d %q %v", gen, st, err)
	}
}
