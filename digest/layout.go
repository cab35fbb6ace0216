package digest

import (
	"regexp"
	"time"
)

// Location is where one account's files for one region live:
// <Base>AWSLogs/[<Org>/]<Account>/CloudTrail[-Digest]/<Region>/.
type Location struct {
	Base    string `json:"prefix,omitempty"` // key prefix before AWSLogs/ ("" or ending in /)
	Org     string `json:"organization,omitempty"`
	Account string `json:"account"`
	Region  string `json:"region"`
}

// Kind of object a key names.
type objectKind int

const (
	kindOther objectKind = iota
	kindLog
	kindDigest
)

// keyInfo is what a CloudTrail key says about its object.
type keyInfo struct {
	kind objectKind
	loc  Location
	// trail and homeRegion: digests only; a chain is per trail.
	trail      string
	homeRegion string
	// at is the digest end time (to the second) or the log file
	// delivery time (to the minute).
	at time.Time
}

var (
	keyRE = regexp.MustCompile(`^((?:.*/)?)AWSLogs/(?:(o-[a-z0-9]{10,32})/)?(\d{12})/(CloudTrail|CloudTrail-Digest)/([a-z0-9-]+)/(\d{4})/(\d{2})/(\d{2})/([^/]+)$`)
	// <acct>_CloudTrail-Digest_<region>_<trail>_<home-region>_<YYYYMMDDTHHMMSSZ>.json.gz
	digestNameRE = regexp.MustCompile(`^(\d{12})_CloudTrail-Digest_([a-z0-9-]+)_(.+)_([a-z0-9-]+)_(\d{8}T\d{6}Z)\.json\.gz$`)
	// <acct>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<unique>.json.gz
	logNameRE = regexp.MustCompile(`^(\d{12})_CloudTrail_([a-z0-9-]+)_(\d{8}T\d{4}Z)_([A-Za-z0-9]+)\.json\.gz$`)
)

// parseKey classifies a key by CloudTrail's layout; anything else
// (Insights, other services, stray files) is kindOther.
func parseKey(key string) keyInfo {
	m := keyRE.FindStringSubmatch(key)
	if m == nil {
		return keyInfo{}
	}
	loc := Location{Base: m[1], Org: m[2], Account: m[3], Region: m[5]}
	name := m[9]
	switch m[4] {
	case "CloudTrail-Digest":
		n := digestNameRE.FindStringSubmatch(name)
		if n == nil || n[1] != loc.Account || n[2] != loc.Region {
			return keyInfo{}
		}
		at, err := time.Parse("20060102T150405Z", n[5])
		if err != nil {
			return keyInfo{}
		}
		return keyInfo{kind: kindDigest, loc: loc, trail: n[3], homeRegion: n[4], at: at}
	default:
		n := logNameRE.FindStringSubmatch(name)
		if n == nil || n[1] != loc.Account || n[2] != loc.Region {
			return keyInfo{}
		}
		at, err := time.Parse("20060102T1504Z", n[3])
		if err != nil {
			return keyInfo{}
		}
		return keyInfo{kind: kindLog, loc: loc, at: at}
	}
}
