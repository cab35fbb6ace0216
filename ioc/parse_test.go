package ioc

import (
	"strings"
	"testing"
)

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Type
	}{
		{"198.51.100.1", TypeIPv4},
		{"2001:db8::1", TypeIPv6},
		{"198.51.100.0/24", TypeCIDR},
		{"2001:db8::/32", TypeCIDR},
		{"AKIAIOSFODNN7EXAMPLE", TypeAccessKeyID},
		{"ASIAY34FZKBOKMUTVV7A", TypeAccessKeyID},
		{"arn:aws:iam::123456789012:user/mallory", TypeARN},
		{"123456789012", TypeAccountID},
		{"evil.example.com", TypeDomain},
		{"EVIL.Example.COM.", TypeDomain},
		{"https://evil.example.com/payload", TypeURL},
		{"python-requests/2.31.0", TypeUserAgent},
		{"Mozilla/5.0 (X11; Linux x86_64)", TypeUserAgent},
		{"nodots", ""},
		{"12345", ""},
		{"AKIA123", ""},
	} {
		got, err := Detect(tc.in)
		if got != tc.want || (err != nil) != (tc.want == "") {
			t.Errorf("Detect(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestNewNormalizes(t *testing.T) {
	for _, tc := range []struct {
		in    string
		t     Type
		value string
		err   string
	}{
		{"198.51.100.7", "", "198.51.100.7", ""},
		{"::ffff:198.51.100.7", TypeIPv4, "198.51.100.7", ""},
		{"198.51.100.7/24", "", "198.51.100.0/24", ""},
		{"2001:DB8::1", "", "2001:db8::1", ""},
		{"*.Evil.Example.", TypeDomain, "evil.example", ""},
		{"Curl", TypeUserAgentSubstring, "curl", ""},
		{"198.51.100.7", TypeIPv6, "", "wrong address family"},
		{"12345", TypeAccountID, "", "want 12 digits"},
		{"AKIAshort", TypeAccessKeyID, "", "want AKIA or ASIA"},
		{"arn:aws:iam", TypeARN, "", "want arn:partition"},
		{"not a domain", TypeDomain, "", "not a host name"},
		{"mailto:x", TypeURL, "", "no host"},
		{"x", "bogus", "", "unknown indicator type"},
	} {
		ind, err := New(tc.in, tc.t)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("New(%q, %q) error %v, want %q", tc.in, tc.t, err, tc.err)
			}
			continue
		}
		if err != nil || ind.Value != tc.value {
			t.Errorf("New(%q, %q) = %q, %v; want %q", tc.in, tc.t, ind.Value, err, tc.value)
		}
	}
}

func values(res Result) []string {
	var out []string
	for _, ind := range res.Indicators {
		out = append(out, string(ind.Type)+"="+ind.Value)
	}
	return out
}

func TestParsePlain(t *testing.T) {
	in := "\xef\xbb\xbf# bad addresses\n198.51.100.1\n\n  203.0.113.0/24   # a net\nevil.example.com\t# c2\n???\nAKIAIOSFODNN7EXAMPLE\n"
	res, err := Parse(strings.NewReader(in), FormatAuto, "feed", "bad.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"ipv4=198.51.100.1", "cidr=203.0.113.0/24", "domain=evil.example.com", "access_key_id=AKIAIOSFODNN7EXAMPLE"}
	if got := values(res); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got %v, want %v", got, want)
	}
	if res.Skips != 1 || !strings.Contains(res.Skipped[0].Error(), "bad.txt:6: cannot tell the type") {
		t.Errorf("skipped %d %v", res.Skips, res.Skipped)
	}
	for _, ind := range res.Indicators {
		if ind.List != "feed" {
			t.Errorf("%v: list %q", ind, ind.List)
		}
	}
	if _, err := ParsePlain(strings.NewReader(strings.Repeat("a", maxLine+1)), "x", "long.txt"); err == nil || !strings.Contains(err.Error(), "long.txt:1") {
		t.Errorf("long line: %v", err)
	}
}

