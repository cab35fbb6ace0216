package ingest

import (
	"fmt"
	"strings"

	"github.com/cairn-sec/cairn"
)

// FormatRule forces the format of the objects under a bucket and key
// prefix, before the key layout and the first bytes are looked at. An
// empty Bucket matches every bucket, an empty Prefix every key.
type FormatRule struct {
	Bucket string
	Prefix string
	Kind   cairn.ObjectKind
}

// Formats are the format names configuration accepts, and their kinds.
var Formats = map[string]cairn.ObjectKind{
	"cloudtrail":         cairn.KindCloudTrail,
	"cloudtrail-insight": cairn.KindCloudTrailInsight,
	"vpcflow":            cairn.KindVPCFlow,
	"route53resolver":    cairn.KindRoute53Resolver,
	"cwlogs":             cairn.KindCWLogs,
	"application":        cairn.KindApplication,
	"s3access":           cairn.KindS3Access,
	"alb":                cairn.KindALB,
}

// ParseFormat returns the kind a format name stands for.
func ParseFormat(name string) (cairn.ObjectKind, error) {
	if k, ok := Formats[strings.ToLower(strings.TrimSpace(name))]; ok {
		return k, nil
	}
	return "", fmt.Errorf("unknown format %q (known: cloudtrail, cloudtrail-insight, vpcflow, route53resolver, cwlogs, application, s3access, alb)", name)
}

// kindOf decides an object's kind: the first matching rule, else the key
// layout. decided is false when neither says, and the first bytes must.
func kindOf(rules []FormatRule, ref cairn.ObjectRef) (kind cairn.ObjectKind, decided bool) {
	for _, r := range rules {
		if (r.Bucket == "" || r.Bucket == ref.Bucket) && strings.HasPrefix(ref.Key, r.Prefix) {
			return r.Kind, true
		}
	}
	return cairn.KindOfKey(ref.Key)
}
