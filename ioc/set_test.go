package ioc

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
)

const testList = `
198.51.100.1
203.0.113.0/24
10.0.0.0/8
2001:db8:bad::/48
AKIAIOSFODNN7EXAMPLE
arn:aws:iam::111122223333:user/mallory
arn:aws:iam::444455556666:role/Pivot
arn:aws:s3:::exfil-bucket
999988887777
evil.example
https://phish.example.net/login
python-requests/2.31.0
`

func testSet(t testing.TB) *Set {
	t.Helper()
	res, err := ParsePlain(strings.NewReader(testList), "test", "test.txt")
	if err != nil || res.Skips != 0 {
		t.Fatalf("%v %v", err, res.Skipped)
	}
	csv, err := ParseCSV(strings.NewReader("indicator,type\nCURL/,user_agent_substring\nroot-ish,user_name\n"), "ua", "ua.csv")
	if err != nil || csv.Skips != 0 {
		t.Fatalf("%v %v", err, csv.Skipped)
	}
	return NewSet(append(res.Indicators, csv.Indicators...))
}

func matchStrings(ms []Match) []string {
	var out []string
	for _, m := range ms {
		out = append(out, fmt.Sprintf("%s:%s=%s", m.Field, m.Indicator.Type, m.Indicator.Value))
	}
	slices.Sort(out)
	return out
}

