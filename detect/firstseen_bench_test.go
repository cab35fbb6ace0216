package detect

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/cairn-sec/cairn/rulepack"
	"github.com/cairn-sec/cairn/sigma"
)

// BenchmarkFirstSeenState is saving (and loading) a full first-seen memory
// (the default cap, 100 000 principal/region pairs of the shipped rule):
// the cost of one state write, and its size.
func BenchmarkFirstSeenState(b *testing.B) {
	rules, errs := rulepack.Load(rulepack.Options{})
	if len(errs) > 0 {
		b.Fatal(errs)
	}
	specs, _ := rulepack.NewValues(rules)
	var region *sigma.Rule
	for r := range specs {
		region = r
	}
	fs := rulepack.NewFirstSeen(specs, DefaultMaxFirstSeen)
	t0 := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	var pe sigma.Event
	for i := range DefaultMaxFirstSeen {
		raw := fmt.Sprintf(`{"userIdentity":{"arn":"arn:aws:sts::111122223333:assumed-role/Role%d/session-%d"},"awsRegion":"us-east-%d"}`, i%500, i, i%4)
		if err := pe.Reset([]byte(raw)); err != nil {
			b.Fatal(err)
		}
		fs.Record(region, &pe, t0.Add(time.Duration(i)*time.Second))
	}
	data, err := json.Marshal(fs)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("save", func(b *testing.B) {
		for b.Loop() {
			if _, err := json.Marshal(fs); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(data)), "state-bytes")
	})
	b.Run("load", func(b *testing.B) {
		for b.Loop() {
			if err := json.Unmarshal(data, rulepack.NewFirstSeen(specs, DefaultMaxFirstSeen)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkFirstSeenCommit is the commit path (append, detect, commit) of
// batches of 1000 simulated CloudTrail events with the shipped pack,
// without and with its first-seen attribute; state-writes/op is how often
// the first-seen memory was rewritten after the first round of the 64
// batches (replayed, with new event IDs: the pairs are known then).
func BenchmarkFirstSeenCommit(b *testing.B) {
	const perBatch = 1000
	rules, errs := rulepack.Load(rulepack.Options{})
	if len(errs) > 0 {
		b.Fatal(errs)
	}
	specs, _ := rulepack.NewValues(rules)
	pool := simBatches(b, 11, 64, perBatch)
	for _, mode := range []string{"plain", "firstseen"} {
		b.Run(mode, func(b *testing.B) {
			opts := Options{Rules: rules}
			if mode == "firstseen" {
				opts.NewValues = specs
			}
			eng, err := New(opts)
			if err != nil {
				b.Fatal(err)
			}
			s := openStore(b)
			var gen0 int64
			cpu0 := cpuTime()
			for i := 0; b.Loop(); i++ {
				commit(b, s, eng, replayBatch(pool, i))
				if i == len(pool)-1 {
					gen0 = eng.seenState.gen // the first round learnt the pairs
				}
			}
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N*perBatch), "cpu-ns/event")
			if eng.seen != nil {
				if b.N > len(pool) {
					b.ReportMetric(float64(eng.seenState.gen-gen0)/float64(b.N-len(pool)), "state-writes/op")
				}
				b.ReportMetric(float64(eng.seen.Len()), "combinations")
			}
		})
	}
}
