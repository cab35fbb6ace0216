package rulepack

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cairn-sec/cairn/sigma"
)

const runnerRules = `title: Trail Stopped
id: 11111111-0000-4000-8000-000000000001
name: stopped
logsource: {product: aws, service: cloudtrail}
detection:
    selection: {eventName: StopLogging}
    condition: selection
level: high
---
title: Trail Stopped Twice
id: 11111111-0000-4000-8000-000000000002
correlation:
    type: event_count
    rules: [stopped]
    group-by: [userIdentity.arn]
    timespan: 10m
    condition: {gte: 2}
level: high
---
title: Something Else
id: 11111111-0000-4000-8000-000000000003
logsource: {product: aws, service: cloudtrail}
detection:
    selection: {eventName: DeleteTrail}
    condition: selection
level: high
`

func runnerFixture(t *testing.T) (*Runner, string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "r.yml")
	if err := writeFile(file, runnerRules); err != nil {
		t.Fatal(err)
	}
	rules, errs := sigma.Parse([]byte(runnerRules), file, nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	rules, errs = sigma.Resolve(rules)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return NewRunner(rules), file
}

func TestRulesRunnerVerdicts(t *testing.T) {
	run, file := runnerFixture(t)
	src := `- name: fires twice within ten minutes
  rule: Trail Stopped Twice
  match: true
  fires: 1
  group: {userIdentity.arn: "arn:aws:iam::1:user/a"}
  events:
    - &e {eventName: StopLogging, eventTime: "2026-01-01T00:00:00Z", userIdentity: {arn: "arn:aws:iam::1:user/a"}}
    - {<<: *e, eventTime: "2026-01-01T00:05:00Z"}
- name: wrong expectation
  rule: stopped
  match: false
  event: *e
- name: wrong count
  rule: stopped
  match: true
  fires: 3
  events: [*e, *e]
- name: wrong group
  rule: 11111111-0000-4000-8000-000000000002
  match: true
  group: {userIdentity.arn: someone-else}
  events: [*e, *e]
- name: ambiguous
  match: true
  event: *e
- name: unknown rule
  rule: nope
  match: true
  event: *e
- name: correlation needs times
  rule: Trail Stopped Twice
  match: false
  event: {eventName: StopLogging}
- name: not JSON
  rule: stopped
  match: false
  source: aws.nosuchsource
  event: *e
- name: first_seen on a plain rule
  rule: stopped
  match: true
  first_seen: true
  event: *e
`
	cases, err := ParseCases([]byte(src), "r.tests.yml")
	if err != nil {
		t.Fatal(err)
	}
	res := run.Run("r.tests.yml", file, cases)
	want := []string{
		"",
		"expected no firing; the rule fired 1 time(s)",
		"fired 2 time(s), want 3",
		`fired with userIdentity.arn="arn:aws:iam::1:user/a", want "someone-else"`,
		"r.yml holds 2 rules: say which one the case tests",
		`no loaded rule with id, name or title "nope"`,
		"record 1 has no time field for a correlation",
		`unknown source "aws.nosuchsource"`,
		"first_seen: the rule has no cairn.new_value attribute",
	}
	if len(res) != len(want) {
		t.Fatalf("%d results", len(res))
	}
	for i, r := range res {
		got := ""
		if r.Err != nil {
			got = r.Err.Error()
		}
		if (want[i] == "") != r.Pass() || !strings.Contains(got, want[i]) {
			t.Errorf("%s: error %q, want %q", r.Case, got, want[i])
		}
	}
	if res[0].Rule != "11111111-0000-4000-8000-000000000002" || res[0].Fired != 1 || res[0].Line != 1 {
		t.Errorf("result %+v", res[0])
	}
}

func TestRulesEventTimeAndSources(t *testing.T) {
	for _, c := range []struct {
		source, rec, want string
	}{
		{"aws.cloudtrail", `{"eventTime":"2026-11-02T10:15:03Z"}`, "2026-11-02T10:15:03Z"},
		{"aws.vpcflow", `{"start":"1762077600","end":"1762077660"}`, "2025-11-02T10:00:00Z"},
		{"aws.route53resolver", `{"query_timestamp":"2022-06-25 00:27:53"}`, "2022-06-25T00:27:53Z"},
		{"aws.eks.audit", `{"requestReceivedTimestamp":"2026-11-02T10:15:03.123456Z"}`, "2026-11-02T10:15:03.123456Z"},
	} {
		ls, ok := LogSource(c.source)
		if !ok || SourceName(ls) != c.source {
			t.Fatalf("%s: logsource %+v %v", c.source, ls, ok)
		}
		e, err := sigma.ParseEvent([]byte(c.rec))
		if err != nil {
			t.Fatal(err)
		}
		got, ok := EventTime(ls, e)
		if !ok || got.Format("2006-01-02T15:04:05.999999Z07:00") != c.want {
			t.Errorf("%s: %v %v, want %s", c.source, got, ok, c.want)
		}
	}
	if _, ok := LogSource("aws.alb"); ok {
		t.Error("unknown source accepted")
	}
}

// TestRulesRunTestsUserPaths: a user's directory loads with the shipped
// pack, only its own files are tested, and a broken rule file is reported
// with its failing test file.
func TestRulesRunTestsUserPaths(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		if err := writeFile(dir+"/"+name, body); err != nil {
			t.Fatal(err)
		}
	}
	write("mine.yml", strings.Split(strings.Replace(runnerRules, "name: stopped", "name: my_stopped", 1), "---")[0])
	write("mine.tests.yml", "- name: ok\n  rule: my_stopped\n  match: true\n  event: {eventName: StopLogging}\n")
	write("broken.yml", "title: Broken\nlogsource: {product: aws}\ndetection: {sel: {a|nomod: 1}, condition: sel}\n")
	write("broken.tests.yml", "- name: x\n  match: true\n  event: {a: 1}\n")
	rep := RunTestsFor(Options{Paths: []string{dir}}, func(f string) bool { return strings.HasPrefix(f, dir) })
	if len(rep.Results) != 2 || rep.Failed() != 1 || rep.Rules != 1 {
		t.Fatalf("report %+v", rep)
	}
	if len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0].Error(), "broken.yml:3") {
		t.Errorf("errors %v", rep.Errors)
	}
	for _, r := range rep.Results {
		if strings.HasSuffix(r.File, "broken.tests.yml") && (r.Pass() || !strings.Contains(r.Err.Error(), "no loaded rule")) {
			t.Errorf("broken rule's case: %+v", r)
		}
	}
	if rep.OK() {
		t.Error("report OK despite a failure")
	}
}

func writeFile(path, body string) error { return os.WriteFile(path, []byte(body), 0o644) }

// TestRulesUserDirNamedShipped: a user's relative directory called
// "shipped" is read from disk, not confused with the embedded pack.
func TestRulesUserDirNamedShipped(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := os.Mkdir("shipped", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := writeFile("shipped/mine.yml", strings.Split(runnerRules, "---")[0]); err != nil {
		t.Fatal(err)
	}
	if err := writeFile("shipped/mine.tests.yml", "- name: ok\n  match: true\n  event: {eventName: StopLogging}\n"); err != nil {
		t.Fatal(err)
	}
	rep := RunTests(Options{Paths: []string{"shipped"}, NoShipped: true})
	if !rep.OK() || len(rep.Results) != 1 || rep.Results[0].File != "shipped/mine.tests.yml" || IsShipped(rep.Results[0].File) {
		t.Fatalf("report %+v", rep)
	}
}
