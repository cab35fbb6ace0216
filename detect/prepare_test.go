package detect

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/duckdb"
	"github.com/cairn-sec/cairn/sigma"
)

// Events matched ahead of the commit by ingest's workers (Prepare, in
// parallel) raise exactly the alerts, correlations included, that
// matching inside the commit does; an unparsable record is still counted
// and skipped.
func TestPreparedEventsRaiseTheSameAlerts(t *testing.T) {
	rules := diffRules(t)
	batches := fixtureBatches(t)
	bad := &cairn.Event{Source: SourceCloudTrail, EventID: "broken", Raw: []byte(`{"eventName": `)}
	batches = append(batches, []*cairn.Event{bad})
	run := func(prepare bool) ([]string, *Engine) {
		s := openStore(t)
		e := newEngine(t, rules)
		for _, b := range batches {
			evs := make([]*cairn.Event, len(b))
			for i, ev := range b {
				c := *ev
				c.Prepared = nil
				evs[i] = &c
			}
			if prepare {
				var wg sync.WaitGroup
				for w := range 2 {
					wg.Go(func() {
						for i := w; i < len(evs); i += 2 {
							e.Prepare(evs[i])
						}
					})
				}
				wg.Wait()
				for _, ev := range evs {
					if _, ok := e.routes[ev.Source]; ok && ev.Prepared == nil {
						t.Fatalf("event %s of a routed source was not prepared", ev.EventID)
					}
				}
			}
			commit(t, s, e, evs)
		}
		return alertLines(t, s), e
	}
	want, plain := run(false)
	got, prepared := run(true)
	if len(want) == 0 {
		t.Fatal("the fixtures raised no alert")
	}
	if !slices.Equal(got, want) {
		t.Fatalf("prepared events raised %d alerts, unprepared %d:\n got %v\nwant %v", len(got), len(want), got, want)
	}
	if plain.stream.matched != prepared.stream.matched {
		t.Fatalf("matches: prepared %d, unprepared %d", prepared.stream.matched, plain.stream.matched)
	}
	t.Logf("%d alerts, %d matches", len(want), plain.stream.matched)
}

func alertLines(t *testing.T, s *duckdb.Store) []string {
	t.Helper()
	var out []string
	for _, as := range listAlerts(t, s) {
		for _, a := range as {
			out = append(out, fmt.Sprintf("%s %s %s n=%d %v %v", a.ID, a.RuleID, a.GroupKey, a.Count, a.SampleEventIDs, a.Fields))
		}
	}
	slices.Sort(out)
	return out
}

// TestPreparedShared: events matching the same rules share one prepared
// result, events matching others get their own, and past maxPrepared
// combinations results are still right, only not kept.
func TestPreparedShared(t *testing.T) {
	e := newEngine(t, diffRules(t))
	if len(e.rules) < 3 {
		t.Fatalf("%d rules", len(e.rules))
	}
	a, b, c := e.rules[0], e.rules[1], e.rules[2]
	p1, p2 := e.preparedFor([]*sigma.Rule{a, b}), e.preparedFor([]*sigma.Rule{a, b})
	if p1 != p2 || !slices.Equal(p1.rules, []*sigma.Rule{a, b}) {
		t.Fatalf("same rules: %p %p %v", p1, p2, p1.rules)
	}
	for _, rs := range [][]*sigma.Rule{{a}, {b, a}, {a, b, c}, {c}} {
		if p := e.preparedFor(rs); p == p1 || !slices.Equal(p.rules, rs) {
			t.Errorf("rules %v: got %v (shared %v)", rs, p.rules, p == p1)
		}
	}
	// Fill the cache with other combinations; later ones are not kept
	// but still right.
	for i := 0; len(e.prepCache.byKey) < maxPrepared; i++ {
		if i > 1_000_000 {
			t.Fatalf("only %d combinations made", len(e.prepCache.byKey))
		}
		e.preparedFor([]*sigma.Rule{e.rules[i%len(e.rules)], e.rules[(i/len(e.rules))%len(e.rules)], e.rules[i%3], e.rules[i%5], e.rules[i%7]})
	}
	rs := []*sigma.Rule{c, b, a, c, b, a}
	if p := e.preparedFor(rs); !slices.Equal(p.rules, rs) || len(e.prepCache.byKey) != maxPrepared {
		t.Fatalf("past the bound: %v, %d kept", p.rules, len(e.prepCache.byKey))
	}
}
