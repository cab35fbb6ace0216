package detect

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/duckdb"
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
