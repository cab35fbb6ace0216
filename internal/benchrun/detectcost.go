package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// detectCost ingests the corpus with detection off, with the shipped rule
// pack (the default), and with the pack plus the SigmaHQ CloudTrail rules
// (when sigmaRules is a directory), in repeats rounds, and reports what
// streaming detection costs ingestion: each mode against detection off
// within a round, the median and range over the rounds.
func detectCost(bin, work, corpus, sigmaRules string, repeats int, events int64) (rows []result, table string) {
	type mode struct{ name, config string }
	modes := []mode{{"detection off", "detect:\n  enabled: false\n"}, {"shipped rule pack (default)", ""}}
	if st, err := os.Stat(sigmaRules); err == nil && st.IsDir() {
		abs, _ := filepath.Abs(sigmaRules)
		modes = append(modes, mode{"shipped pack + SigmaHQ CloudTrail rules", fmt.Sprintf("detect:\n  rules: [%q]\n", abs)})
	}
	runs := make([][]result, len(modes))
	for i := range repeats {
		for m, md := range modes {
			cfg := filepath.Join(work, fmt.Sprintf("detect-%d.yaml", m))
			check(os.WriteFile(cfg, []byte(md.config), 0o644))
			store := filepath.Join(work, fmt.Sprintf("d%d-%d", m, i))
			r := run(bin, "ingest, "+md.name, []string{"ingest", corpus, "--store", store, "--progress", "none", "--config", cfg})
			os.RemoveAll(store)
			r.events = events
			runs[m] = append(runs[m], r)
		}
	}
	med := func(rs []result, f func(result) time.Duration) time.Duration {
		ds := make([]time.Duration, len(rs))
		for i, r := range rs {
			ds[i] = f(r)
		}
		slices.Sort(ds)
		return ds[len(ds)/2]
	}
	// Each round runs every mode back to back, so the ratio of a mode to
	// detection off within a round cancels the machine's slow drift; the
	// table gives the median of those ratios and their range.
	paired := func(m int, f func(result) time.Duration, inverse bool) (median, lo, hi float64) {
		rs := make([]float64, len(runs[m]))
		for i := range runs[m] {
			a, b := f(runs[0][i]).Seconds(), f(runs[m][i]).Seconds()
			if inverse {
				a, b = b, a
			}
			rs[i] = (b/a - 1) * 100
		}
		slices.Sort(rs)
		return rs[len(rs)/2], rs[0], rs[len(rs)-1]
	}
	var b strings.Builder
	fmt.Fprintf(&b, "| detection (ingest, %d rounds) | seconds | events/s | CPU s | throughput vs off | (range) | CPU vs off | (range) |\n|---|---:|---:|---:|---:|---:|---:|---:|\n", repeats)
	for m, md := range modes {
		wall := med(runs[m], func(r result) time.Duration { return r.elapsed })
		cpu := med(runs[m], func(r result) time.Duration { return r.cpu })
		tp, tpLo, tpHi := paired(m, func(r result) time.Duration { return r.elapsed }, true)
		cp, cpLo, cpHi := paired(m, func(r result) time.Duration { return r.cpu }, false)
		fmt.Fprintf(&b, "| %s | %.2f | %.0f | %.2f | %+.0f%% | %+.0f%%..%+.0f%% | %+.0f%% | %+.0f%%..%+.0f%% |\n", md.name, wall.Seconds(),
			float64(events)/wall.Seconds(), cpu.Seconds(), tp, tpLo, tpHi, cp, cpLo, cpHi)
		r := runs[m][0]
		r.elapsed, r.cpu = wall, cpu
		rows = append(rows, r)
	}
	fmt.Fprintf(&b, "\nSeconds, events/s and CPU s are medians over the rounds; the changes against detection off are the medians (and ranges) of each round's ratio, the modes of a round running back to back.\n")
	return rows, b.String()
}
