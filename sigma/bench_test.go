package sigma

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"
)

// benchCorpus returns the rules (SigmaHQ's 57 plus the package's own when
// the datasets are present, else the package's own) and realistic records
// (the invictus-ir attack simulation, else testdata/events.json).
func benchCorpus(b *testing.B) ([]*Rule, [][]byte) {
	return append(loadTestRules(b), sigmaHQ(b)...), benchRecords(b)
}

// sigmaHQ loads the SigmaHQ CloudTrail rules (nil when absent).
func sigmaHQ(b *testing.B) []*Rule {
	hq, errs := LoadDir(filepath.Join(datasets, "sigma/rules/cloud/aws/cloudtrail"), nil)
	if len(errs) > 0 {
		return nil
	}
	return hq
}

func benchRecords(b *testing.B) [][]byte {
	recs := loadRecords(b)
	if len(recs) == 0 {
		for _, l := range loadLabeled(b) {
			var c bytes.Buffer
			_ = json.Compact(&c, l.Event)
			recs = append(recs, c.Bytes())
		}
	}
	return recs
}

// BenchmarkRuleSet: parse each record once and evaluate every rule that
// applies through the index, as the ingest pipeline will. Sub-benchmarks:
// the 57 SigmaHQ rules alone (skipped without the datasets), the package's
// test rules alone, and both.
func BenchmarkRuleSet(b *testing.B) {
	recs := benchRecords(b)
	own := loadTestRules(b)
	hq := sigmaHQ(b)
	for _, c := range []struct {
		name  string
		rules []*Rule
	}{{"sigmahq", hq}, {"testdata", own}, {"all", append(append([]*Rule(nil), own...), hq...)}} {
		b.Run(c.name, func(b *testing.B) {
			if len(c.rules) == 0 {
				b.Skip("rules not present")
			}
			benchRuleSet(b, c.rules, recs)
		})
	}
}

func benchRuleSet(b *testing.B, rules []*Rule, recs [][]byte) {
	rs := NewRuleSet(rules)
	var size int
	for _, r := range recs {
		size += len(r)
	}
	var e Event
	var dst []*Rule
	b.SetBytes(int64(size / len(recs)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if err := e.Reset(recs[i%len(recs)]); err != nil {
			b.Fatal(err)
		}
		dst = rs.Eval(CloudTrail, &e, dst[:0])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(rs.Stats(CloudTrail).Rules), "rules")
}

// BenchmarkRuleSetMatch is the convenience API (pooled event, ids out).
func BenchmarkRuleSetMatch(b *testing.B) {
	rules, recs := benchCorpus(b)
	rs := NewRuleSet(rules)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := rs.Match(recs[i%len(recs)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkFullScan evaluates every rule on every event without the index
// (the cost the index saves).
func BenchmarkFullScan(b *testing.B) {
	rules, recs := benchCorpus(b)
	var det []*Rule
	for _, r := range rules {
		if r.Detection != nil {
			det = append(det, r)
		}
	}
	var e Event
	b.ResetTimer()
	for i := range b.N {
		if err := e.Reset(recs[i%len(recs)]); err != nil {
			b.Fatal(err)
		}
		for _, r := range det {
			r.Match(&e)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkParseEvent is the parse alone.
func BenchmarkParseEvent(b *testing.B) {
	_, recs := benchCorpus(b)
	var e Event
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if err := e.Reset(recs[i%len(recs)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkStdlibUnmarshal is encoding/json into map[string]any, for
// comparison with ParseEvent.
func BenchmarkStdlibUnmarshal(b *testing.B) {
	_, recs := benchCorpus(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		var m map[string]any
		if err := json.Unmarshal(recs[i%len(recs)], &m); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
