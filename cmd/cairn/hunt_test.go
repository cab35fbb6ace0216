package main

import (
	"encoding/json"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/cairn-sec/cairn"
)

// Detection rules of the CLI tests: the search fixture has one failed
// console login (s2) and one CreateUser (s4).
const (
	loginFailureRule = `title: Console login failure
id: 11111111-0000-4000-8000-000000000001
author: Jane Analyst
license: DRL-1.1
tags: [attack.credential-access]
logsource: {product: aws, service: cloudtrail}
detection:
  selection:
    eventName: ConsoleLogin
    responseElements.ConsoleLogin: Failure
  condition: selection
level: medium
`
	createUserRule = `title: IAM user created
id: 11111111-0000-4000-8000-000000000002
author: John Analyst
logsource: {product: aws, service: cloudtrail}
detection:
  selection:
    eventSource: iam.amazonaws.com
    eventName: CreateUser
  condition: selection
level: high
`
)

// detectCLI is a CLI whose cairn.yaml loads the two rules (and not the
// shipped pack, so the tests know every alert).
func detectCLI(t *testing.T) *cli {
	t.Helper()
	c := newCLI(t)
	writeFile(t, filepath.Join(c.work, "rules", "login.yml"), []byte(loginFailureRule))
	writeFile(t, filepath.Join(c.work, "rules", "iam", "create_user.yml"), []byte(createUserRule))
	writeFile(t, filepath.Join(c.work, "cairn.yaml"), []byte("detect:\n  shipped: false\n  rules: [rules]\n  suppression: 2h\n"))
	return c
}

// With no detect section, the shipped rule pack runs on ingest, and hunt
// runs it too, finding the same alerts.
func TestShippedPackByDefault(t *testing.T) {
	c := newCLI(t)
	ingestSearchFixture(t, c)
	stored := decodeAlerts(t, c.ok("alerts", "list", "--format", "json"))
	titles := map[string]bool{}
	for _, a := range stored {
		titles[a.Title] = true
		if a.Author != "Cairn" || a.Kind == "" || a.RuleID == "" {
			t.Errorf("shipped alert without rule metadata: %+v", a)
		}
	}
	if !titles["Root User Console Sign-In"] {
		t.Fatalf("the fixture's root console sign-in raised no shipped alert: %+v", stored)
	}
	hunted := decodeAlerts(t, c.ok("hunt", "--format", "json"))
	if len(hunted) != len(stored) {
		t.Errorf("hunt found %d alerts, streaming stored %d", len(hunted), len(stored))
	}
	for i := range hunted {
		if i < len(stored) && (hunted[i].RuleID != stored[i].RuleID || hunted[i].GroupKey != stored[i].GroupKey) {
			t.Errorf("alert %d: hunt %s/%s, stored %s/%s", i, hunted[i].RuleID, hunted[i].GroupKey, stored[i].RuleID, stored[i].GroupKey)
		}
	}
}

func decodeAlerts(t *testing.T, r result) []cairn.Alert {
	t.Helper()
	var as []cairn.Alert
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	if err := dec.Decode(&as); err != nil || as == nil {
		t.Fatalf("not one JSON array of alerts: %v\n%s", err, r)
	}
	if dec.More() {
		t.Fatalf("more than one JSON value\n%s", r)
	}
	sort.Slice(as, func(i, j int) bool {
		if as[i].RuleID != as[j].RuleID {
			return as[i].RuleID < as[j].RuleID
		}
		return as[i].GroupKey < as[j].GroupKey
	})
	return as
}

