package sigma

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

func TestParseCorrelation(t *testing.T) {
	rules, errs := LoadFile("testdata/rules/console_brute_force.yml", nil)
	if len(errs) > 0 || len(rules) != 4 {
		t.Fatalf("rules %d errs %v", len(rules), errs)
	}
	c := rules[2].Correlation
	if c == nil || c.Type != "event_count" || strings.Join(c.Rules, ",") != "console_login_failed" ||
		strings.Join(c.GroupBy, ",") != "sourceIPAddress" || c.Timespan != 5*time.Minute ||
		c.Condition.String() != "gte 3" || c.Generate || rules[2].Name != "console_brute_force" {
		t.Errorf("event_count: %+v", c)
	}
	o := rules[3].Correlation
	if o.Type != "temporal_ordered" || o.Condition.String() != "gte 2" || o.Timespan != 30*time.Minute {
		t.Errorf("temporal_ordered: %+v", o)
	}
	rules, _ = LoadFile("testdata/rules/new_admin_user.yml", nil)
	a := rules[2].Correlation
	if !a.Generate || a.Aliases["target_user"]["admin_policy_attached"] != "requestParameters.userName" {
		t.Errorf("aliases/generate: %+v", a)
	}
	if !a.Condition.Holds(2) || a.Condition.Holds(1) {
		t.Error("temporal default condition should be gte len(rules)")
	}
}

// TestSpecCorrelationExamples parses the correlation examples shipped with
// the specification (their referenced rules are not present, so no Link).
func TestSpecCorrelationExamples(t *testing.T) {
	dir := needDataset(t, "sigma/specification/tests/schema/correlation")
	files, _ := filepath.Glob(filepath.Join(dir, "*.yml"))
	for _, f := range files {
		rules, errs := LoadFile(f, nil)
		if len(errs) > 0 || len(rules) != 1 || rules[0].Correlation == nil {
			t.Errorf("%s: %v", f, errs)
			continue
		}
		c := rules[0].Correlation
		t.Logf("%s: %s rules=%v group-by=%v timespan=%v condition=%s", filepath.Base(f), c.Type, c.Rules, c.GroupBy, c.Timespan, c.Condition)
	}
}

func TestCorrelationErrors(t *testing.T) {
	head := "title: c\ncorrelation:\n"
	for _, c := range []struct{ body, want string }{
		{"    rules: [a]\n    group-by: [x]\n    timespan: 1m\n", "has no type"},
		{"    type: event_count\n    group-by: [x]\n    timespan: 1m\n    condition: {gte: 1}\n", "has no rules"},
		{"    type: event_count\n    rules: [a]\n    timespan: 1m\n    condition: {gte: 1}\n", "has no group-by"},
		{"    type: event_count\n    rules: [a]\n    group-by: [x]\n    condition: {gte: 1}\n", "has no timespan"},
		{"    type: event_count\n    rules: [a]\n    group-by: [x]\n    timespan: 1m\n", "needs a condition"},
		{"    type: event_count\n    rules: [a]\n    group-by: [x]\n    timespan: 1m\n    condition: {gte: x}\n", "needs a number"},
		{"    type: event_count\n    rules: [a]\n    group-by: [x]\n    timespan: 1m\n    condition: {more: 1}\n", "unknown correlation condition"},
		{"    type: event_count\n    rules: [a, a]\n    group-by: [x]\n    timespan: 1m\n    condition: {gte: 1}\n", "distinct"},
		{"    type: event_count\n    rules: [a]\n    group-by: [x]\n    timespan: 0m\n    condition: {gte: 1}\n", "out of range"},
		{"    type: event_count\n    rules: [a]\n    group-by: [x]\n    timespan: 1y\n    condition: {gte: 1}\n", "invalid timespan"},
		{"    type: temporal\n    rules: [a, b]\n    group-by: [x]\n    timespan: 1m\n    aliases: {x: {c: f}}\n", "not in the correlation's rules"},
		{"    type: temporal\n    rules: [a, b]\n    group-by: [x]\n    timespan: 1m\n    condition: {field: y, gte: 1}\n", "takes no condition field"},
		{"    type: temporal\n    rules: [a, b]\n    group-by: [x]\n    timespan: 1m\n    bogus: 1\n", "unknown correlation key"},
		{"    type: temporal\n    rules: [a, b]\n    group-by: [x]\n    timespan: 1m\n    generate: maybe\n", "generate must be true or false"},
	} {
		_, errs := Parse([]byte(head+c.body), "c.yml", nil)
		if len(errs) == 0 || !strings.Contains(errs[0].Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.body, errs, c.want)
		}
	}
	// Cycles and duplicate ids are found by Link.
	src := `title: A
id: a
correlation: {type: event_count, rules: [b], group-by: [x], timespan: 1m, condition: {gte: 1}}
---
title: B
id: b
correlation: {type: event_count, rules: [a], group-by: [x], timespan: 1m, condition: {gte: 1}}
---
title: B again
id: b
logsource: {}
detection: {s: {x: 1}, condition: s}
`
	rules, errs := Parse([]byte(src), "cycle.yml", nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	lerrs := fmt.Sprint(Link(rules))
	if !strings.Contains(lerrs, "reference cycle") || !strings.Contains(lerrs, `reuses id or name "b"`) {
		t.Errorf("link errors: %s", lerrs)
	}
	if _, err := NewCorrelator(rules, Limits{}); err == nil {
		t.Error("NewCorrelator accepted a cycle")
	}
}

