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
// (when sigmaRules is a directory), each repeats times in turn, and
// reports the median of each against detection off: what streaming
// detection costs ingestion.
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
	var b strings.Builder
	fmt.Fprintf(&b, "| detection (ingest, median of %d) | seconds | events/s | CPU s | throughput vs off | CPU vs off |\n|---|---:|---:|---:|---:|---:|\n", repeats)
	var off0, cpu0 time.Duration
	for m, md := range modes {
		wall := med(runs[m], func(r result) time.Duration { return r.elapsed })
		cpu := med(runs[m], func(r result) time.Duration { return r.cpu })
		if m == 0 {
			off0, cpu0 = wall, cpu
		}
		fmt.Fprintf(&b, "| %s | %.2f | %.0f | %.2f | %+.0f%% | %+.0f%% |\n", md.name, wall.Seconds(), float64(events)/wall.Seconds(), cpu.Seconds(),
			(off0.Seconds()/wall.Seconds()-1)*100, (cpu.Seconds()/cpu0.Seconds()-1)*100)
		r := runs[m][0]
		r.elapsed, r.cpu = wall, cpu
		rows = append(rows, r)
	}
	return rows, b.String()
}
