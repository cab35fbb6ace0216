package duckdb

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
)

func TestDigestChecks(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	mark := func(key string, kind cairn.ObjectKind, sum string) {
		tx, err := s.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.MarkDone(ctx, cairn.ObjectRecord{Ref: cairn.ObjectRef{Bucket: "b", Key: key, ETag: "e-" + key}, Kind: kind, SHA256: sum}); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	mark("d2", cairn.KindCloudTrailDigest, "")
	mark("d1", cairn.KindCloudTrailDigest, "")
	mark("log", cairn.KindCloudTrail, "ab12")
	mark("old", cairn.KindCloudTrail, "")

	fresh, pending, err := s.DigestsToCheck(ctx, 10)
	if err != nil || len(pending) != 0 || len(fresh) != 2 || fresh[0].Key != "d1" || fresh[1].Key != "d2" {
		t.Fatalf("to check: %v %v %v", fresh, pending, err)
	}
	for key, want := range map[string]struct {
		sum   string
		found bool
	}{"log": {"ab12", true}, "old": {"", true}, "none": {"", false}} {
		sum, found, err := s.ObjectSHA256(ctx, "b", key)
		if err != nil || sum != want.sum || found != want.found {
			t.Errorf("%s: %q %v %v", key, sum, found, err)
		}
	}
	if seen, err := s.ChainChecked(ctx, "1/us-east-1/t/us-east-1"); err != nil || seen {
		t.Errorf("chain seen before any check: %v %v", seen, err)
	}
	end := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	c := cairn.DigestCheck{Bucket: "b", Key: "d1", Chain: "1/us-east-1/t/us-east-1", End: end, Signature: "5151", Hash: "ff", Status: "pending",
		Pending: cairn.DigestPending{Logs: []cairn.DigestLog{{Bucket: "b", Key: "later", SHA256: "cd"}}, Prev: "d0"}, CheckedAt: end}
	alert := cairn.Alert{Kind: cairn.AlertIntegrity, RuleID: "digest.chain-gap", Title: "gap", Severity: "medium", GroupKey: "s3://b/d1",
		FirstSeen: end, LastSeen: end, Count: 1, Status: cairn.AlertOpen}
	alert.SetID()
	if err := s.SaveDigestCheck(ctx, c, []cairn.Alert{alert}, time.Hour); err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.DigestCheck(ctx, "b", "d1")
	if err != nil || !ok || got.Status != "pending" || !reflect.DeepEqual(got.Pending, c.Pending) || got.Signature != "5151" || !got.End.Equal(end) {
		t.Fatalf("stored check: %+v %v %v", got, ok, err)
	}
	fresh, pending, err = s.DigestsToCheck(ctx, 10)
	if err != nil || len(fresh) != 1 || fresh[0].Key != "d2" || len(pending) != 1 || pending[0].Key != "d1" {
		t.Fatalf("after one check: %v %v %v", fresh, pending, err)
	}
	if seen, _ := s.ChainChecked(ctx, c.Chain); !seen {
		t.Error("chain not seen after a check")
	}
	// Saving again replaces the check; a resolved one is no longer pending.
	c.Status, c.Pending = "valid", cairn.DigestPending{}
	if err := s.SaveDigestCheck(ctx, c, nil, time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, pending, _ = s.DigestsToCheck(ctx, 10); len(pending) != 0 {
		t.Errorf("still pending: %v", pending)
	}
	alerts, err := s.ListAlerts(ctx, cairn.AlertFilter{Kind: cairn.AlertIntegrity})
	if err != nil || len(alerts) != 1 || alerts[0].RuleID != "digest.chain-gap" {
		t.Errorf("alerts: %v %v", alerts, err)
	}
}
