package rulepack

import (
	"strings"
	"testing"
)

func TestRulesParseCasesRecords(t *testing.T) {
	src := `- name: base
  match: true
  event: &ev
    eventTime: 2026-11-02T10:00:00Z
    n: 12
    f: 1.5
    big: 1e3
    b: true
    z: null
    s: "007"
    nested: {list: [1, two, {k: v}]}
- name: override
  match: false
  fires: 0
  rule: some-rule
  source: aws.cloudtrail
  group: {a: b}
  events:
    - <<: *ev
      b: false
      n: 13
    - *ev
`
	cases, err := ParseCases([]byte(src), "x.tests.yml")
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 2 {
		t.Fatalf("%d cases", len(cases))
	}
	want := `{"eventTime":"2026-11-02T10:00:00Z","n":12,"f":1.5,"big":1e3,"b":true,"z":null,"s":"007","nested":{"list":[1,"two",{"k":"v"}]}}`
	if got := string(cases[0].Events[0]); got != want {
		t.Errorf("record\n got %s\nwant %s", got, want)
	}
	c := cases[1]
	if c.Rule != "some-rule" || c.Source != "aws.cloudtrail" || c.Match || c.Fires != 0 || c.Group["a"] != "b" || c.Line != 12 || len(c.Events) != 2 {
		t.Errorf("case %+v", c)
	}
	// The merge keeps the base's key order and overrides b and n in place.
	wantMerged := `{"eventTime":"2026-11-02T10:00:00Z","n":13,"f":1.5,"big":1e3,"b":false,"z":null,"s":"007","nested":{"list":[1,"two",{"k":"v"}]}}`
	if got := string(c.Events[0]); got != wantMerged {
		t.Errorf("merged\n got %s\nwant %s", got, wantMerged)
	}
	if cases[0].Fires != -1 {
		t.Errorf("fires default %d", cases[0].Fires)
	}
}

func TestRulesParseCasesErrors(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"", "x.tests.yml: no test cases"},
		{"[]", "x.tests.yml: no test cases"},
		{"a: b\n", "x.tests.yml:1: a test file is a list of cases"},
		{"- a\n", "x.tests.yml:1: a case is a map"},
		{"- match: true\n  event: {a: 1}\n", "x.tests.yml:1: case has no name"},
		{"- name: n\n  event: {a: 1}\n", `x.tests.yml:1: case "n" has no match`},
		{"- name: n\n  match: true\n", `x.tests.yml:1: case "n" has no event`},
		{"- name: n\n  match: true\n  event: {a: 1}\n  colour: red\n", `x.tests.yml:4: unknown key "colour"`},
		{"- name: n\n  match: true\n  fires: 0\n  event: {a: 1}\n", "fires 0 contradicts match true"},
		{"- name: n\n  match: maybe\n  event: {a: 1}\n", "x.tests.yml:2: match:"},
		{"- name: n\n  match: true\n  event: [1]\n", "x.tests.yml:3: event: a record must be a map"},
		{"- name: n\n  match: true\n  events: {a: 1}\n", "x.tests.yml:3: events must be a list"},
		{"- name: n\n  match: true\n  event: {a: [\n", "x.tests.yml: invalid YAML"},
	} {
		_, err := ParseCases([]byte(c.src), "x.tests.yml")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.src, err, c.want)
		}
	}
}
