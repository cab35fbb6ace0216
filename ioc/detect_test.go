package ioc

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/duckdb"
)

type fixedSet struct{ s *Set }

func (f fixedSet) Set() *Set { return f.s }

// Matches raise ioc alerts in the transaction that stores the events;
// later sightings of an indicator update its alert.
func TestDetectorInStore(t *testing.T) {
	ctx := context.Background()
	store, err := duckdb.Open(ctx, duckdb.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	res, err := ParsePlain(strings.NewReader("198.51.100.0/24\n999988887777\nevil.example\n"), "feed", "feed.txt")
	if err != nil {
		t.Fatal(err)
	}
	det := NewDetector(DetectorOptions{Sets: fixedSet{NewSet(res.Indicators)}, Severity: map[string]string{"feed": "critical"}, Suppression: time.Hour})
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	commit := func(evs ...*cairn.Event) {
		t.Helper()
		tx, err := store.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.Append(ctx, evs); err != nil {
			t.Fatal(err)
		}
		if err := det.Detect(ctx, tx); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	commit(
		&cairn.Event{Time: t0, Source: "aws.cloudtrail", EventID: "e1", SourceIP: "198.51.100.7",
			UserARN: "arn:aws:sts::999988887777:assumed-role/X/y", Resources: []byte(`[{"accountId":"999988887777"}]`)},
		&cairn.Event{Time: t0.Add(time.Minute), Source: "aws.cloudtrail", EventID: "e2", SourceIP: "198.51.100.8"},
		&cairn.Event{Time: t0, Source: "aws.route53resolver", EventID: "d1", SourceIP: "10.0.0.5", QueryName: "x.evil.example."},
		&cairn.Event{Time: t0, Source: "aws.cloudtrail", EventID: "clean", SourceIP: "192.0.2.1"},
	)
	// The same events again (a redelivered object) are duplicates: no new counts.
	commit(&cairn.Event{Time: t0, Source: "aws.cloudtrail", EventID: "e1", SourceIP: "198.51.100.7"})
	// A later sighting within the window updates the alert.
	commit(&cairn.Event{Time: t0.Add(10 * time.Minute), Source: "aws.cloudtrail", EventID: "e3", SourceIP: "198.51.100.200"})

	alerts, err := store.ListAlerts(ctx, cairn.AlertFilter{Kind: cairn.AlertIOC})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]cairn.Alert{}
	for _, a := range alerts {
		got[a.GroupKey] = a
	}
	if len(alerts) != 3 {
		t.Fatalf("%d alerts: %+v", len(alerts), alerts)
	}
	cidr := got["cidr|198.51.100.0/24"]
	if cidr.Count != 3 || cidr.RuleID != "feed" || cidr.Severity != "critical" || cidr.Fields["field"] != "source_ip" ||
		cidr.Fields["list"] != "feed" || cidr.Fields["indicator_type"] != "cidr" || !cidr.LastSeen.Equal(t0.Add(10*time.Minute)) ||
		strings.Join(cidr.SampleEventIDs, ",") != "e1,e2,e3" {
		t.Errorf("cidr alert %+v", cidr)
	}
	// One event naming the account twice counts once.
	if acct := got["account_id|999988887777"]; acct.Count != 1 || acct.Fields["field"] != "user_arn.account_id" {
		t.Errorf("account alert %+v", acct)
	}
	if dns := got["domain|evil.example"]; dns.Count != 1 || dns.Source != "aws.route53resolver" || dns.Fields["value"] != "x.evil.example" {
		t.Errorf("domain alert %+v", dns)
	}
}

func TestDetectorNoIndicators(t *testing.T) {
	det := NewDetector(DetectorOptions{Sets: fixedSet{nil}})
	// With no indicators the transaction is not even looked at.
	if err := det.Detect(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
}
