package sigma

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestParseFSAndResolve(t *testing.T) {
	det := "title: A\nid: a-1\nname: a\nlogsource: {product: aws, service: cloudtrail}\ndetection: {sel: {eventName: X}, condition: sel}\n"
	corr := "title: C\nid: c-1\ncorrelation: {type: event_count, rules: [a], group-by: [x], timespan: 1m, condition: {gte: 2}}\n"
	fsys := fstest.MapFS{
		"aws/a.yml":          {Data: []byte(det)},
		"aws/a.tests.yml":    {Data: []byte("- not a rule\n")},
		"aws/.hidden.yml":    {Data: []byte("garbage: [")},
		".git/x.yml":         {Data: []byte("garbage: [")},
		"aws/bad.yaml":       {Data: []byte("title: B\nlogsource: {}\ndetection: {sel: {a|nomod: 1}, condition: sel}\n")},
		"aws/notes.txt":      {Data: []byte("ignored")},
		"other/corr.yml":     {Data: []byte(corr)},
		"other/dangling.yml": {Data: []byte(strings.Replace(strings.Replace(corr, "c-1", "c-2", 1), "[a]", "[missing]", 1))},
	}
	rules, errs := ParseFS(fsys, ".", "pack:", nil)
	if len(rules) != 3 || len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), "pack:/aws/bad.yaml:3: ") {
		t.Fatalf("rules %d, errors %v", len(rules), errs)
	}
	if rules[0].File != "pack:/aws/a.yml" {
		t.Errorf("file %q", rules[0].File)
	}
	linked, lerrs := Resolve(rules)
	if len(linked) != 2 || len(lerrs) != 1 || !strings.Contains(lerrs[0].Error(), `refers to unknown rule "missing"`) {
		t.Fatalf("linked %d, errors %v", len(linked), lerrs)
	}
	if len(rules) != 3 {
		t.Error("Resolve modified its input")
	}
	// A single file as root, and a missing root.
	one, errs := ParseFS(fsys, "aws/a.yml", "", nil)
	if len(one) != 1 || len(errs) != 0 || one[0].File != "aws/a.yml" {
		t.Errorf("single file: %v %v", one, errs)
	}
	if _, errs := ParseFS(fsys, "nope", "pack:", nil); len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), "pack:/nope: ") {
		t.Errorf("missing root: %v", errs)
	}
	if !IsRuleFile("x.yaml") || IsRuleFile("x.tests.yml") || IsRuleFile("x_test.yaml") || IsRuleFile("x.json") {
		t.Error("IsRuleFile")
	}
}

func TestParsePaths(t *testing.T) {
	rules, errs := ParsePaths([]string{"testdata/rules/console_brute_force.yml", "testdata/nonexistent"}, nil)
	if len(rules) != 4 || len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), "testdata/nonexistent: ") {
		t.Fatalf("rules %d, errors %v", len(rules), errs)
	}
}
