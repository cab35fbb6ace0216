package digest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// SignatureAlgorithm is the only algorithm CloudTrail signs digests with.
const SignatureAlgorithm = "SHA256withRSA"

// HashAlgorithm is the only algorithm CloudTrail hashes files with.
const HashAlgorithm = "SHA-256"

// Digest is one CloudTrail digest file.
type Digest struct {
	AWSAccountID                string    `json:"awsAccountId"`
	DigestStartTime             string    `json:"digestStartTime"`
	DigestEndTime               string    `json:"digestEndTime"`
	DigestS3Bucket              string    `json:"digestS3Bucket"`
	DigestS3Object              string    `json:"digestS3Object"`
	DigestPublicKeyFingerprint  string    `json:"digestPublicKeyFingerprint"`
	DigestSignatureAlgorithm    string    `json:"digestSignatureAlgorithm"`
	NewestEventTime             *string   `json:"newestEventTime"`
	OldestEventTime             *string   `json:"oldestEventTime"`
	PreviousDigestS3Bucket      *string   `json:"previousDigestS3Bucket"`
	PreviousDigestS3Object      *string   `json:"previousDigestS3Object"`
	PreviousDigestHashValue     *string   `json:"previousDigestHashValue"`
	PreviousDigestHashAlgorithm *string   `json:"previousDigestHashAlgorithm"`
	PreviousDigestSignature     *string   `json:"previousDigestSignature"`
	LogFiles                    []LogFile `json:"logFiles"`

	// Start and End are DigestStartTime and DigestEndTime parsed.
	Start time.Time `json:"-"`
	End   time.Time `json:"-"`
}

// LogFile is one log file a digest lists.
type LogFile struct {
	S3Bucket        string  `json:"s3Bucket"`
	S3Object        string  `json:"s3Object"`
	HashValue       string  `json:"hashValue"`
	HashAlgorithm   string  `json:"hashAlgorithm"`
	NewestEventTime *string `json:"newestEventTime"`
	OldestEventTime *string `json:"oldestEventTime"`
}

// ErrFormat marks a digest file that is not a well-formed digest.
var ErrFormat = errors.New("malformed digest")

// requiredFields must be present (previousDigestSignature may be null),
// as the AWS CLI requires before validating a digest.
var requiredFields = []string{"digestPublicKeyFingerprint", "digestS3Bucket", "digestS3Object",
	"previousDigestSignature", "digestEndTime", "digestStartTime"}

// Parse decodes the uncompressed JSON of a digest file and checks the
// fields verification relies on.
func Parse(b []byte) (*Digest, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	for _, f := range requiredFields {
		if _, ok := fields[f]; !ok {
			return nil, fmt.Errorf("%w: no %s", ErrFormat, f)
		}
	}
	var d Digest
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	var err error
	if d.Start, err = time.Parse(time.RFC3339, d.DigestStartTime); err != nil {
		return nil, fmt.Errorf("%w: digestStartTime: %w", ErrFormat, err)
	}
	if d.End, err = time.Parse(time.RFC3339, d.DigestEndTime); err != nil {
		return nil, fmt.Errorf("%w: digestEndTime: %w", ErrFormat, err)
	}
	if d.DigestS3Bucket == "" || d.DigestS3Object == "" || d.DigestPublicKeyFingerprint == "" {
		return nil, fmt.Errorf("%w: empty digestS3Bucket, digestS3Object or digestPublicKeyFingerprint", ErrFormat)
	}
	if (d.PreviousDigestSignature == nil) != (d.PreviousDigestS3Object == nil) {
		return nil, fmt.Errorf("%w: previousDigestSignature and previousDigestS3Object must both be set or both be null", ErrFormat)
	}
	for i, lf := range d.LogFiles {
		if lf.S3Bucket == "" || lf.S3Object == "" {
			return nil, fmt.Errorf("%w: logFiles[%d]: no s3Bucket or s3Object", ErrFormat, i)
		}
		if lf.HashAlgorithm != HashAlgorithm {
			return nil, fmt.Errorf("%w: logFiles[%d]: hashAlgorithm %q, want %q", ErrFormat, i, lf.HashAlgorithm, HashAlgorithm)
		}
		if h, err := hex.DecodeString(lf.HashValue); err != nil || len(h) != sha256.Size {
			return nil, fmt.Errorf("%w: logFiles[%d]: hashValue %q is not a hex SHA-256", ErrFormat, i, lf.HashValue)
		}
	}
	return &d, nil
}

// IsChainStart reports whether the digest starts a chain (no previous).
func (d *Digest) IsChainStart() bool { return d.PreviousDigestS3Object == nil }

// SigningString is the string CloudTrail signs for a digest whose
// uncompressed bytes are raw: digestEndTime, S3 path, hex SHA-256 of raw
// and the previous signature ("null" when there is none, as the AWS CLI
// does to match CloudTrail's Java implementation), joined by newlines.
func SigningString(d *Digest, raw []byte) string {
	sum := sha256.Sum256(raw)
	prev := "null"
	if d.PreviousDigestSignature != nil {
		prev = *d.PreviousDigestSignature
	}
	var b strings.Builder
	b.WriteString(d.DigestEndTime)
	b.WriteByte('\n')
	b.WriteString(d.DigestS3Bucket + "/" + d.DigestS3Object)
	b.WriteByte('\n')
	b.WriteString(hex.EncodeToString(sum[:]))
	b.WriteByte('\n')
	b.WriteString(prev)
	return b.String()
}

// equalHex compares two hex strings case-insensitively, ignoring
// surrounding space.
func equalHex(a, b string) bool {
	return bytes.EqualFold([]byte(strings.TrimSpace(a)), []byte(strings.TrimSpace(b)))
}
