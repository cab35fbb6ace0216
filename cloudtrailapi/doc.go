// Package cloudtrailapi reads CloudTrail's digest signing keys with the
// ListPublicKeys API (one SDK client per region, since each region signs
// its digests with its own keys) and serves them to package digest as a
// digest.KeySource.
package cloudtrailapi
