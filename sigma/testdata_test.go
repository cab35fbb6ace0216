package sigma

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The package's own rules and labeled CloudTrail events (testdata/), so the
// engine is tested without the shared datasets.

type labeled struct {
	Name   string          `json:"name"`
	Expect []string        `json:"expect"`
	Event  json.RawMessage `json:"event"`
}

func loadLabeled(t testing.TB) []labeled {
	t.Helper()
	data, err := os.ReadFile("testdata/events.json")
	if err != nil {
		t.Fatal(err)
	}
	var out []labeled
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func loadTestRules(t testing.TB) []*Rule {
	t.Helper()
	rules, errs := LoadDir("testdata/rules", nil)
	for _, err := range errs {
		t.Fatalf("testdata rule: %v", err)
	}
	return rules
}

func TestTestdataEvents(t *testing.T) {
	rules := loadTestRules(t)
	rs := NewRuleSet(rules)
	st := rs.Stats(CloudTrail)
	t.Logf("%d detection rules: %d by eventName, %d by eventSource, %d by another field, %d unindexed", st.Rules, st.ByEventName, st.ByEventSource, st.ByOtherField, st.Unindexed)
	if st.ByOtherField != 1 || st.Unindexed != 2 { // root activity by userIdentity.type; offensive user agent, leaked-key keywords
		t.Errorf("%d rules by another field, %d unindexed, want 1 and 2", st.ByOtherField, st.Unindexed)
	}
	for _, c := range loadLabeled(t) {
		got, err := rs.Match(c.Event)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		want := append([]string(nil), c.Expect...)
		sort.Strings(want)
		sort.Strings(got)
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: matched %v, want %v", c.Name, got, want)
		}
		// The compact form of the record gives the same answer.
		var compact bytes.Buffer
		if err := json.Compact(&compact, c.Event); err != nil {
			t.Fatal(err)
		}
		again, _ := rs.Match(compact.Bytes())
		sort.Strings(again)
		if strings.Join(again, " ") != strings.Join(got, " ") {
			t.Errorf("%s: compact record matched %v, pretty %v", c.Name, again, got)
		}
	}
}

// TestBadRules: each malformed rule is reported with file, line and
// problem (the "# want:" comment on its first line), and the good rule in
// the same directory still loads.
func TestBadRules(t *testing.T) {
	rules, errs := LoadDir("testdata/bad", nil)
	if len(rules) != 1 || rules[0].ID != "good-0001" {
		for _, r := range rules {
			t.Logf("loaded %s %s", r.File, r.ID)
		}
		t.Fatalf("loaded %d rules, want only good-0001", len(rules))
	}
	files, _ := filepath.Glob("testdata/bad/*.yml")
	for _, f := range files {
		data, _ := os.ReadFile(f)
		first, _, _ := strings.Cut(string(data), "\n")
		want, ok := strings.CutPrefix(first, "# want: ")
		if !ok {
			t.Fatalf("%s: no want comment", f)
		}
		found := false
		for _, err := range errs {
			if strings.HasPrefix(err.Error(), "testdata/bad/"+want) {
				found = true
			}
		}
		if !found {
			var got []string
			for _, err := range errs {
				if strings.Contains(err.Error(), filepath.Base(f)) {
					got = append(got, err.Error())
				}
			}
			t.Errorf("%s: want error %q, got %q", f, want, got)
		}
	}
	unsupported := 0
	for _, err := range errs {
		var e *Error
		if !errors.As(err, &e) || e.File == "" {
			t.Errorf("error without position: %v", err)
		}
		if errors.Is(err, ErrUnsupported) {
			unsupported++
		}
	}
	if unsupported != 2 {
		t.Errorf("%d unsupported errors, want 2 (action: global, legacy count)", unsupported)
	}
}

