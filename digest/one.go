package digest

import (
	"context"
	"strings"
	"time"
)

// Checked is one digest file read and checked on its own: location,
// metadata and signature. The chain and the log files are the caller's.
type Checked struct {
	Key       string
	Digest    *Digest // nil when unreadable or malformed
	Hash      string  // hex SHA-256 of the uncompressed file
	Signature string  // x-amz-meta-signature
	Valid     bool
	Missing   bool   // the object does not exist
	Problem   string // why it is not valid
	// Chain names the trail's chain: account/region/trail/home region.
	Chain string
	End   time.Time // digest end time, from the key
}

// CheckDigest reads the digest at bucket/key and checks it with keys
// (fingerprint, lower case → key), as Verify does for each digest.
func CheckDigest(ctx context.Context, store Store, bucket, key string, keys map[string]PublicKey) Checked {
	ki := parseKey(key)
	l := &loaded{key: key, at: ki.at, trail: ki.trail}
	v := &verifier{o: Options{Bucket: bucket, Store: store}}
	v.loadDigest(ctx, l, keys)
	return Checked{Key: key, Digest: l.d, Hash: l.hash, Signature: l.signature, Valid: l.valid, Missing: l.missing,
		Problem: l.problem, End: ki.at,
		Chain: strings.Join([]string{ki.loc.Account, ki.loc.Region, ki.trail, ki.homeRegion}, "/")}
}

// KeyMap indexes public keys by lower-case fingerprint.
func KeyMap(keys []PublicKey) map[string]PublicKey {
	m := make(map[string]PublicKey, len(keys))
	for _, k := range keys {
		m[strings.ToLower(k.Fingerprint)] = k
	}
	return m
}

// EqualHex compares two hex strings case-insensitively.
func EqualHex(a, b string) bool { return equalHex(a, b) }

// RegionOfKey returns the region in a CloudTrail digest or log file key
// ("" when the key does not follow CloudTrail's layout).
func RegionOfKey(key string) string { return parseKey(key).loc.Region }
