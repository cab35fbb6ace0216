package rulepack

import (
	"regexp"
	"strings"
	"testing"

	"github.com/cairn-sec/cairn/sigma"
)

var uuidRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// TestShippedRulesLoad: every shipped rule loads and carries the metadata
// the pack promises.
func TestShippedRulesLoad(t *testing.T) {
	rules, errs := Load(Options{})
	for _, err := range errs {
		t.Errorf("load: %v", err)
	}
	if len(rules) == 0 {
		t.Fatal("no shipped rules")
	}
	ids := map[string]string{}
	for _, r := range rules {
		where := r.File + ": " + r.Title
		if !uuidRe.MatchString(r.ID) {
			t.Errorf("%s: id %q is not a UUID", where, r.ID)
		}
		if prev, dup := ids[r.ID]; dup {
			t.Errorf("%s: id reused from %s", where, prev)
		}
		ids[r.ID] = where
		if r.Author != "Cairn" || r.License == "" || r.Level == "" || r.Description == "" {
			t.Errorf("%s: author %q license %q level %q, description set %v", where, r.Author, r.License, r.Level, r.Description != "")
		}
		if len(r.References) == 0 || len(r.Falsepositives) == 0 {
			t.Errorf("%s: needs references and falsepositives", where)
		}
		if r.Status != "test" && r.Status != "experimental" {
			t.Errorf("%s: status %q (the pack's rules are test or experimental)", where, r.Status)
		}
		if r.Correlation == nil && SourceName(r.LogSource) == "" {
			t.Errorf("%s: logsource %+v matches no Cairn source", where, r.LogSource)
		}
	}
	// Alerting rules (not only feeding a correlation) carry ATT&CK tags.
	c, err := sigma.NewCorrelator(rules, sigma.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules {
		if !c.Standalone(r) {
			continue
		}
		tactic, technique := false, false
		for _, tag := range r.Tags {
			if strings.HasPrefix(tag, "attack.t") {
				technique = true
			} else if strings.HasPrefix(tag, "attack.") {
				tactic = true
			}
		}
		if !tactic || !technique {
			t.Errorf("%s: %s: needs an ATT&CK tactic and technique tag, has %v", r.File, r.Title, r.Tags)
		}
	}
}

// TestShippedRulesTests runs every shipped rule's test file.
func TestShippedRulesTests(t *testing.T) {
	rep := RunTests(Options{})
	for _, err := range rep.Errors {
		t.Errorf("%v", err)
	}
	for _, r := range rep.Untested {
		t.Errorf("%s: %s has no test file", r.File, r.Title)
	}
	pos, neg := map[string]bool{}, map[string]bool{}
	for _, res := range rep.Results {
		if !res.Pass() {
			t.Errorf("%s:%d: %s (%s): %v", res.File, res.Line, res.Case, res.Title, res.Err)
		}
		if res.Want {
			pos[res.Rule] = true
		} else {
			neg[res.Rule] = true
		}
	}
	t.Logf("%d rules, %d cases, %d failed", rep.Rules, len(rep.Results), rep.Failed())
	rules, _ := Load(Options{})
	c, _ := sigma.NewCorrelator(rules, sigma.Limits{})
	for _, r := range rules {
		if c != nil && !c.Standalone(r) {
			continue // exercised through its correlation
		}
		if !pos[r.Key()] || !neg[r.Key()] {
			t.Errorf("%s: %s needs a positive and a negative case (have %v/%v)", r.File, r.Title, pos[r.Key()], neg[r.Key()])
		}
	}
}