func TestParseCSV(t *testing.T) {
	in := "Value,Type,Source,Comment\n" +
		"198.51.100.1,,abuse.ch,scanner\n" +
		"\"python-requests\",user_agent_substring,internal,scripts\n" +
		"# a comment\n" +
		"111122223333,account,,partner gone rogue\n" +
		"evil.example,bogus,,\n" +
		",ipv4,,\n" +
		"Mallory,user_name,,\n"
	res, err := Parse(strings.NewReader(in), FormatAuto, "csvlist", "iocs.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"ipv4=198.51.100.1", "user_agent_substring=python-requests", "account_id=111122223333", "user_name=Mallory"}
	if got := values(res); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got %v, want %v", got, want)
	}
	if res.Indicators[0].Source != "abuse.ch" || res.Indicators[0].Description != "scanner" || res.Indicators[0].List != "csvlist" {
		t.Errorf("metadata: %+v", res.Indicators[0])
	}
	if res.Skips != 2 || !strings.Contains(res.Skipped[0].Error(), "iocs.csv:6: unknown indicator type \"bogus\"") ||
		!strings.Contains(res.Skipped[1].Error(), "iocs.csv:7: no indicator") {
		t.Errorf("skipped %v", res.Skipped)
	}
	for _, bad := range []string{"name,kind\nx,y\n", "ioc,value\n1.2.3.4,1.2.3.4\n"} {
		if _, err := ParseCSV(strings.NewReader(bad), "x", "bad.csv"); err == nil || !strings.Contains(err.Error(), "bad.csv: header") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	// An empty file is an empty list.
	if res, err := ParseCSV(strings.NewReader(""), "x", "e.csv"); err != nil || len(res.Indicators) != 0 {
		t.Errorf("empty: %v %v", res, err)
	}
}

func TestParsePattern(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // type=value …
		err  string
	}{
		{"[ipv4-addr:value = '198.51.100.1']", "ipv4=198.51.100.1", ""},
		{"[ipv4-addr:value = '198.51.100.0/24']", "cidr=198.51.100.0/24", ""},
		{"[ipv6-addr:value = '2001:db8::1']", "ipv6=2001:db8::1", ""},
		{"[domain-name:value = 'evil.example' OR domain-name:value = 'bad.example']", "domain=evil.example domain=bad.example", ""},
		{"[url:value = 'http://evil.example/x'] OR ([ipv4-addr:value = '203.0.113.9'])", "url=evil.example ipv4=203.0.113.9", ""},
		{"[user-account:user_id = 'AKIAIOSFODNN7EXAMPLE']", "access_key_id=AKIAIOSFODNN7EXAMPLE", ""},
		{"[user-account:user_id = 'arn:aws:iam::111122223333:user/x']", "arn=arn:aws:iam::111122223333:user/x", ""},
		{"[user-account:user_id = '111122223333']", "account_id=111122223333", ""},
		{"[user-account:user_id = 'mallory']", "user_name=mallory", ""},
		{"[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = 'Evil\\'s UA/1.0']", "user_agent=Evil's UA/1.0", ""},
		{"[ipv4-addr:value = '198.51.100.1' AND domain-name:value = 'x.example']", "", "AND"},
		{"[ipv4-addr:value != '198.51.100.1']", "", "comparison \"!=\""},
		{"[ipv4-addr:value MATCHES '198.*']", "", "MATCHES"},
		{"[file:hashes.'SHA-256' = 'abc']", "", "object path file:hashes.'SHA-256' not supported"},
		{"[ipv4-addr:value = '198.51.100.1'] WITHIN 5 SECONDS", "", "WITHIN"},
		{"[ipv4-addr:value = '198.51.100.1'] FOLLOWEDBY [ipv4-addr:value = '198.51.100.2']", "", "FOLLOWEDBY"},
		{"[ipv4-addr:value = 5]", "", "only a quoted string"},
		{"[ipv4-addr:value = '198.51", "", "unterminated"},
		{"", "", "want [ or ("},
	} {
		cmps, err := ParsePattern(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		var got []string
		for _, c := range cmps {
			ind, err := New(c.Value, c.Type)
			if err != nil {
				t.Errorf("%s: %v", tc.in, err)
				continue
			}
			v := ind.Value
			if ind.Type == TypeURL {
				v = ind.host
			}
			got = append(got, string(ind.Type)+"="+v)
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("%s: got %v, want %s", tc.in, got, tc.want)
		}
	}
}

const bundle = `{"type":"bundle","id":"bundle--1","objects":[
 {"type":"identity","id":"identity--1","name":"ACME CTI"},
 {"type":"indicator","spec_version":"2.1","id":"indicator--a","name":"C2 server","labels":["malicious-activity"],
  "pattern":"[ipv4-addr:value = '198.51.100.1'] OR [domain-name:value = 'c2.example']","pattern_type":"stix",
  "valid_from":"2024-01-01T00:00:00Z","valid_until":"2030-01-01T00:00:00Z","created_by_ref":"identity--1"},
 {"type":"indicator","id":"indicator--b","pattern":"[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']","pattern_type":"stix"},
 {"type":"indicator","id":"indicator--c","pattern":"rule x {}","pattern_type":"yara"},
 {"type":"indicator","id":"indicator--d","revoked":true,"pattern":"[ipv4-addr:value = '198.51.100.2']","pattern_type":"stix"},
 {"type":"indicator","id":"indicator--e","name":5}
]}`

func TestParseSTIX(t *testing.T) {
	res, err := Parse(strings.NewReader(bundle), FormatAuto, "cti", "cti.json")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(values(res), " "); got != "ipv4=198.51.100.1 domain=c2.example" {
		t.Errorf("got %s", got)
	}
	ind := res.Indicators[0]
	if ind.Name != "C2 server" || ind.List != "cti" || ind.Source != "identity--1" || len(ind.Labels) != 1 || ind.ValidUntil.Year() != 2030 {
		t.Errorf("metadata %+v", ind)
	}
	if res.Skips != 3 || !strings.Contains(res.Skipped[0].Error(), "indicator--b") || !strings.Contains(res.Skipped[1].Error(), "yara") ||
		!strings.Contains(res.Skipped[2].Error(), "objects[5]") {
		t.Errorf("skipped %v", res.Skipped)
	}
	for _, bad := range []string{`[]`, `{"type":"indicator"}`, `{"type":"bundle"}`, `{"type":"bundle","objects":{}}`, `{"type":"bundle","objects":[`, `not json`} {
		if _, err := ParseSTIX(strings.NewReader(bad), "x", "b.json"); err == nil || !strings.Contains(err.Error(), "b.json") {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

func TestParseFormat(t *testing.T) {
	// Without an extension, '{' means STIX.
	res, err := Parse(strings.NewReader("  \n"+bundle), "", "x", "feed")
	if err != nil || len(res.Indicators) != 2 {
		t.Errorf("sniffed STIX: %v %v", values(res), err)
	}
	if _, err := Parse(strings.NewReader(""), "xml", "x", "f"); err == nil || !strings.Contains(err.Error(), "unknown list format") {
		t.Errorf("bad format: %v", err)
	}
	// An explicit format wins over the extension.
	res, err = Parse(strings.NewReader("198.51.100.1\n"), FormatPlain, "x", "f.csv")
	if err != nil || len(res.Indicators) != 1 {
		t.Errorf("explicit plain: %v %v", values(res), err)
	}
}
