package ioc

import (
	"strings"
	"testing"

	"github.com/cairn-sec/cairn"
)

// checkResult: every indicator a parser returns is usable: it survives New
// again unchanged and matching with it never panics.
func checkResult(t *testing.T, res Result) {
	for _, ind := range res.Indicators {
		again, err := New(ind.Value, ind.Type)
		if ind.Type != TypeUserAgentSubstring && (err != nil || again.Value != ind.Value) {
			t.Fatalf("%s %q: not stable: %q %v", ind.Type, ind.Value, again.Value, err)
		}
	}
	s := NewSet(res.Indicators)
	for _, ind := range res.Indicators {
		s.Match(&cairn.Event{SourceIP: ind.Value, QueryName: ind.Value, UserARN: ind.Value, UserAgent: ind.Value}, nil)
	}
	if res.Skips < len(res.Skipped) || len(res.Skipped) > maxSkippedKept {
		t.Fatalf("skips %d, kept %d", res.Skips, len(res.Skipped))
	}
}

func FuzzParsePlain(f *testing.F) {
	f.Add(testList)
	f.Add("# c\n198.51.100.1 # x\n::ffff:1.2.3.4/120\n*.a.example.\n")
	f.Fuzz(func(t *testing.T, s string) {
		res, err := ParsePlain(strings.NewReader(s), "f", "f")
		if err == nil {
			checkResult(t, res)
		}
	})
}

func FuzzParseCSV(f *testing.F) {
	f.Add("Value,Type,Source,Comment\n198.51.100.1,,abuse.ch,scanner\n\"a\"\"b\",user_agent,,\n")
	f.Add("ioc\n1.2.3.4\n\"unterminated\n")
	f.Fuzz(func(t *testing.T, s string) {
		res, err := ParseCSV(strings.NewReader(s), "f", "f.csv")
		if err == nil {
			checkResult(t, res)
		}
	})
}

func FuzzParseSTIX(f *testing.F) {
	f.Add(bundle)
	f.Add(`{"type":"bundle","objects":[{"type":"indicator","pattern":"([ipv4-addr:value = '1.2.3.4/8'] OR [user-account:user_id = 'x'])"}]}`)
	f.Add(`{"type":"bundle","objects":[{"type":"indicator","pattern":"[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = 'a\\'b']"}]}`)
	f.Fuzz(func(t *testing.T, s string) {
		res, err := ParseSTIX(strings.NewReader(s), "f", "f.json")
		if err == nil {
			checkResult(t, res)
		}
	})
}

func FuzzParsePattern(f *testing.F) {
	f.Add("[ipv4-addr:value = '198.51.100.1'] OR ([domain-name:value = 'a.example' OR url:value = 'http://x.example/'])")
	f.Add("[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = 'a\\'b'] WITHIN 5 SECONDS")
	f.Add("[file:hashes.'SHA-256' = h'ab'] AND [x:y != 1]")
	f.Fuzz(func(t *testing.T, s string) {
		cmps, err := ParsePattern(s)
		if err != nil {
			return
		}
		if len(cmps) == 0 {
			t.Fatalf("%q: no comparisons and no error", s)
		}
		for _, c := range cmps {
			if _, ok := stixPaths[c.Path]; !ok || c.Type == "" {
				t.Fatalf("%q: unsupported path %q or no type", s, c.Path)
			}
		}
	})
}