// stream feeds labeled events to a rule set and a correlator, returning the
// correlation firings as "ruleKey group value".
func stream(t *testing.T, rules []*Rule, c *Correlator, events []labeled) []string {
	t.Helper()
	rs := NewRuleSet(rules)
	var out []string
	for _, l := range events {
		e := mustEvent(t, string(l.Event))
		ts, ok := EventTime(e)
		if !ok {
			t.Fatalf("%s: no eventTime", l.Name)
		}
		for _, m := range c.Observe(e, ts, rs.Eval(CloudTrail, e, nil)) {
			out = append(out, describe(m))
		}
	}
	return out
}

func describe(m CorrelationMatch) string {
	var g []string
	for k, v := range m.Group {
		g = append(g, k+"="+v)
	}
	sort.Strings(g)
	return fmt.Sprintf("%s %s %v", m.Rule.Title, strings.Join(g, ","), m.Value)
}

func TestCorrelatorTestdata(t *testing.T) {
	rules := loadTestRules(t)
	c, err := NewCorrelator(rules, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	got := stream(t, rules, c, loadLabeled(t))
	want := []string{
		"New Admin User target_user=svc-x 2",
		"Secrets Harvesting Burst userIdentity.arn=arn:aws:sts::123456789012:assumed-role/app-role/etl-job 4",
		"Console Brute Force Followed By Success sourceIPAddress=198.51.100.66 2",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("firings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Standalone: building blocks are silent unless generate: true.
	for _, r := range rules {
		want := map[string]bool{"secret_read": false, "console_login_failed": false, "console_login_success": false,
			"console_brute_force": false, "iam_user_created": true, "admin_policy_attached": true}
		if w, ok := want[r.Name]; ok && c.Standalone(r) != w {
			t.Errorf("Standalone(%s) = %v, want %v", r.Name, !w, w)
		}
	}
}

// corrRules builds one detection rule per name (matching eventName=name)
// plus the given correlation documents.
func corrRules(t *testing.T, names []string, correlation string) []*Rule {
	t.Helper()
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "title: %s\nname: %s\nlogsource: {product: aws, service: cloudtrail}\ndetection: {sel: {eventName: %s}, condition: sel}\n---\n", n, n, n)
	}
	b.WriteString(correlation)
	rules, errs := Parse([]byte(b.String()), "corr.yml", nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return rules
}

type tev struct {
	sec  int // seconds after base
	name string
	user string
	val  string
}

var base = time.Date(2026, 1, 12, 10, 0, 0, 0, time.UTC)

func toLabeled(evs []tev) []labeled {
	var out []labeled
	for i, e := range evs {
		raw := fmt.Sprintf(`{"eventID":"id%d","eventTime":%q,"eventName":%q,"user":%q,"v":%q}`,
			i, base.Add(time.Duration(e.sec)*time.Second).Format(time.RFC3339), e.name, e.user, e.val)
		out = append(out, labeled{Name: fmt.Sprint(i), Event: json.RawMessage(raw)})
	}
	return out
}

func TestCorrelatorTypes(t *testing.T) {
	cases := []struct {
		name   string
		corr   string
		events []tev
		want   []string
	}{
		{"event_count fires once per burst", "type: event_count\n    rules: [a]\n    group-by: [user]\n    timespan: 60s\n    condition: {gte: 3}",
			[]tev{{0, "a", "u1", ""}, {10, "a", "u1", ""}, {20, "a", "u2", ""}, {30, "a", "u1", ""}, {40, "a", "u1", ""}},
			[]string{"C user=u1 3"}},
		{"event_count window slides", "type: event_count\n    rules: [a]\n    group-by: [user]\n    timespan: 60s\n    condition: {gt: 2}",
			[]tev{{0, "a", "u1", ""}, {50, "a", "u1", ""}, {70, "a", "u1", ""}, {100, "a", "u1", ""}},
			[]string{"C user=u1 3"}},
		{"event_count window expires", "type: event_count\n    rules: [a]\n    group-by: [user]\n    timespan: 60s\n    condition: {gte: 3}",
			[]tev{{0, "a", "u1", ""}, {50, "a", "u1", ""}, {120, "a", "u1", ""}, {200, "a", "u1", ""}},
			nil},
		{"event_count two rules", "type: event_count\n    rules: [a, b]\n    group-by: [user]\n    timespan: 60s\n    condition: {gte: 2}",
			[]tev{{0, "a", "u1", ""}, {1, "b", "u1", ""}},
			[]string{"C user=u1 2"}},
		{"missing group field does not count", "type: event_count\n    rules: [a]\n    group-by: [nope]\n    timespan: 60s\n    condition: {gte: 1}",
			[]tev{{0, "a", "u1", ""}}, nil},
		{"value_count", "type: value_count\n    rules: [a]\n    group-by: [user]\n    timespan: 60s\n    condition: {field: v, gte: 3}",
			[]tev{{0, "a", "u1", "x"}, {1, "a", "u1", "x"}, {2, "a", "u1", "y"}, {3, "a", "u1", "y"}, {4, "a", "u1", "z"}},
			[]string{"C user=u1 3"}},
		{"value_count expiry", "type: value_count\n    rules: [a]\n    group-by: [user]\n    timespan: 60s\n    condition: {field: v, gte: 3}",
			[]tev{{0, "a", "u1", "x"}, {30, "a", "u1", "y"}, {70, "a", "u1", "z"}, {80, "a", "u1", "x"}},
			[]string{"C user=u1 3"}},
		{"temporal any order", "type: temporal\n    rules: [a, b, c]\n    group-by: [user]\n    timespan: 60s",
			[]tev{{0, "c", "u1", ""}, {10, "a", "u1", ""}, {20, "a", "u2", ""}, {30, "b", "u1", ""}},
			[]string{"C user=u1 3"}},
		{"temporal too slow", "type: temporal\n    rules: [a, b]\n    group-by: [user]\n    timespan: 60s",
			[]tev{{0, "a", "u1", ""}, {61, "b", "u1", ""}}, nil},
		{"temporal gte subset", "type: temporal\n    rules: [a, b, c]\n    group-by: [user]\n    timespan: 60s\n    condition: {gte: 2}",
			[]tev{{0, "a", "u1", ""}, {10, "c", "u1", ""}}, []string{"C user=u1 2"}},
		{"temporal_ordered in order", "type: temporal_ordered\n    rules: [a, b, c]\n    group-by: [user]\n    timespan: 60s",
			[]tev{{0, "a", "u1", ""}, {10, "b", "u1", ""}, {20, "c", "u1", ""}}, []string{"C user=u1 3"}},
		{"temporal_ordered wrong order", "type: temporal_ordered\n    rules: [a, b, c]\n    group-by: [user]\n    timespan: 60s",
			[]tev{{0, "b", "u1", ""}, {10, "a", "u1", ""}, {20, "c", "u1", ""}}, nil},
		{"temporal_ordered restarts", "type: temporal_ordered\n    rules: [a, b]\n    group-by: [user]\n    timespan: 60s",
			[]tev{{0, "a", "u1", ""}, {50, "a", "u1", ""}, {100, "b", "u1", ""}}, []string{"C user=u1 2"}},
		{"temporal_ordered too slow", "type: temporal_ordered\n    rules: [a, b]\n    group-by: [user]\n    timespan: 60s",
			[]tev{{0, "a", "u1", ""}, {100, "b", "u1", ""}}, nil},
		{"value_sum", "type: value_sum\n    rules: [a]\n    group-by: [user]\n    timespan: 60s\n    condition: {field: v, gt: 100}",
			[]tev{{0, "a", "u1", "60"}, {10, "a", "u1", "x"}, {20, "a", "u1", "50"}}, []string{"C user=u1 110"}},
		{"upper bound decided at window close", "type: event_count\n    rules: [a]\n    group-by: [user]\n    timespan: 60s\n    condition: {gte: 2, lte: 3}",
			[]tev{{0, "a", "u1", ""}, {10, "a", "u1", ""}, {20, "a", "u2", ""}, {21, "a", "u2", ""}, {22, "a", "u2", ""}, {23, "a", "u2", ""}, {200, "b", "u3", ""}},
			[]string{"C user=u1 2"}},
		{"upper bound closed by the group's next event", "type: event_count\n    rules: [a]\n    group-by: [user]\n    timespan: 60s\n    condition: {gte: 2, lte: 3}",
			[]tev{{0, "a", "u1", ""}, {10, "a", "u1", ""}, {100, "a", "u1", ""}}, []string{"C user=u1 2"}},
		{"value_avg at close", "type: value_avg\n    rules: [a]\n    group-by: [user]\n    timespan: 60s\n    condition: {field: v, gte: 10}",
			[]tev{{0, "a", "u1", "5"}, {10, "a", "u1", "20"}, {200, "b", "u3", ""}}, []string{"C user=u1 12.5"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rules := corrRules(t, []string{"a", "b", "c"}, "title: C\ncorrelation:\n    "+c.corr+"\n")
			corr, err := NewCorrelator(rules, Limits{SweepEvery: 1})
			if err != nil {
				t.Fatal(err)
			}
			got := stream(t, rules, corr, toLabeled(c.events))
			if strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

// TestCorrelatorRefusals: conditions streaming cannot decide are refused.
func TestCorrelatorRefusals(t *testing.T) {
	for _, c := range []struct{ corr, want string }{
		{"type: value_percentile\n    rules: [a]\n    group-by: [user]\n    timespan: 1m\n    condition: {field: v, lte: 1}", "value_percentile"},
		{"type: temporal\n    rules: [a, b]\n    group-by: [user]\n    timespan: 1m\n    condition: {lt: 2}", "needs a condition of the form gte"},
		{"type: event_count\n    rules: [a]\n    group-by: [user]\n    timespan: 1m\n    condition: {gte: 5000}", "MaxEntries"},
	} {
		rules := corrRules(t, []string{"a", "b"}, "title: C\ncorrelation:\n    "+c.corr+"\n")
		if _, err := NewCorrelator(rules, Limits{}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.corr, err, c.want)
		}
	}
}

// TestCorrelatorStateRestart: a window open when the collector stops is
// completed after a restart from the saved state.
func TestCorrelatorStateRestart(t *testing.T) {
	corr := "title: C\nid: c-1\ncorrelation:\n    type: event_count\n    rules: [a]\n    group-by: [user]\n    timespan: 60s\n    condition: {gte: 3}\n---\n" +
		"title: T\nid: t-1\ncorrelation:\n    type: temporal_ordered\n    rules: [a, b]\n    group-by: [user]\n    timespan: 60s\n    generate: true\n"
	rules := corrRules(t, []string{"a", "b"}, corr)
	evs := toLabeled([]tev{{0, "a", "u1", ""}, {10, "a", "u1", ""}, {20, "a", "u1", ""}, {30, "b", "u1", ""}})
	one, _ := NewCorrelator(rules, Limits{})
	want := stream(t, rules, one, evs)

	first, _ := NewCorrelator(rules, Limits{})
	got := stream(t, rules, first, evs[:2])
	data, err := MarshalState(first.State())
	if err != nil {
		t.Fatal(err)
	}
	st, err := UnmarshalState(data)
	if err != nil {
		t.Fatal(err)
	}
	second, _ := NewCorrelator(rules, Limits{})
	if skipped, err := second.Restore(st); err != nil || skipped != 0 {
		t.Fatalf("restore: %d %v", skipped, err)
	}
	got = append(got, stream(t, rules, second, evs[2:])...)
	if len(want) != 2 || strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("after restart %q, uninterrupted %q", got, want)
	}
	// State of a changed rule is not applied.
	changed := corrRules(t, []string{"a", "b"}, strings.Replace(corr, "gte: 3", "gte: 4", 1))
	third, _ := NewCorrelator(changed, Limits{})
	if skipped, _ := third.Restore(st); skipped != 1 {
		t.Errorf("skipped %d correlations, want 1", skipped)
	}
	if _, err := UnmarshalState([]byte(`{"version":99}`)); err == nil {
		t.Error("accepted unknown state version")
	}
}

// TestCorrelatorBounded: groups and entries stay within Limits.
func TestCorrelatorBounded(t *testing.T) {
	rules := corrRules(t, []string{"a"}, "title: C\ncorrelation:\n    type: value_count\n    rules: [a]\n    group-by: [user]\n    timespan: 1h\n    condition: {field: v, gte: 50}\n")
	c, err := NewCorrelator(rules, Limits{MaxGroups: 100, MaxEntries: 64})
	if err != nil {
		t.Fatal(err)
	}
	a := rules[0]
	for i := range 20000 {
		e := mustEvent(t, fmt.Sprintf(`{"eventName":"a","user":"u%d","v":"v%d"}`, i%1000, i%40))
		c.Observe(e, base.Add(time.Duration(i)*time.Millisecond), []*Rule{a})
	}
	st := c.State()
	if n := len(st.Correlations[0].Groups); n > 100 {
		t.Errorf("%d groups kept, limit 100", n)
	}
	for _, g := range st.Correlations[0].Groups {
		if len(g.Entries) > 64 {
			t.Fatalf("%d entries kept, limit 64", len(g.Entries))
		}
	}
}

// TestCorrelatorProjectedFields: fed only the fields FieldsRead names
// (what ingest's workers keep of a matched event), the correlator fires
// exactly as it does on the whole event, aliases included.
func TestCorrelatorProjectedFields(t *testing.T) {
	rules := loadTestRules(t)
	events := loadLabeled(t)
	whole, err := NewCorrelator(rules, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	projected, err := NewCorrelator(rules, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := stream(t, rules, whole, events)
	if len(want) == 0 {
		t.Fatal("the test data fire no correlation")
	}
	rs := NewRuleSet(rules)
	var got []string
	projectedFields := 0
	for _, l := range events {
		e := mustEvent(t, string(l.Event))
		ts, _ := EventTime(e)
		matched := rs.Eval(CloudTrail, e, nil)
		var paths []string
		for _, r := range matched {
			for _, f := range projected.FieldsRead(r) {
				if !slices.Contains(paths, f) {
					paths = append(paths, f)
				}
			}
		}
		projectedFields += len(paths)
		for _, m := range projected.Observe(e.Project(paths), ts, matched) {
			got = append(got, describe(m))
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("projected firings:\n%s\nwhole events:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if projectedFields == 0 {
		t.Error("no field was projected")
	}
}

// TestFieldsReadAliases: a correlation's aliases name, per referenced
// rule, the event field its group-by reads.
func TestFieldsReadAliases(t *testing.T) {
	rules := corrRules(t, []string{"a", "b"}, "title: C\ncorrelation:\n    type: temporal\n    rules: [a, b]\n    group-by: [who]\n    timespan: 60s\n    aliases: {who: {a: user, b: v}}\n")
	c, err := NewCorrelator(rules, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string][]string{}
	for _, r := range rules {
		byName[r.Name] = c.FieldsRead(r)
	}
	if !slices.Equal(byName["a"], []string{"eventID", "user"}) || !slices.Equal(byName["b"], []string{"eventID", "v"}) || byName["C"] != nil {
		t.Fatalf("FieldsRead: %v", byName)
	}
	got := stream(t, rules, c, toLabeled([]tev{{0, "a", "u1", ""}, {10, "b", "x", "u1"}}))
	if len(got) != 1 {
		t.Fatalf("aliased temporal: %v", got)
	}
}
