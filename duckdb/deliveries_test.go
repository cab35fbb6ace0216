package duckdb

import (
	"context"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
)

// The due query follows the delivery policy: first delivery of recent
// alerts at or above the output's severity, retries when scheduled,
// re-sends on a severity rise or (after ResendAfter) a count rise, none
// for closed alerts.
func TestDueAlertsPolicy(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	t0 := time.Now().UTC().Truncate(time.Second).Add(-time.Hour)
	tx, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Append(ctx, []*cairn.Event{{Time: t0, Source: "aws.cloudtrail", EventID: "e1", EventName: "CreateUser", SourceIP: "198.51.100.1"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	high := testAlert("r1", "alice", t0, "e1")
	low := testAlert("r2", "bob", t0, "e9")
	low.Severity = "low"
	if _, err := s.UpsertAlerts(ctx, []cairn.Alert{high, low}, time.Hour); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	q := func(at time.Time, resend time.Duration) cairn.DeliveryQuery {
		return cairn.DeliveryQuery{Output: "hook", MinSeverity: "medium", Now: at, ResendAfter: resend}
	}
	due := func(step string, dq cairn.DeliveryQuery, want ...string) []cairn.DueAlert {
		t.Helper()
		got, err := s.DueAlerts(ctx, dq)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		var ids []string
		for _, d := range got {
			ids = append(ids, d.Alert.ID)
		}
		if len(ids) != len(want) || (len(want) == 1 && ids[0] != want[0]) {
			t.Fatalf("%s: due %v, want %v", step, ids, want)
		}
		n, err := s.CountDueAlerts(ctx, dq)
		if err != nil || n != len(want) {
			t.Fatalf("%s: count %d %v, want %d", step, n, err, len(want))
		}
		return got
	}
	got := due("first", q(now, 0), high.ID)
	if got[0].Sample["event_name"] != "CreateUser" || got[0].Sample["source_ip"] != "198.51.100.1" || got[0].Delivery.Attempts != 0 {
		t.Errorf("first: %+v", got[0])
	}
	// Another output has its own state; everything at or above low is due there.
	if n, _ := s.CountDueAlerts(ctx, cairn.DeliveryQuery{Output: "other", MinSeverity: "low", Now: now}); n != 2 {
		t.Errorf("other output: %d due", n)
	}
	// A new output does not replay old alerts.
	due("too old for a first delivery", q(now.Add(25*time.Hour), 0))

	// A failure schedules a retry.
	if err := s.RecordDelivery(ctx, cairn.AlertDelivery{AlertID: high.ID, Output: "hook", Attempts: 1, NextAttempt: now.Add(time.Minute), LastError: "HTTP 500"}); err != nil {
		t.Fatal(err)
	}
	due("retry not yet", q(now, 0))
	got = due("retry", q(now.Add(2*time.Minute), 0), high.ID)
	if got[0].Delivery.Attempts != 1 || got[0].Delivery.LastError != "HTTP 500" || !got[0].Delivery.DeliveredAt.IsZero() {
		t.Errorf("retry state %+v", got[0].Delivery)
	}
	// Still retried however old the alert gets.
	due("retry after a long outage", q(now.Add(72*time.Hour), 0), high.ID)

	// Delivered.
	at := now.Add(2 * time.Minute)
	if err := s.RecordDelivery(ctx, cairn.AlertDelivery{AlertID: high.ID, Output: "hook", NextAttempt: at, DeliveredAt: at, SentSeverity: "high", SentCount: 1}); err != nil {
		t.Fatal(err)
	}
	due("delivered", q(at.Add(time.Minute), time.Hour))

	// More matches: re-sent only after ResendAfter, never with 0.
	if _, err := s.UpsertAlerts(ctx, []cairn.Alert{testAlert("r1", "alice", t0.Add(time.Minute), "e2")}, time.Hour); err != nil {
		t.Fatal(err)
	}
	due("count rose, too soon", q(at.Add(time.Minute), time.Hour))
	due("count rose, resend off", q(at.Add(2*time.Hour), 0))
	got = due("count rose, resend", q(at.Add(2*time.Hour), time.Hour), high.ID)
	if got[0].Alert.Count != 2 || got[0].Delivery.SentCount != 1 {
		t.Errorf("resend state %+v", got[0])
	}

	// A severity rise is re-sent at once.
	if _, err := s.db.ExecContext(ctx, `UPDATE alert_versions SET severity = 'critical' WHERE id = ?`, high.ID); err != nil {
		t.Fatal(err)
	}
	due("severity rose", q(at.Add(time.Minute), 0), high.ID)

	// Closed alerts are not re-sent.
	if err := s.SetAlertStatus(ctx, high.ID, cairn.AlertClosed); err != nil {
		t.Fatal(err)
	}
	due("closed", q(at.Add(2*time.Hour), time.Hour))
}
