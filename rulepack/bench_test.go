package rulepack

import (
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/cairn-sec/cairn/sigma"
)

// packEvents collects the CloudTrail records of the shipped tests.
func packEvents(b *testing.B) [][]byte {
	b.Helper()
	var out [][]byte
	err := fs.WalkDir(Shipped(), "cloudtrail", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".tests.yml") {
			return err
		}
		data, err := fs.ReadFile(Shipped(), p)
		if err != nil {
			return err
		}
		cases, err := ParseCases(data, p)
		if err != nil {
			return err
		}
		for _, c := range cases {
			out = append(out, c.Events...)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return out
}

// BenchmarkShippedPackEval: one CloudTrail record (parse + every shipped
// detection through the index + the correlator) per op.
func BenchmarkShippedPackEval(b *testing.B) {
	rules, errs := Load(Options{})
	if len(errs) > 0 {
		b.Fatal(errs)
	}
	events := packEvents(b)
	rs := sigma.NewRuleSet(rules)
	corr, err := sigma.NewCorrelator(rules, sigma.Limits{})
	if err != nil {
		b.Fatal(err)
	}
	e := new(sigma.Event)
	var buf []*sigma.Rule
	var bytes int64
	for _, ev := range events {
		bytes += int64(len(ev))
	}
	b.SetBytes(bytes / int64(len(events)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		raw := events[i%len(events)]
		if err := e.Reset(raw); err != nil {
			b.Fatal(err)
		}
		buf = rs.Eval(sigma.CloudTrail, e, buf[:0])
		t, _ := sigma.EventTime(e)
		corr.Observe(e, t.Add(time.Duration(i)*time.Millisecond), buf)
	}
}

// BenchmarkLoadShipped: parsing and linking the whole shipped pack.
func BenchmarkLoadShipped(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, errs := Load(Options{}); len(errs) > 0 {
			b.Fatal(errs)
		}
	}
}
