package ingest

import (
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
