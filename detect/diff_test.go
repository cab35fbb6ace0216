package detect

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/sigma"
)

// fixtureBatches are the events of the differential test: simulated
// CloudTrail (with repeated login failures for the correlation), VPC flow
// and Kubernetes audit records, and the real CloudTrail files of the
// shared datasets when present.
func fixtureBatches(t *testing.T) [][]*cairn.Event {
	t.Helper()
	batches := simBatches(t, 7, 30, 100)
	t0 := time.Date(2026, 10, 1, 1, 0, 0, 0, time.UTC)
	var fails []*cairn.Event
	for i := range 7 {
		fails = append(fails, loginFailure(fmt.Sprintf("fail-%d", i), "198.51.100.77", t0.Add(time.Duration(i)*5*time.Minute)))
	}
	batches = append(batches, fails[:2], fails[2:], flowEvents(t), auditEvents())
	if dir, ok := dataset("cloudtrail/invictus-ir-aws_dataset"); ok {
		files, _ := filepath.Glob(filepath.Join(dir, "*.json.gz"))
		for _, f := range files {
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			batches = append(batches, decodeCloudTrail(t, filepath.Base(f), body))
		}
	} else {
		t.Log("shared datasets absent: simulated events only")
	}
	return batches
}

func diffRules(t *testing.T) []*sigma.Rule {
	paths := []string{"testdata/rules", "testdata/firstseen"}
	if p, ok := dataset("sigma/rules/cloud/aws/cloudtrail"); ok {
		paths = append(paths, p)
	}
	return loadRules(t, paths...)
}

type matchSet map[string]bool

func (m matchSet) add(r *sigma.Rule, ev *cairn.Event) { m[r.Key()+" "+ev.EventID] = true }

func (m matchSet) diff(o matchSet) []string {
	var out []string
	for k := range m {
		if !o[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// Streaming (every batch evaluated as it commits, duplicates redelivered)
// and a retro-hunt over the resulting store find the same (rule, event)
// matches and the same number of matches per rule in their alerts.
func TestStreamingAndHuntAgree(t *testing.T) {
	ctx := context.Background()
	rules := diffRules(t)
	s := openStore(t)
	e := newEngine(t, rules)
	stream := matchSet{}
	e.stream.onMatch = stream.add
	batches := fixtureBatches(t)
	for i, b := range batches {
		commit(t, s, e, b)
		if i%5 == 0 {
			commit(t, s, e, b) // redelivery: nothing new stored, nothing evaluated
		}
	}
	ruleSet := map[string]bool{}
	for k := range stream {
		rule, _, _ := strings.Cut(k, " ")
		ruleSet[rule] = true
	}
	t.Logf("%d batches, %d streaming matches of %d rules", len(batches), len(stream), len(ruleSet))
	if len(stream) < 10 {
		t.Fatalf("only %d streaming matches: fixtures too weak", len(stream))
	}

	for _, page := range []int{0, 97} {
		t.Run(fmt.Sprintf("page=%d", page), func(t *testing.T) {
			hunt := matchSet{}
			res, err := e.Hunt(ctx, StoreQuerier{s}, HuntOptions{PageSize: page, OnMatch: hunt.add})
			if err != nil {
				t.Fatal(err)
			}
			if d := stream.diff(hunt); len(d) > 0 {
				t.Errorf("streaming only: %v", d)
			}
			if d := hunt.diff(stream); len(d) > 0 {
				t.Errorf("hunt only: %v", d)
			}
			if res.Matches != int64(len(stream)) {
				t.Errorf("hunt matches %d, want %d", res.Matches, len(stream))
			}
			// Alerts count the same matches per rule.
			stored, err := s.ListAlerts(ctx, cairn.AlertFilter{Limit: 100000})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := countByRule(res.Alerts), countByRule(stored); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("hunt alert counts %v\nstored alert counts %v", got, want)
			}
			if countByRule(res.Alerts)["6f3c2a1e-0b7d-4c55-9a43-2d1f0e9b7a04"] == 0 {
				t.Errorf("the login-failure correlation did not fire: %v", countByRule(res.Alerts))
			}
			// The first-seen rule raises some of its matches, not all.
			newRegion, matches := countByRule(res.Alerts)[firstSeenTestRule], 0
			for k := range stream {
				if strings.HasPrefix(k, firstSeenTestRule+" ") {
					matches++
				}
			}
			t.Logf("first-seen rule: %d alerts for %d matches", newRegion, matches)
			if newRegion == 0 || newRegion >= int64(matches) {
				t.Errorf("first-seen rule: %d alerts for %d matches", newRegion, matches)
			}
		})
	}

	// A time range selects the matches of the events in it.
	from, to := time.Date(2026, 10, 1, 2, 0, 0, 0, time.UTC), time.Date(2026, 10, 1, 4, 0, 0, 0, time.UTC)
	inRange := matchSet{}
	if _, err := e.Hunt(ctx, StoreQuerier{s}, HuntOptions{From: from, To: to, OnMatch: func(r *sigma.Rule, ev *cairn.Event) {
		if ev.Time.Before(from) || !ev.Time.Before(to) {
			t.Errorf("event %s at %v outside the range", ev.EventID, ev.Time)
		}
		inRange.add(r, ev)
	}}); err != nil {
		t.Fatal(err)
	}
	if len(inRange) == 0 || len(inRange) >= len(stream) {
		t.Errorf("range matches %d of %d", len(inRange), len(stream))
	}
}

// firstSeenTestRule is testdata/firstseen/new_region.yml.
const firstSeenTestRule = "6f3c2a1e-0b7d-4c55-9a43-2d1f0e9b7a10"

func countByRule(as []cairn.Alert) map[string]int64 {
	out := map[string]int64{}
	for _, a := range as {
		out[a.RuleID] += a.Count
	}
	return out
}

// The SQL prefilter narrows CloudTrail rows by the literals the rules
// require, and keeps every row when one rule pins none.
func TestPrefilter(t *testing.T) {
	pinned := newEngine(t, loadRules(t, "testdata/rules/access_key_created.yml", "testdata/rules/trail_tampering.yml"))
	where, args := pinned.Prefilter(time.Time{}, time.Time{})
	want := "((source = ? AND (lower(event_name) IN (?, ?, ?, ?))))"
	if where != want || fmt.Sprint(args) != "[aws.cloudtrail createaccesskey deletetrail puteventselectors stoplogging]" {
		t.Errorf("pinned: %s %v", where, args)
	}
	all := newEngine(t, loadRules(t, "testdata/rules"))
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	where, args = all.Prefilter(from, from.Add(time.Hour))
	want = "((source = ?) OR (source IN (?, ?))) AND time >= ? AND time < ?"
	if where != want || len(args) != 5 || args[0] != SourceCloudTrail {
		t.Errorf("unpinned: %s %v", where, args)
	}
	none := newEngine(t, loadRules(t, "testdata/rules/k8s_exec.yml"))
	res, err := none.Hunt(context.Background(), StoreQuerier{openStore(t)}, HuntOptions{})
	if err != nil || res.Candidates != 0 {
		t.Errorf("empty store: %+v %v", res, err)
	}
}
