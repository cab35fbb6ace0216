package ingest

import (
	"testing"

	"github.com/cairn-sec/cairn"
)

// Format rules come first, in order, then the key layout; an object
// neither names is left to its first bytes.
func TestKindOf(t *testing.T) {
	rules := []FormatRule{
		{Bucket: "apps", Prefix: "text/", Kind: cairn.KindApplication},
		{Prefix: "AWSLogs/111122223333/CloudTrail/", Kind: cairn.KindCWLogs}, // a rule beats the key layout
		{Bucket: "flows", Kind: cairn.KindVPCFlow},
	}
	for _, tc := range []struct {
		bucket, key string
		want        cairn.ObjectKind
		decided     bool
	}{
		{"apps", "text/a.log", cairn.KindApplication, true},
		{"other", "text/a.log", "", false},
		{"x", "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/f.json.gz", cairn.KindCWLogs, true},
		{"x", "AWSLogs/222233334444/CloudTrail/us-east-1/2026/11/20/f.json.gz", cairn.KindCloudTrail, true},
		{"flows", "anything", cairn.KindVPCFlow, true},
		{"x", "AWSLogs/1/vpcdnsquerylogs/vpc-1/2026/11/20/f.log.gz", cairn.KindRoute53Resolver, true},
	} {
		got, decided := kindOf(rules, cairn.ObjectRef{Bucket: tc.bucket, Key: tc.key})
		if decided != tc.decided || (decided && got != tc.want) {
			t.Errorf("kindOf(%s/%s) = %q, %v; want %q, %v", tc.bucket, tc.key, got, decided, tc.want, tc.decided)
		}
	}
}
