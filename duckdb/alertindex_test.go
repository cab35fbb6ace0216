package duckdb

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
)

// The open-alert index must settle upserts exactly as reading the table
// does. Two stores get the same random history — batches of alerts in and
// out of time order, closes, reopens, acknowledgements, rolled-back
// transactions — one through the index (small, so it evicts and falls
// back to the table), the other through Store.UpsertAlerts, which always
// reads the table; their alerts must end up identical.
func TestAlertIndexAgreesWithTable(t *testing.T) {
	defer func(n int64) { compactAlertVersionsAt = n }(compactAlertVersionsAt)
	compactAlertVersionsAt = 10 // superseded versions are deleted along the way
	for _, size := range []int{4, 40, DefaultAlertIndexSize} {
		t.Run(fmt.Sprint("size=", size), func(t *testing.T) {
			ctx := context.Background()
			indexed, err := Open(ctx, Options{Dir: t.TempDir(), AlertIndexSize: size})
			if err != nil {
				t.Fatal(err)
			}
			defer indexed.Close()
			table := openTest(t)
			rng := rand.New(rand.NewPCG(uint64(size), 7))
			t0 := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
			window := time.Hour
			clock := t0
			ev := 0
			for step := range 120 {
				switch r := rng.IntN(20); {
				case r == 0 || r == 1: // a status change on both
					all, err := table.ListAlerts(ctx, cairn.AlertFilter{Limit: 10000})
					if err != nil || len(all) == 0 {
						continue
					}
					a := all[rng.IntN(len(all))]
					st := []cairn.AlertStatus{cairn.AlertClosed, cairn.AlertOpen, cairn.AlertAcknowledged}[rng.IntN(3)]
					for _, s := range []*Store{indexed, table} {
						if err := s.SetAlertStatus(ctx, a.ID, st); err != nil {
							t.Fatalf("step %d: %v", step, err)
						}
					}
					continue
				}
				// A batch: mostly moving forward, sometimes reaching back
				// hours (a backfill).
				if rng.IntN(6) == 0 {
					clock = clock.Add(-time.Duration(rng.IntN(10)) * time.Hour)
				} else {
					clock = clock.Add(time.Duration(rng.IntN(90)) * time.Minute)
				}
				var batch []cairn.Alert
				for range 1 + rng.IntN(6) {
					ev++
					at := clock.Add(time.Duration(rng.IntN(50)) * time.Minute)
					ids := []string{fmt.Sprintf("e%d", ev)}
					if rng.IntN(3) == 0 {
						ev++
						ids = append(ids, fmt.Sprintf("e%d", ev))
					}
					a := testAlert(fmt.Sprint("r", rng.IntN(3)), fmt.Sprint("g", rng.IntN(4)), at, ids...)
					a.LastSeen = at.Add(time.Duration(rng.IntN(20)) * time.Minute)
					batch = append(batch, a)
				}
				wtx, err := indexed.Begin(ctx)
				if err != nil {
					t.Fatal(err)
				}
				tx := wtx.(*Tx)
				// Two upserts in one transaction, as the Sigma and IOC
				// detectors do.
				half := len(batch) / 2
				if _, err := tx.UpsertAlerts(ctx, batch[:half], window); err != nil {
					t.Fatalf("step %d: %v", step, err)
				}
				if _, err := tx.UpsertAlerts(ctx, batch[half:], window); err != nil {
					t.Fatalf("step %d: %v", step, err)
				}
				if rng.IntN(8) == 0 {
					if err := tx.Rollback(); err != nil {
						t.Fatal(err)
					}
					continue
				}
				if _, err := tx.Commit(ctx); err != nil {
					t.Fatal(err)
				}
				if _, err := table.UpsertAlerts(ctx, batch[:half], window); err != nil {
					t.Fatal(err)
				}
				if _, err := table.UpsertAlerts(ctx, batch[half:], window); err != nil {
					t.Fatal(err)
				}
			}
			got, want := allAlerts(t, indexed), allAlerts(t, table)
			if !slices.Equal(got, want) {
				t.Fatalf("indexed store has %d alerts, the table-read one %d:\n got %v\nwant %v", len(got), len(want), got, want)
			}
			var versions, ids int
			if err := indexed.DB().QueryRowContext(ctx, `SELECT count(*), count(DISTINCT id) FROM alert_versions`).Scan(&versions, &ids); err != nil {
				t.Fatal(err)
			}
			if versions-ids >= 10+6 {
				t.Fatalf("%d superseded alert versions kept", versions-ids)
			}
			settled, read := indexed.AlertIndexStats()
			t.Logf("%d alerts; index settled %d upserted alerts, read the table for %d", len(want), settled, read)
			if settled == 0 {
				t.Fatal("the index settled nothing")
			}
			if size == 4 && read == 0 {
				t.Fatal("a 4-alert index never fell back to the table")
			}
		})
	}
}

// allAlerts describes every alert, in a stable order, without the
// recording times (the two stores commit at different moments).
func allAlerts(t *testing.T, s *Store) []string {
	t.Helper()
	all, err := s.ListAlerts(context.Background(), cairn.AlertFilter{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(all))
	for i, a := range all {
		out[i] = fmt.Sprintf("%s %s %s %s %s..%s n=%d %v %s %s", a.ID, a.RuleID, a.GroupKey, a.Title,
			a.FirstSeen.Format(time.TimeOnly), a.LastSeen.Format(time.TimeOnly), a.Count, a.SampleEventIDs, a.Status, a.Author)
	}
	slices.Sort(out)
	return out
}
