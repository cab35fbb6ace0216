package cairn

import "time"

// AlertDrift: cairn watch found (or repaired) drift in the AWS wiring
// Cairn created — a stopped trail, a removed subscription, a lost policy
// statement.
const AlertDrift AlertKind = "drift"

// AlertIntegrity: continuous CloudTrail digest verification found an
// invalid or missing digest, a broken chain, or a modified or missing log
// file.
const AlertIntegrity AlertKind = "integrity"

// DigestCheck is the state of one CloudTrail digest file's continuous
// verification.
type DigestCheck struct {
	Bucket, Key string
	Chain       string    // account/region/trail/home region
	End         time.Time // digest end time
	Signature   string    // hex, from x-amz-meta-signature
	Hash        string    // hex SHA-256 of the uncompressed digest
	Status      string    // valid, invalid, pending (waiting for log files or the previous digest), problems
	Pending     DigestPending
	CheckedAt   time.Time
}

// DigestPending is what a digest's verification still waits for.
type DigestPending struct {
	Logs []DigestLog `json:"logs,omitempty"` // listed log files not ingested yet
	Prev string      `json:"prev,omitempty"` // the previous digest, not checked yet
}

// DigestLog is one log file a digest lists.
type DigestLog struct {
	Bucket string `json:"bucket"`
	Key    string `json:"key"`
	SHA256 string `json:"sha256"`
}
