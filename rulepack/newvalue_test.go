package rulepack

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cairn-sec/cairn/sigma"
)

// shippedNewValues loads the shipped pack and its new_value attributes.
func shippedNewValues(t *testing.T) ([]*sigma.Rule, map[*sigma.Rule]NewValue) {
	t.Helper()
	rules, errs := Load(Options{})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	specs, errs := NewValues(rules)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return rules, specs
}

func TestRulesFirstRegionUse(t *testing.T) {
	rules, specs := shippedNewValues(t)
	var region *sigma.Rule
	for r, nv := range specs {
		if r.Name == "principal_region_activity" {
			region = r
			if len(nv.Fields) != 2 || nv.Learning != 168*time.Hour || nv.Forget != 2160*time.Hour {
				t.Errorf("spec %+v", nv)
			}
		}
	}
	if region == nil || len(specs) != 1 {
		t.Fatalf("new_value rules: %v", specs)
	}
	rs := sigma.NewRuleSet(rules)
	t0 := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	ev := func(arn, reg string, at time.Time) *sigma.Event {
		e, err := sigma.ParseEvent([]byte(fmt.Sprintf(`{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","arn":%q},"eventTime":%q,"eventSource":"ec2.amazonaws.com","eventName":"RunInstances","awsRegion":%q,"readOnly":false}`,
			arn, at.Format(time.RFC3339), reg)))
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	fs := NewFirstSeen(specs, 0)
	observe := func(arn, reg string, at time.Time) bool {
		e := ev(arn, reg, at)
		matched := rs.Eval(sigma.CloudTrail, e, nil)
		fired := false
		for _, r := range matched {
			fired = fs.Observe(r, e, at) || fired
		}
		return fired
	}
	alice, bob := "arn:aws:iam::1:user/alice", "arn:aws:iam::1:user/bob"
	for day := 0; day < 7; day++ { // learning week: nothing fires
		if observe(alice, "us-east-1", t0.Add(time.Duration(day)*24*time.Hour)) || observe(alice, "eu-west-1", t0.Add(time.Duration(day)*24*time.Hour+time.Hour)) {
			t.Fatalf("fired during learning (day %d)", day)
		}
	}
	after := t0.Add(8 * 24 * time.Hour)
	for _, c := range []struct {
		arn, region string
		at          time.Time
		want        bool
	}{
		{alice, "us-east-1", after, false},
		{alice, "ap-southeast-3", after, true},
		{alice, "ap-southeast-3", after.Add(time.Hour), false},
		{bob, "us-east-1", after, true},                             // a principal never seen is new everywhere
		{alice, "eu-west-1", after.Add(100 * 24 * time.Hour), true}, // forgotten after 90 days
	} {
		if got := observe(c.arn, c.region, c.at); got != c.want {
			t.Errorf("%s in %s at %v: fired %v, want %v", c.arn, c.region, c.at, got, c.want)
		}
	}
	// State survives a restart.
	data, err := json.Marshal(fs)
	if err != nil {
		t.Fatal(err)
	}
	fs = NewFirstSeen(specs, 0)
	if err := json.Unmarshal(data, fs); err != nil {
		t.Fatal(err)
	}
	if observe(alice, "ap-southeast-3", after.Add(2*time.Hour)) {
		t.Error("restored tracker forgot a seen region")
	}
	// Memory is bounded.
	small := NewFirstSeen(specs, 10)
	for i := 0; i < 100; i++ {
		small.Observe(region, ev(fmt.Sprintf("arn:aws:iam::1:user/u%d", i), "us-east-1", t0), t0)
	}
	if len(small.seen) > 10 {
		t.Errorf("%d combinations kept, max 10", len(small.seen))
	}
}

func TestRulesNewValueErrors(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"title: a\ncairn: {new_value: {fields: []}}\n", "x.yml:2: cairn.new_value needs fields"},
		{"title: a\ncairn: {new_value: {fields: [a], learning: soon}}\n", `bad duration "soon"`},
		{"title: a\ncairn: {new_value: [a]}\n", "x.yml:2: cairn:"},
	} {
		if _, err := parseNewValues([]byte(c.src), "x.yml"); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.src, err, c.want)
		}
	}
}

// Record reports the values, and a change only when the memory moved
// enough to be worth saving; restoring drops rules no longer tracked.
func TestFirstSeenRecord(t *testing.T) {
	rules, specs := shippedNewValues(t)
	var region, other *sigma.Rule
	for r := range specs {
		region = r
	}
	for _, r := range rules {
		if _, ok := specs[r]; !ok && other == nil {
			other = r
		}
	}
	if g := specs[region].Granularity(); g != 2160*time.Hour/100 {
		t.Errorf("granularity %v, want forget/100", g)
	}
	if g := (NewValue{}).Granularity(); g != 24*time.Hour {
		t.Errorf("granularity without forget: %v", g)
	}
	parse := func(raw string) *sigma.Event {
		e, err := sigma.ParseEvent([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	ev := parse(`{"userIdentity":{"arn":"arn:aws:iam::1:user/a"},"awsRegion":"eu-west-1"}`)
	other2 := parse(`{"userIdentity":{"arn":"arn:aws:iam::1:user/a"},"awsRegion":"us-east-2"}`)
	t0 := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	fs := NewFirstSeen(specs, 0)
	for i, c := range []struct {
		ev           *sigma.Event
		at           time.Duration
		new, changed bool
		save         bool // MarshalJSON after
	}{
		{ev, 0, false, true, true},                              // first match: learning starts
		{ev, 30 * time.Minute, false, false, false},             // moved, but within the granularity of the save
		{ev, 21 * time.Hour, false, false, false},               // 21h < 21.6h
		{ev, 22 * time.Hour, false, true, true},                 // 22h after the save: worth saving
		{ev, time.Hour, false, false, false},                    // older than the last sighting
		{ev, 30 * time.Hour, false, false, false},               // 8h after the save
		{other2, 200 * time.Hour, true, true, false},            // a new combination, learning over
		{ev, 22*time.Hour + 91*24*time.Hour, true, true, false}, // forgotten: new
	} {
		obs := fs.Record(region, c.ev, t0.Add(c.at))
		if obs.New != c.new || obs.Changed != c.changed || len(obs.Values) != 2 || obs.Values[0] != "arn:aws:iam::1:user/a" {
			t.Errorf("%d: %+v, want new %v changed %v", i, obs, c.new, c.changed)
		}
		if c.save {
			if _, err := json.Marshal(fs); err != nil {
				t.Fatal(err)
			}
		}
	}
	if obs := fs.Record(other, ev, t0); obs.New || obs.Changed || obs.Values != nil {
		t.Errorf("a rule without a spec: %+v", obs)
	}
	data, err := json.Marshal(fs)
	if err != nil {
		t.Fatal(err)
	}
	untracked := NewFirstSeen(map[*sigma.Rule]NewValue{other: {Fields: []string{"awsRegion"}}}, 0)
	if err := json.Unmarshal(data, untracked); err != nil {
		t.Fatal(err)
	}
	if untracked.Len() != 0 || len(untracked.started) != 0 {
		t.Errorf("memory of a rule no longer tracked kept: %d", untracked.Len())
	}
	tracked := NewFirstSeen(specs, 0)
	if err := json.Unmarshal(data, tracked); err != nil || tracked.Len() != 2 {
		t.Errorf("restored %d combinations (%v), want 2", tracked.Len(), err)
	}
}
