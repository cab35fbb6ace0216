package sigma

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzParseRule: any input either parses or returns positioned errors;
// never a panic. Parsed rules are also evaluated against a sample event.
func FuzzParseRule(f *testing.F) {
	// Seeds: the package's rules (small, every feature) and a few SigmaHQ
	// rules with distinct constructs. Few, small seeds keep Go's
	// minimization of new inputs short.
	hq := filepath.Join(datasets, "sigma/rules/cloud/aws/cloudtrail")
	var files []string
	for _, g := range []string{"testdata/rules/*.yml", "testdata/bad/*.yml"} {
		m, _ := filepath.Glob(g)
		files = append(files, m...)
	}
	for _, n := range []string{"aws_cloudtrail_imds_malicious_usage.yml", "aws_iam_s3browser_templated_s3_bucket_policy_creation.yml",
		"aws_update_login_profile.yml", "aws_cloudtrail_guardduty_detector_deleted_or_updated.yml"} {
		files = append(files, filepath.Join(hq, n))
	}
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("title: x\nlogsource: {}\ndetection:\n  s: {a|re|i: '(?i)x', b|cidr: '::/0', c|base64offset|contains: q, d|windash: '-x'}\n  k: [a, '*b?']\n  condition: 1 of s* or not (k and all of them)\n"))
	f.Add([]byte("title: x\ncorrelation: {type: temporal_ordered, rules: [a, b], group-by: [u], timespan: 5m, aliases: {u: {a: x}}}\n"))
	f.Add([]byte("a: &a [*a]\n"))
	ev := mustEvent(f, `{"eventName":"CreateUser","userIdentity":{"type":"Root","arn":"arn:aws:iam::1:root"},"requestParameters":{"x":[1,{"y":"z"}]},"n":5}`)
	f.Fuzz(func(t *testing.T, data []byte) {
		rules, errs := Parse(data, "fuzz.yml", &Options{Placeholders: map[string][]string{"p": {"a*", "b"}}})
		for _, err := range errs {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if err.Error() == "" {
				t.Fatal("empty error")
			}
		}
		for _, r := range rules {
			r.Match(ev)
			_ = r.Detection.String()
		}
		Link(rules)
		if c, err := NewCorrelator(rules, Limits{MaxGroups: 4, MaxEntries: 8}); err == nil {
			rs := NewRuleSet(rules)
			matched := rs.Eval(CloudTrail, ev, nil)
			c.Observe(ev, time.Unix(0, 0), matched)
			c.Advance(time.Unix(3600, 0))
			data, _ := MarshalState(c.State())
			if st, err := UnmarshalState(data); err == nil {
				c.Restore(st)
			}
		}
	})
}

// FuzzMatch: any JSON input is evaluated by the whole rule set without a
// panic, the indexed result equals evaluating every rule, and inputs the
// standard library rejects are rejected too.
func FuzzMatch(f *testing.F) {
	rules := loadTestRules(f)
	for i, l := range loadLabeled(f) {
		if i%5 != 0 { // a sample keeps minimization of new inputs short
			continue
		}
		var compact bytes.Buffer
		_ = json.Compact(&compact, l.Event)
		f.Add(compact.Bytes())
	}
	f.Add([]byte(`{"eventName":"x","a":[[[[]]]],"b":"\ud83d\ude00\u0000","c":-1.5e10,"d.e":{"f":null}}`))
	f.Add([]byte(`[1,2,{"eventName":["StopLogging","DeleteTrail"],"eventSource":"cloudtrail.amazonaws.com"}]`))
	f.Add([]byte(`{"eventName":"ConsoleLogin","sourceIPAddress":"::ffff:1.2.3.4","responseElements":{"ConsoleLogin":"Success"}}`))
	rs := NewRuleSet(rules)
	detection := rs.Rules(CloudTrail)
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := ParseEvent(data)
		if err != nil {
			if _, err2 := rs.Match(data); err2 == nil {
				t.Fatal("Match accepted what ParseEvent rejected")
			}
			if err != errDepth && json.Valid(data) {
				t.Fatalf("rejected valid JSON %q: %v", data, err)
			}
			return
		}
		if !json.Valid(data) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
		got := rs.Eval(CloudTrail, e, nil)
		var full []*Rule
		for _, r := range detection {
			if r.Match(e) {
				full = append(full, r)
			}
		}
		if len(got) != len(full) {
			t.Fatalf("index matched %d rules, full scan %d", len(got), len(full))
		}
		for i := range got {
			if got[i] != full[i] {
				t.Fatalf("index and full scan differ at %d", i)
			}
		}
		_ = e.Values("requestParameters")
	})
}
