package sigma

import (
	"strings"
	"testing"
)

// Selections used by the condition tests: each matches when its field is
// "1" in the event.
const condSels = `
a:
    a: 1
b:
    b: 1
c:
    c: 1
sel_x:
    x: 1
sel_y:
    y: 1
filter_1:
    f1: 1
filter_2:
    f2: 1
_hidden:
    h: 1
`

func TestConditions(t *testing.T) {
	cases := []struct {
		cond   string
		event  string
		want   bool
		render string // expected compiled form ("" to skip)
	}{
		{"a", `{"a":1}`, true, "a"},
		{"a", `{"a":2}`, false, ""},
		{"a and b", `{"a":1,"b":1}`, true, "(a and b)"},
		{"a and b", `{"a":1}`, false, ""},
		{"a or b", `{"b":1}`, true, "(a or b)"},
		{"a or b", `{}`, false, ""},
		{"not a", `{}`, true, "not a"},
		{"not a", `{"a":1}`, false, ""},
		{"not not a", `{"a":1}`, true, "not not a"},
		// precedence: not > and > or
		{"a or b and c", `{"a":1}`, true, "(a or (b and c))"},
		{"a or b and c", `{"b":1}`, false, ""},
		{"a and b or c", `{"c":1}`, true, "((a and b) or c)"},
		{"not a and b", `{"b":1}`, true, "(not a and b)"},
		{"not a and b", `{"a":1,"b":1}`, false, ""},
		{"not a or b", `{"a":1}`, false, "(not a or b)"},
		{"a and not b or c", `{"a":1,"b":1}`, false, "((a and not b) or c)"},
		// parentheses
		{"(a or b) and c", `{"b":1,"c":1}`, true, "((a or b) and c)"},
		{"(a or b) and c", `{"b":1}`, false, ""},
		{"not (a or b)", `{"c":1}`, true, "not (a or b)"},
		{"not (a or b)", `{"b":1}`, false, ""},
		{"((a))", `{"a":1}`, true, "a"},
		{"a and (b or (c and not a))", `{"a":1,"b":1}`, true, ""},
		// quantifiers
		{"1 of sel_*", `{"y":1}`, true, "(sel_x or sel_y)"},
		{"1 of sel_*", `{"a":1}`, false, ""},
		{"all of sel_*", `{"x":1,"y":1}`, true, "(sel_x and sel_y)"},
		{"all of sel_*", `{"x":1}`, false, ""},
		{"any of sel_*", `{"x":1}`, true, ""},
		{"1 of them", `{"c":1}`, true, ""},
		{"1 of them", `{"h":1}`, false, ""}, // _hidden is not in "them"
		{"all of them", `{"a":1,"b":1,"c":1,"x":1,"y":1,"f1":1,"f2":1}`, true, ""},
		{"all of them", `{"a":1,"b":1,"c":1,"x":1,"y":1,"f1":1}`, false, ""},
		{"a and not 1 of filter_*", `{"a":1,"f2":1}`, false, "(a and not (filter_1 or filter_2))"},
		{"a and not 1 of filter_*", `{"a":1}`, true, ""},
		{"1 of filter_1", `{"f1":1}`, true, "filter_1"},
		{"all of *_1", `{"f1":1}`, true, "filter_1"},
		{"1 of sel_* and not all of filter*", `{"x":1,"f1":1}`, true, ""},
		{"1 of sel_* and not all of filter*", `{"x":1,"f1":1,"f2":1}`, false, ""},
		{"_hidden", `{"h":1}`, true, ""},
		// keywords are case-insensitive
		{"a AND NOT b", `{"a":1}`, true, "(a and not b)"},
		{"ALL OF sel_*", `{"x":1,"y":1}`, true, ""},
	}
	for _, c := range cases {
		r := mustRule(t, "condition: '"+c.cond+"'"+condSels, nil)
		if got := r.Match(mustEvent(t, c.event)); got != c.want {
			t.Errorf("%q on %s = %v, want %v (compiled %s)", c.cond, c.event, got, c.want, r.Detection)
		}
		if c.render != "" && r.Detection.String() != c.render {
			t.Errorf("%q compiled to %s, want %s", c.cond, r.Detection, c.render)
		}
	}
}

// TestConditionList: a list of conditions is ORed.
func TestConditionList(t *testing.T) {
	r := mustRule(t, "condition:\n    - a and b\n    - c"+condSels, nil)
	for ev, want := range map[string]bool{`{"c":1}`: true, `{"a":1,"b":1}`: true, `{"a":1}`: false} {
		if got := r.Match(mustEvent(t, ev)); got != want {
			t.Errorf("%s = %v, want %v", ev, got, want)
		}
	}
	if r.Condition != "(a and b) or (c)" {
		t.Errorf("Condition = %q", r.Condition)
	}
}

func TestConditionErrors(t *testing.T) {
	for _, c := range []struct{ cond, want string }{
		{"a and", "condition ends unexpectedly"},
		{"a b", `unexpected "b"`},
		{"(a or b", "missing ')'"},
		{"a)", `unexpected ")"`},
		{"nope", `unknown search identifier "nope"`},
		{"1 of nope*", `"1 of nope*" matches no search identifier`},
		{"2 of sel_*", `unsupported quantifier "2"`},
		{"sel_*", `needs "1 of" or "all of"`},
		{"and a", `unexpected "and"`},
		{"1 of", `"1 of" needs a search identifier pattern`},
		{"1 of (a)", `needs a search identifier pattern`},
		{"a | count() > 5", `legacy aggregation "| count() > 5"`},
		{"a | near b", `temporal correlation`},
		{strings.Repeat("(", 100) + "a" + strings.Repeat(")", 100), "nested too deeply"},
		{strings.Repeat("not ", 100) + "a", "nested too deeply"},
	} {
		_, err := buildRule("condition: '"+c.cond+"'"+condSels, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.cond, err, c.want)
		} else if !strings.HasPrefix(err.Error(), "test.yml:7: ") {
			t.Errorf("%q: error not positioned at the condition line: %v", c.cond, err)
		}
	}
}