// TestParseMetadata checks the fields of a parsed rule.
func TestParseMetadata(t *testing.T) {
	rules, errs := LoadFile("testdata/rules/trail_tampering.yml", nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	r := rules[0]
	if r.Title != "CloudTrail Trail Stopped, Deleted or Reduced" || r.ID != "0b1c4b52-1d6e-4c1e-9a55-0f7f3a9c0001" ||
		r.Status != "test" || r.Level != "high" || r.Author != "Cairn tests" || r.Date != "2026-01-10" ||
		r.LogSource != CloudTrail || len(r.Tags) != 2 || r.Tags[1] != "attack.t1562.008" ||
		len(r.Falsepositives) != 1 || r.Condition != "selection and not 1 of filter_*" || r.Line != 1 {
		t.Errorf("unexpected rule: %+v", r)
	}
	s := r.Detection.Selections["selection"]
	if s == nil || s.Line != 14 || len(s.Groups) != 1 || len(s.Groups[0]) != 2 {
		t.Fatalf("selection: %+v", s)
	}
	f := s.Groups[0][1]
	if f.Field != "eventName" || len(f.Values) != 4 || f.Line != 16 {
		t.Errorf("field: %+v", f)
	}
	if got := r.Detection.String(); got != "(selection and not filter_failed)" {
		t.Errorf("compiled condition %s", got)
	}
	if names := r.Detection.SelectionNames(); strings.Join(names, ",") != "filter_failed,selection" {
		t.Errorf("names %v", names)
	}
}

// TestParseEdgeCases covers document-level handling.
func TestParseEdgeCases(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"", "no Sigma rule in file"},
		{"---\n---\n", "no Sigma rule in file"},
		{"- a\n- b\n", "must be a YAML map"},
		{"title: x\nlogsource: {}\n", "no detection section"},
		{"title: x\ndetection: {sel: {a: 1}, condition: sel}\n", "no logsource"},
		{"title: x\nstatus: wip\nlogsource: {}\ndetection: {sel: {a: 1}, condition: sel}\n", `invalid status "wip"`},
		{"title: x\ntitle: y\n", `key "title" given twice`},
		{"title: [x]\n", "title must be a string"},
		{"title: x\nlogsource: {}\ndetection: {sel: {a: 1}, condition: sel}\ncorrelation: {}\n", "cannot hold both"},
		{"title: x\nlogsource: {}\ndetection: {sel: {a: 1}, sel2: [], condition: sel}\n", "empty list"},
		{"title: x\nlogsource: {}\ndetection: {sel: {}, condition: sel}\n", "empty map"},
		{"title: x\nlogsource: {}\ndetection: {sel: , condition: sel}\n", "is empty"},
		{"title: x\nlogsource: {}\ndetection: {sel: {a: 1}, condition: ''}\n", "condition is empty"},
		{"title: x\nlogsource: {}\ndetection: {sel: {a: 1}, condition: {a: b}}\n", "condition must be a string"},
		{"title: x\nlogsource: []\ndetection: {sel: {a: 1}, condition: sel}\n", "logsource must be a map"},
		{"title: x\nfilter: {rules: [a]}\n", "filter documents"},
		{"title: x\nlogsource: {}\ndetection: {sel: [{a: 1}, [b]], condition: sel}\n", "not nested lists"},
		{"title: x\nlogsource: {}\ndetection: {sel: [a, null], condition: sel}\n", "holds a null value"},
		{"title: x\nlogsource: {}\ndetection: {sel: {a: 1, a: 2}, condition: sel}\n", `field "a" given twice`},
	} {
		_, errs := Parse([]byte(c.src), "t.yml", nil)
		if len(errs) == 0 || !strings.Contains(errs[0].Error(), c.want) {
			t.Errorf("%q: errors %v, want %q", c.src, errs, c.want)
		}
	}
	// Anchors and aliases are followed; a trailing empty document is fine.
	src := "title: x\nlogsource: {product: AWS}\ndetection:\n  sel: &s {eventName: A}\n  sel2: *s\n  condition: sel and sel2\n---\n"
	rules, errs := Parse([]byte(src), "t.yml", nil)
	if len(errs) > 0 || len(rules) != 1 || rules[0].LogSource.Product != "aws" {
		t.Fatalf("aliases: %v %v", rules, errs)
	}
	if !rules[0].Match(mustEvent(t, `{"eventName":"a"}`)) {
		t.Error("alias rule did not match")
	}
	if _, err := ParseRule([]byte(src + src)); err == nil {
		t.Error("ParseRule accepted two documents")
	}
}
