package sigma

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// TestRuleSetRouting: rules only apply to the log sources they name.
func TestRuleSetRouting(t *testing.T) {
	src := `title: ct
id: ct
logsource: {product: aws, service: cloudtrail}
detection: {s: {eventName: X}, condition: s}
---
title: any aws
id: aws
logsource: {product: aws}
detection: {s: {eventName: X}, condition: s}
---
title: eks
id: eks
logsource: {product: aws, service: eks}
detection: {s: {eventName: X}, condition: s}
---
title: windows
id: win
logsource: {product: windows, category: process_creation}
detection: {s: {eventName: X}, condition: s}
---
title: correlation
id: corr
correlation: {type: event_count, rules: [ct], group-by: [a], timespan: 1m, condition: {gte: 2}}
`
	rules, errs := Parse([]byte(src), "r.yml", nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	rs := NewRuleSet(rules)
	got, err := rs.Match([]byte(`{"eventName":"x"}`))
	if err != nil || fmt.Sprint(got) != "[ct aws]" {
		t.Errorf("CloudTrail: %v %v", got, err)
	}
	got, _ = rs.MatchSource(LogSource{Product: "aws", Service: "eks"}, []byte(`{"eventName":"x"}`))
	if fmt.Sprint(got) != "[aws eks]" {
		t.Errorf("EKS: %v", got)
	}
	if _, err := rs.Match([]byte(`{"eventName":`)); err == nil {
		t.Error("invalid JSON accepted")
	}
	if n := len(rs.Rules(CloudTrail)); n != 2 {
		t.Errorf("%d CloudTrail rules", n)
	}
}

// TestRuleSetIndex: rules pinning eventName, eventSource or another index
// field are indexed, and the index never changes an answer (arrays of
// names, case, nested fields, unindexed).
func TestRuleSetIndex(t *testing.T) {
	src := `title: n
id: n
logsource: {}
detection: {s: {eventName: [CreateUser, DeleteUser]}, f: {userIdentity.type: Root}, condition: s and not f}
---
title: src
id: src
logsource: {}
detection: {s: [{eventSource: iam.amazonaws.com, a: 1}, {eventSource: sts.amazonaws.com}], condition: s}
---
title: or
id: or
logsource: {}
detection: {a: {eventName: A}, b: {eventName: B}, condition: a or b}
---
title: unindexed
id: un
logsource: {}
detection: {a: {eventName: A}, b: {x: 1}, condition: a or b}
---
title: cased
id: cased
logsource: {}
detection: {a: {eventName|cased: CreateUser}, condition: a}
---
title: root
id: root
logsource: {}
detection: {a: {userIdentity.type: Root}, f: {eventType: AwsServiceEvent}, condition: a and not f}
---
title: denied
id: denied
logsource: {}
detection: {a: {errorCode: [AccessDenied, UnauthorizedOperation]}, b: {userIdentity.type: AWSService}, condition: a and not b}
---
title: service event
id: svc
logsource: {}
detection: {a: {eventType: AwsServiceEvent}, condition: a}
`
	rules, errs := Parse([]byte(src), "r.yml", nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	rs := NewRuleSet(rules)
	st := rs.Stats(CloudTrail)
	if st.ByEventName != 3 || st.ByEventSource != 1 || st.ByOtherField != 3 || st.Unindexed != 1 {
		t.Errorf("stats %+v", st)
	}
	for ev, want := range map[string]string{
		`{"eventName":"createuser"}`:                                        "[n]",
		`{"eventName":"CreateUser"}`:                                        "[n cased]",
		`{"eventName":["B","DeleteUser"]}`:                                  "[n or]",
		`{"eventName":"B"}`:                                                 "[or]",
		`{"eventSource":"STS.amazonaws.com"}`:                               "[src]",
		`{"eventSource":"iam.amazonaws.com","x":1}`:                         "[un]",
		`{"eventSource":"iam.amazonaws.com","a":1}`:                         "[src]",
		`{"eventName":"CreateUser","userIdentity":{"type":"Root"}}`:         "[cased root]",
		`{"userIdentity":{"type":"root"},"eventType":"AwsApiCall"}`:         "[root]",
		`{"userIdentity":{"type":"Root"},"eventType":"AwsServiceEvent"}`:    "[svc]",
		`{"userIdentity":[{"type":"IAMUser"},{"type":"Root"}]}`:             "[root]",
		`{"userIdentity.type":"Root"}`:                                      "[root]",
		`{"errorCode":"accessdenied","userIdentity":{"type":"Root"}}`:       "[root denied]",
		`{"errorCode":"AccessDenied","userIdentity":{"type":"AWSService"}}`: "[]",
		`{"errorCode":["Other","UnauthorizedOperation"]}`:                   "[denied]",
		`[]`:    "[]",
		`"str"`: "[]",
	} {
		got, err := rs.Match([]byte(ev))
		if err != nil || fmt.Sprint(got) != want && !(want == "[]" && got == nil) {
			t.Errorf("%s: %v %v, want %s", ev, got, err, want)
		}
	}
}

// TestRuleSetConcurrent: one RuleSet serves many goroutines (run with -race).
func TestRuleSetConcurrent(t *testing.T) {
	rules := loadTestRules(t)
	rs := NewRuleSet(rules)
	evs := loadLabeled(t)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				l := evs[(i+g)%len(evs)]
				if _, err := rs.Match(l.Event); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestEventAccessors(t *testing.T) {
	e := mustEvent(t, `{"eventTime":"2026-01-12T10:00:00Z","a":{"b":[1,"x",null,{"c":true}]},"k.d":"dotted","s":"\u00e9\n"}`)
	if got := fmt.Sprint(e.Values("a.b")); got != `[1 x {"c":true}]` {
		t.Errorf("Values: %s", got)
	}
	if v, ok := e.Value("k.d"); !ok || v != "dotted" {
		t.Errorf("dotted key: %q %v", v, ok)
	}
	if v, _ := e.Value("s"); v != "é\n" {
		t.Errorf("escapes: %q", v)
	}
	if v, _ := e.Value("a"); v != `{"b":[1,"x",null,{"c":true}]}` {
		t.Errorf("object text: %s", v)
	}
	if _, ok := e.Value("nope"); ok {
		t.Error("missing field found")
	}
	if ts, ok := EventTime(e); !ok || ts.Hour() != 10 {
		t.Errorf("EventTime: %v %v", ts, ok)
	}
	for _, bad := range []string{``, `{`, `{"a"}`, `{"a":}`, `[1,]`, `{"a":1,}`, `nul`, `"\x"`, `01`, `1.`, `-`, `1e`, `{"a":1} x`, "\"\x01\""} {
		if _, err := ParseEvent([]byte(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestIsRuleFile(t *testing.T) {
	for name, want := range map[string]bool{"a.yml": true, "a.yaml": true, "a_test.yml": false, "a.tests.yaml": false,
		"a.json": false, "latest.yml": true, "a_tests.yml": false} {
		if isRuleFile(name) != want {
			t.Errorf("isRuleFile(%q) != %v", name, want)
		}
	}
}

// TestRuleSetIndexAgreesWithFullScan: over the labeled test events and,
// when the datasets are present, Panther's 475 CloudTrail cases with the
// SigmaHQ rules added, the index picks exactly the rules a scan of every
// rule matches.
func TestRuleSetIndexAgreesWithFullScan(t *testing.T) {
	rules := loadTestRules(t)
	var events []json.RawMessage
	for _, c := range loadLabeled(t) {
		events = append(events, c.Event)
	}
	if dir := filepath.Join(datasets, "sigma/rules/cloud/aws/cloudtrail"); dirExists(dir) {
		hq, errs := LoadDir(dir, nil)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		rules = append(rules, hq...)
	}
	if data, err := os.ReadFile(filepath.Join(datasets, "panther/panther_cloudtrail_tests.jsonl")); err == nil {
		for _, line := range bytes.Split(data, []byte("\n")) {
			var tc struct {
				Log json.RawMessage `json:"log"`
			}
			if json.Unmarshal(line, &tc) == nil && len(tc.Log) > 0 {
				events = append(events, tc.Log)
			}
		}
	}
	rs := NewRuleSet(rules)
	all := rs.Rules(CloudTrail)
	matches := 0
	for i, raw := range events {
		e, err := ParseEvent(raw)
		if err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		var full []string
		for _, r := range all {
			if r.Match(e) {
				full = append(full, r.Key())
			}
		}
		var got []string
		for _, r := range rs.Eval(CloudTrail, e, nil) {
			got = append(got, r.Key())
		}
		if fmt.Sprint(got) != fmt.Sprint(full) {
			t.Errorf("event %d: index matched %v, full scan %v", i, got, full)
		}
		matches += len(full)
	}
	if matches == 0 {
		t.Fatal("no event matched any rule: the comparison proves nothing")
	}
	t.Logf("%d events, %d rules, %d matches agree", len(events), len(all), matches)
}

func dirExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
