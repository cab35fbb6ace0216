package digest_test

import (
	"encoding/json"
	"testing"

	"github.com/cairn-sec/cairn/digest"
)

// FuzzParseDigest: Parse never panics, and what it accepts has parsed
// times, a consistent previous link and well-formed log file hashes.
func FuzzParseDigest(f *testing.F) {
	f.Add([]byte(`{"awsAccountId":"111122223333","digestStartTime":"2015-08-17T14:01:31Z","digestEndTime":"2015-08-17T15:01:31Z",` +
		`"digestS3Bucket":"b","digestS3Object":"AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/x.json.gz",` +
		`"digestPublicKeyFingerprint":"31e8b5433410dfb61a9dc45cc65b22ff","digestSignatureAlgorithm":"SHA256withRSA",` +
		`"previousDigestS3Bucket":"b","previousDigestS3Object":"p","previousDigestHashValue":"97fb","previousDigestHashAlgorithm":"SHA-256",` +
		`"previousDigestSignature":"5088","logFiles":[{"s3Bucket":"b","s3Object":"o",` +
		`"hashValue":"9bb6196fc6b84d6f075a56548feca262bd99ba3c2de41b618e5b6e22c1fc71f6","hashAlgorithm":"SHA-256"}]}`))
	f.Add([]byte(`{"digestStartTime":"2024-01-01T00:00:00Z","digestEndTime":"2024-01-01T01:00:00Z","digestS3Bucket":"b",` +
		`"digestS3Object":"k","digestPublicKeyFingerprint":"f","previousDigestSignature":null,"logFiles":[]}`))
	f.Add([]byte(`{"logFiles":null}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := digest.Parse(b)
		if err != nil {
			return
		}
		if d.Start.IsZero() && d.DigestStartTime != "0001-01-01T00:00:00Z" {
			t.Fatalf("accepted without a start time: %q", d.DigestStartTime)
		}
		if d.IsChainStart() != (d.PreviousDigestSignature == nil) {
			t.Fatal("half a previous link accepted")
		}
		for _, lf := range d.LogFiles {
			if len(lf.HashValue) != 64 {
				t.Fatalf("hash %q accepted", lf.HashValue)
			}
		}
		_ = digest.SigningString(d, b)
		// What was accepted survives a round trip.
		again, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := digest.Parse(again); err != nil {
			t.Fatalf("re-encoded digest rejected: %v\n%s", err, again)
		}
	})
}
