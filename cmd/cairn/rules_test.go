package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// A user's rule directory: a correlation built on a shipped detection (by
// name), with a passing and a failing test, and a broken rule.
const userCorrelation = `title: Two Failed Sign-Ins For One User
id: 5d1b9a8e-7c6f-4e3d-8b2a-1f0e9d8c7b6a
status: test
description: Two failed console sign-ins for the same user within a minute.
author: Example Corp
tags: [attack.credential-access, attack.t1110.001]
correlation:
    type: event_count
    rules: [console_login_failed]
    group-by: [userIdentity.userName]
    timespan: 1m
    condition: {gte: 2}
level: low
`

const userCorrelationTests = `- name: two failures in ten seconds
  match: true
  fires: 1
  events:
    - &fail
      eventVersion: "1.09"
      userIdentity: {type: IAMUser, accountId: "111122223333", principalId: AIDAEXAMPLE, userName: bob}
      eventTime: "2026-11-02T10:00:00Z"
      eventSource: signin.amazonaws.com
      eventName: ConsoleLogin
      awsRegion: us-east-1
      sourceIPAddress: 198.51.100.7
      responseElements: {ConsoleLogin: Failure}
      eventID: 11111111-1111-4111-8111-111111111111
      eventType: AwsConsoleSignIn
    - <<: *fail
      eventTime: "2026-11-02T10:00:10Z"
      eventID: 22222222-2222-4222-8222-222222222222
- name: deliberately wrong expectation
  match: false
  events:
    - *fail
    - <<: *fail
      eventTime: "2026-11-02T10:00:20Z"
`

const brokenRule = `title: Broken
id: 0f9e8d7c-6b5a-4f3e-9d2c-1b0a9f8e7d6c
logsource: {product: aws, service: cloudtrail}
detection:
    selection:
        eventName|nosuchmodifier: StopLogging
    condition: selection
level: high
`

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRulesListShipped(t *testing.T) {
	c := newCLI(t)
	r := c.ok("rules", "list", "--format", "json")
	var rows []ruleRow
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
		t.Fatalf("%v\n%s", err, r)
	}
	sources := map[string]int{}
	for _, row := range rows {
		sources[row.Source]++
		if row.Author != "Cairn" || row.Level == "" || row.ID == "" || len(row.Tags) == 0 {
			t.Errorf("incomplete row %+v", row)
		}
	}
	if sources["aws.cloudtrail"] < 40 || sources["aws.vpcflow"] == 0 || sources["aws.route53resolver"] == 0 || sources["aws.eks.audit"] == 0 {
		t.Errorf("rules per source %v", sources)
	}
	table := c.ok("rules", "list").stdout
	for _, want := range []string{"id", "title", "level", "tags", "source", "author", "CloudTrail Logging Stopped Or Trail Deleted", "aws.eks.audit"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q", want)
		}
	}
}

func TestRulesLint(t *testing.T) {
	c := newCLI(t)
	if out := c.ok("rules", "lint").stdout; !regexp.MustCompile(`(?m)^\d+ rules loaded, 0 problems$`).MatchString(out) {
		t.Errorf("shipped lint: %s", out)
	}
	dir := filepath.Join(c.work, "myrules")
	badExtension := strings.Replace(brokenRule, "eventName|nosuchmodifier", "eventName", 1) + "cairn: {new_value: {fields: [userIdentity.arn], learning: a-while}}\n"
	badExtension = strings.Replace(badExtension, "0f9e8d7c", "1f9e8d7c", 1)
	writeFiles(t, dir, map[string]string{"two_failures.yml": userCorrelation, "broken/broken.yml": brokenRule, "ext.yml": badExtension})
	r := c.fails(1, "rules", "lint", dir)
	if !strings.Contains(r.stdout, filepath.Join(dir, "broken", "broken.yml")+`:6: field "eventName|nosuchmodifier": unknown modifier "nosuchmodifier"`) {
		t.Errorf("lint does not name file, line and problem:\n%s", r)
	}
	if !strings.Contains(r.stdout, filepath.Join(dir, "ext.yml")+`:9: cairn.new_value: bad duration "a-while"`) {
		t.Errorf("lint does not check the new_value extension:\n%s", r)
	}
	if !strings.Contains(r.stdout, "rules loaded, 2 problems") {
		t.Errorf("lint summary:\n%s", r)
	}
	// Without the shipped pack the correlation's reference is unknown.
	r = c.fails(1, "rules", "lint", "--no-shipped", filepath.Join(dir, "two_failures.yml"))
	if !strings.Contains(r.stdout, `refers to unknown rule "console_login_failed"`) {
		t.Errorf("lint --no-shipped:\n%s", r)
	}
}

func TestRulesTest(t *testing.T) {
	c := newCLI(t)
	out := c.ok("rules", "test").stdout
	if !regexp.MustCompile(`(?m)^\d+ rules, \d+ cases: \d+ passed, 0 failed, 0 load errors, 0 rules without tests$`).MatchString(out) {
		t.Errorf("shipped tests: %s", out)
	}
	dir := filepath.Join(c.work, "myrules")
	writeFiles(t, dir, map[string]string{"two_failures.yml": userCorrelation, "two_failures.tests.yml": userCorrelationTests})
	r := c.fails(1, "rules", "test", "-v", dir)
	for _, want := range []string{
		"ok    " + filepath.Join(dir, "two_failures.tests.yml") + ":1: two failures in ten seconds",
		"FAIL  " + filepath.Join(dir, "two_failures.tests.yml") + ":19: deliberately wrong expectation [Two Failed Sign-Ins For One User]: expected no firing; the rule fired 1 time(s)",
		"1 rules, 2 cases: 1 passed, 1 failed",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("missing %q\n%s", want, r)
		}
	}
	// A rule file without tests is reported (exit 0: no case failed).
	writeFiles(t, dir, map[string]string{"two_failures.tests.yml": "", "other/lonely.yml": strings.Replace(userCorrelation, "5d1b9a8e", "6d1b9a8e", 1)})
	os.Remove(filepath.Join(dir, "two_failures.tests.yml"))
	r = c.ok("rules", "test", filepath.Join(dir, "other")) // reported, not a failure
	if !strings.Contains(r.stdout, "NOTEST") || !strings.Contains(r.stdout, "lonely.yml") {
		t.Errorf("untested rule not reported\n%s", r)
	}
}