// cairn ingest raises alerts as it stores events; cairn hunt over the same
// store finds the same ones; --save records nothing twice.
func TestIngestAlertsAndHunt(t *testing.T) {
	c := detectCLI(t)
	ingestSearchFixture(t, c)

	stored := decodeAlerts(t, c.ok("alerts", "list", "--format", "json"))
	if len(stored) != 2 {
		t.Fatalf("stored alerts: %+v", stored)
	}
	login, user := stored[0], stored[1]
	if login.RuleID != "11111111-0000-4000-8000-000000000001" || login.Author != "Jane Analyst" || login.License != "DRL-1.1" ||
		login.Count != 1 || strings.Join(login.SampleEventIDs, ",") != "s2" || login.Severity != "medium" || login.Status != cairn.AlertOpen {
		t.Errorf("login alert: %+v", login)
	}
	if user.Title != "IAM user created" || user.Severity != "high" || strings.Join(user.SampleEventIDs, ",") != "s4" ||
		user.GroupKey != "111122223333|arn:aws:iam::111122223333:user/alice" {
		t.Errorf("create-user alert: %+v", user)
	}

	hunted := decodeAlerts(t, c.ok("hunt", "--format", "json"))
	if len(hunted) != len(stored) {
		t.Fatalf("hunt found %d alerts, streaming %d:\n%+v", len(hunted), len(stored), hunted)
	}
	for i := range hunted {
		h, s := hunted[i], stored[i]
		if h.ID != s.ID || h.RuleID != s.RuleID || h.Count != s.Count || !h.FirstSeen.Equal(s.FirstSeen) || h.GroupKey != s.GroupKey ||
			strings.Join(h.SampleEventIDs, ",") != strings.Join(s.SampleEventIDs, ",") {
			t.Errorf("hunt %+v\nstream %+v", h, s)
		}
	}
	// The raw JSON carries the documented keys.
	r := c.ok("hunt", "--format", "json", "--rules", filepath.Join(c.work, "rules", "iam"))
	var raw []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &raw); err != nil || len(raw) != 1 {
		t.Fatalf("%v\n%s", err, r)
	}
	for _, k := range []string{"rule_id", "title", "severity", "count", "first_seen", "last_seen", "group", "sample_event_ids", "author"} {
		if _, ok := raw[0][k]; !ok {
			t.Errorf("hunt JSON lacks %q: %v", k, raw[0])
		}
	}
	// Time range: the CreateUser is at 09:00 on 2024-05-01.
	if as := decodeAlerts(t, c.ok("hunt", "--format", "json", "--from", "2024-05-01T08:30:00Z", "--to", "2024-05-02")); len(as) != 1 || as[0].Title != "IAM user created" {
		t.Errorf("range hunt: %+v", as)
	}
	if as := decodeAlerts(t, c.ok("hunt", "--format", "json", "--from", "2024-06-01")); len(as) != 0 {
		t.Errorf("empty range: %+v", as)
	}
	// --save: the alerts streaming recorded are the same; nothing new.
	r = c.ok("hunt", "--save")
	if !strings.Contains(r.stderr, "0 created, 0 updated, 2 already recorded") || !strings.Contains(r.stdout, "IAM user created") {
		t.Errorf("hunt --save\n%s", r)
	}
	if n := len(decodeAlerts(t, c.ok("alerts", "list", "--format", "json"))); n != 2 {
		t.Errorf("%d alerts after --save", n)
	}

	// Usage errors.
	c.fails(2, "hunt", "--format", "csv")
	c.fails(2, "hunt", "--last", "1d", "--from", "2024-01-01")
	r = c.fails(2, "hunt", "--rules", filepath.Join(c.work, "nope"))
	if !strings.Contains(r.stderr, "nope") {
		t.Errorf("missing rules path not named\n%s", r)
	}
}

// A rule file that fails to load is named; the others still run.
func TestHuntBrokenRule(t *testing.T) {
	c := detectCLI(t)
	ingestSearchFixture(t, c)
	writeFile(t, filepath.Join(c.work, "rules", "broken.yml"), []byte("title: broken\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  sel: {eventName|nosuchmod: x}\n  condition: sel\n"))
	r := c.ok("hunt", "--format", "json")
	if !strings.Contains(r.stderr, "broken.yml") || !strings.Contains(r.stderr, "nosuchmod") {
		t.Errorf("broken rule not reported\n%s", r)
	}
	if as := decodeAlerts(t, r); len(as) != 2 {
		t.Errorf("alerts %+v", as)
	}
}