func TestSetMatch(t *testing.T) {
	s := testSet(t)
	for _, tc := range []struct {
		name string
		ev   cairn.Event
		want []string
	}{
		{"source ip exact", cairn.Event{SourceIP: "198.51.100.1"}, []string{"source_ip:ipv4=198.51.100.1"}},
		{"source ip in cidr", cairn.Event{SourceIP: "203.0.113.77"}, []string{"source_ip:cidr=203.0.113.0/24"}},
		{"source ip outside", cairn.Event{SourceIP: "203.0.114.1"}, nil},
		{"source ip is a service name", cairn.Event{SourceIP: "ec2.amazonaws.com"}, nil},
		{"flow dst ip", cairn.Event{SourceIP: "172.16.0.1", DstIP: "10.1.2.3"}, []string{"dst_ip:cidr=10.0.0.0/8"}},
		{"ipv6 in cidr", cairn.Event{SourceIP: "2001:db8:bad:1::5"}, []string{"source_ip:cidr=2001:db8:bad::/48"}},
		{"ipv6 outside", cairn.Event{SourceIP: "2001:db8:bae::5"}, nil},
		{"v4-mapped v6", cairn.Event{SourceIP: "::ffff:198.51.100.1"}, []string{"source_ip:ipv4=198.51.100.1"}},
		{"access key", cairn.Event{AccessKeyID: "AKIAIOSFODNN7EXAMPLE"}, []string{"access_key_id:access_key_id=AKIAIOSFODNN7EXAMPLE"}},
		{"user arn and its account", cairn.Event{UserARN: "arn:aws:iam::111122223333:user/mallory"}, []string{"user_arn:arn=arn:aws:iam::111122223333:user/mallory"}},
		{"caller from a listed account", cairn.Event{UserARN: "arn:aws:sts::999988887777:assumed-role/R/s"}, []string{"user_arn.account_id:account_id=999988887777"}},
		{"session issuer arn", cairn.Event{UserARN: "arn:aws:sts::444455556666:assumed-role/Pivot/s", SessionIssuerARN: "arn:aws:iam::444455556666:role/Pivot"},
			[]string{"session_issuer_arn:arn=arn:aws:iam::444455556666:role/Pivot"}},
		{"recipient account is not matched", cairn.Event{AccountID: "999988887777"}, nil},
		{"resources", cairn.Event{Resources: []byte(`[{"ARN":"arn:aws:s3:::exfil-bucket","type":"AWS::S3::Bucket"},{"accountId":"999988887777","type":"AWS::KMS::Key","ARN":"arn:aws:kms:us-east-1:999988887777:key/1"}]`)},
			[]string{"resources.ARN:arn=arn:aws:s3:::exfil-bucket", "resources.accountId:account_id=999988887777"}},
		{"resources not json", cairn.Event{Resources: []byte(`{`)}, nil},
		{"user agent exact", cairn.Event{UserAgent: "python-requests/2.31.0"}, []string{"user_agent:user_agent=python-requests/2.31.0"}},
		{"user agent exact is exact", cairn.Event{UserAgent: "python-requests/2.31.0 extra"}, nil},
		{"user agent substring", cairn.Event{UserAgent: "aws-cli/2 curl/8.1"}, []string{"user_agent:user_agent_substring=curl/"}},
		{"user name", cairn.Event{UserName: "root-ish"}, []string{"user_name:user_name=root-ish"}},
		{"dns domain itself", cairn.Event{QueryName: "evil.example."}, []string{"query_name:domain=evil.example"}},
		{"dns subdomain, any case", cairn.Event{QueryName: "A.B.Evil.Example."}, []string{"query_name:domain=evil.example"}},
		{"dns lookalike", cairn.Event{QueryName: "notevil.example."}, nil},
		{"dns parent", cairn.Event{QueryName: "example."}, nil},
		{"dns url host exact", cairn.Event{QueryName: "phish.example.net."}, []string{"query_name:url=https://phish.example.net/login"}},
		{"dns url host sub", cairn.Event{QueryName: "x.phish.example.net."}, nil},
		{"nothing", cairn.Event{SourceIP: "192.0.2.1", UserAgent: "aws-cli/2", QueryName: "amazonaws.com."}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := matchStrings(s.Match(&tc.ev, nil))
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSetValidUntil(t *testing.T) {
	ind, err := New("198.51.100.1", "")
	if err != nil {
		t.Fatal(err)
	}
	ind.ValidUntil = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	s := NewSet([]Indicator{ind})
	before := cairn.Event{Time: ind.ValidUntil.Add(-time.Hour), SourceIP: "198.51.100.1"}
	after := cairn.Event{Time: ind.ValidUntil.Add(time.Hour), SourceIP: "198.51.100.1"}
	if len(s.Match(&before, nil)) != 1 || len(s.Match(&after, nil)) != 0 {
		t.Errorf("valid_until not honoured")
	}
}

func TestSetSameValueTwoLists(t *testing.T) {
	a, _ := ParsePlain(strings.NewReader("198.51.100.1\n"), "a", "a")
	b, _ := ParsePlain(strings.NewReader("198.51.100.0/24\n198.51.100.1\n"), "b", "b")
	s := NewSet(append(a.Indicators, b.Indicators...))
	ms := s.Match(&cairn.Event{SourceIP: "198.51.100.1"}, nil)
	var lists []string
	for _, m := range ms {
		lists = append(lists, m.Indicator.List+":"+m.Indicator.Value)
	}
	slices.Sort(lists)
	if want := []string{"a:198.51.100.1", "b:198.51.100.0/24", "b:198.51.100.1"}; !slices.Equal(lists, want) {
		t.Errorf("got %v, want %v", lists, want)
	}
}

func BenchmarkMatch(b *testing.B) {
	// 100k indicators: 40k addresses, 20k CIDRs, 20k domains, 20k keys.
	var sb strings.Builder
	for i := range 40000 {
		fmt.Fprintf(&sb, "100.%d.%d.%d\n", i>>16&255, i>>8&255, i&255)
	}
	for i := range 20000 {
		fmt.Fprintf(&sb, "20.%d.%d.0/24\n", i>>8&255, i&255)
	}
	for i := range 20000 {
		fmt.Fprintf(&sb, "host%d.bad%d.example\n", i, i%97)
	}
	for i := range 20000 {
		key := []byte("AKIAAAAAAAAAAAAAAAAA")
		for j, n := len(key)-1, i; n > 0; j, n = j-1, n/26 {
			key[j] = byte('A' + n%26)
		}
		fmt.Fprintf(&sb, "%s\n", key)
	}
	res, err := ParsePlain(strings.NewReader(sb.String()), "bench", "bench")
	if err != nil {
		b.Fatal(err)
	}
	if res.Skips != 0 || len(res.Indicators) != 100000 {
		b.Fatalf("%d indicators, %v", len(res.Indicators), res.Skipped)
	}
	s := NewSet(res.Indicators)
	ev := cairn.Event{SourceIP: "20.1.2.3", DstIP: "172.16.5.4", AccessKeyID: "ASIAY34FZKBOKMUTVV7A",
		UserARN: "arn:aws:sts::123456789012:assumed-role/Admin/alice", UserAgent: "aws-cli/2.15.0 Python/3.11",
		QueryName: "www.something.example.com.", Resources: []byte(`[{"ARN":"arn:aws:s3:::bucket","type":"AWS::S3::Bucket"}]`)}
	var out []Match
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		out = s.Match(&ev, out[:0])
	}
	if len(out) != 1 {
		b.Fatalf("matches %d", len(out))
	}
}
