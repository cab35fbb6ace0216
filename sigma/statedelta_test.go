package sigma

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// A correlator's saved snapshot plus its deltas, applied in order to a new
// correlator, give exactly its state — through new groups, evictions at
// the group limit, expiry sweeps, windows closing and firings — and the
// restored correlator then fires as the original does.
func TestCorrelatorDeltasRebuildState(t *testing.T) {
	corr := "title: C\nid: c-1\ncorrelation:\n    type: event_count\n    rules: [a]\n    group-by: [user]\n    timespan: 60s\n    condition: {gte: 3}\n---\n" +
		"title: V\nid: v-1\ncorrelation:\n    type: value_count\n    rules: [a, b]\n    group-by: [user]\n    timespan: 90s\n    condition: {gte: 3, field: v}\n---\n" +
		"title: R\nid: r-1\ncorrelation:\n    type: event_count\n    rules: [b]\n    group-by: [user]\n    timespan: 40s\n    condition: {lte: 1}\n---\n" +
		"title: T\nid: t-1\ncorrelation:\n    type: temporal_ordered\n    rules: [a, b]\n    group-by: [user]\n    timespan: 60s\n"
	rules := corrRules(t, []string{"a", "b"}, corr)
	lim := Limits{MaxGroups: 4, MaxEntries: 4, SweepEvery: 3}
	rs := NewRuleSet(rules)
	rng := rand.New(rand.NewPCG(3, 4))
	live, err := NewCorrelator(rules, lim)
	if err != nil {
		t.Fatal(err)
	}
	saved, _ := NewCorrelator(rules, lim)
	sec, deltas := 0, 0
	for i := range 600 {
		sec += rng.IntN(25)
		if rng.IntN(10) == 0 {
			sec -= rng.IntN(50) // out of order
		}
		ev := toLabeled([]tev{{sec, []string{"a", "b"}[rng.IntN(2)], fmt.Sprint("u", rng.IntN(7)), fmt.Sprint(rng.IntN(5))}})[0]
		e := mustEvent(t, string(ev.Event))
		ts, _ := EventTime(e)
		live.Observe(e, ts, rs.Eval(CloudTrail, e, nil))
		switch rng.IntN(8) {
		case 0: // a full save: the saved side restarts from it
			data, err := MarshalState(live.Snapshot())
			if err != nil {
				t.Fatal(err)
			}
			st, err := UnmarshalState(data)
			if err != nil {
				t.Fatal(err)
			}
			saved, _ = NewCorrelator(rules, lim)
			if _, err := saved.Restore(st); err != nil {
				t.Fatal(err)
			}
		case 1, 2, 3: // a delta
			data, err := MarshalState(live.Delta())
			if err != nil {
				t.Fatal(err)
			}
			st, err := UnmarshalState(data)
			if err != nil {
				t.Fatal(err)
			}
			if err := saved.ApplyDelta(st); err != nil {
				t.Fatal(err)
			}
			deltas++
		default:
			continue
		}
		want, _ := MarshalState(live.State())
		got, _ := MarshalState(saved.State())
		if string(got) != string(want) {
			t.Fatalf("event %d: rebuilt state differs:\n got %s\nwant %s", i, got, want)
		}
	}
	if deltas == 0 {
		t.Fatal("no delta applied")
	}
	// Both go on alike.
	data, _ := MarshalState(live.Delta())
	st, _ := UnmarshalState(data)
	saved.ApplyDelta(st)
	rest := toLabeled([]tev{{sec + 1, "a", "u1", "1"}, {sec + 2, "a", "u1", "2"}, {sec + 3, "a", "u1", "3"}, {sec + 4, "b", "u1", "4"}})
	a, b := stream(t, rules, live, rest), stream(t, rules, saved, rest)
	if fmt.Sprint(a) != fmt.Sprint(b) || len(a) == 0 {
		t.Fatalf("after rebuilding: %v, original: %v", b, a)
	}
}
