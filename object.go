package cairn

import (
	"fmt"
	"strings"
	"time"
)

// ObjectRef names one object a notification or a listing points at.
type ObjectRef struct {
	Bucket    string // bucket name, or "" for a local file
	Key       string // object key (already URL-decoded), or a local path
	Region    string // bucket region when the notification names it
	ETag      string // without quotes, when known
	VersionID string
	Size      int64
	EventTime time.Time // when the object was written, when known
}

// String renders the object as a URL: s3://bucket/key or file://path.
func (r ObjectRef) String() string {
	if r.Bucket == "" {
		return "file://" + r.Key
	}
	return "s3://" + r.Bucket + "/" + r.Key
}

// ObjectKind says what an object holds, decided from its key.
type ObjectKind string

// Object kinds.
const (
	KindCloudTrail        ObjectKind = "cloudtrail"
	KindCloudTrailInsight ObjectKind = "cloudtrail-insight"
	KindCloudTrailDigest  ObjectKind = "cloudtrail-digest"
	KindVPCFlow           ObjectKind = "vpcflow"
	KindRoute53Resolver   ObjectKind = "route53resolver"
	KindCWLogs            ObjectKind = "cwlogs"      // CloudWatch Logs subscription payloads (Firehose to S3)
	KindApplication       ObjectKind = "application" // application logs: JSON lines (Fluent Bit) or text lines
	KindS3Access          ObjectKind = "s3access"    // S3 server access logs
	KindALB               ObjectKind = "alb"         // Application Load Balancer access logs
)

// Describe names a kind for people, e.g. in "unsupported format" errors.
func (k ObjectKind) Describe() string {
	switch k {
	case KindCloudTrail:
		return "CloudTrail log"
	case KindCloudTrailInsight:
		return "CloudTrail Insights log"
	case KindCloudTrailDigest:
		return "CloudTrail digest"
	case KindVPCFlow:
		return "VPC flow log"
	case KindRoute53Resolver:
		return "Route 53 Resolver query log"
	case KindCWLogs:
		return "CloudWatch Logs subscription payload"
	case KindApplication:
		return "application log"
	case KindS3Access:
		return "S3 server access log"
	case KindALB:
		return "Application Load Balancer access log"
	}
	return string(k)
}

// Formats are the kinds a configuration may name as an object's format.
var Formats = []ObjectKind{KindCloudTrail, KindCloudTrailInsight, KindVPCFlow, KindRoute53Resolver,
	KindCWLogs, KindApplication, KindS3Access, KindALB}

// ParseFormat returns the kind a format name (vpcflow, cwlogs, ...)
// stands for.
func ParseFormat(name string) (ObjectKind, error) {
	k := ObjectKind(strings.ToLower(strings.TrimSpace(name)))
	for _, f := range Formats {
		if f == k {
			return k, nil
		}
	}
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	return "", fmt.Errorf("unknown format %q (known: %s)", name, strings.Join(names, ", "))
}

// KindOf classifies an object key by the AWS key layouts. Keys that do not
// follow a known layout are treated as CloudTrail log files; the pipeline
// sniffs their first bytes (see KindOfKey and SniffKind).
func KindOf(key string) ObjectKind {
	k, _ := KindOfKey(key)
	return k
}

// KindOfKey classifies an object key by the AWS key layouts
// (AWSLogs/<account>/CloudTrail/..., .../vpcflowlogs/<region>/...,
// .../vpcdnsquerylogs/<vpc-id>/..., .../elasticloadbalancing/<region>/...)
// and Fluent Bit's default S3 key (fluent-bit-logs/<tag>/...). known is false when the key follows
// none of them; the kind is then KindCloudTrail.
func KindOfKey(key string) (kind ObjectKind, known bool) {
	switch {
	case strings.Contains(key, "/CloudTrail-Digest/") || strings.Contains(key, "_CloudTrail-Digest_"):
		return KindCloudTrailDigest, true
	case strings.Contains(key, "/CloudTrail-Insight/") || strings.Contains(key, "_CloudTrail-Insight_"):
		return KindCloudTrailInsight, true
	case strings.Contains(key, "/CloudTrail/") || strings.Contains(key, "_CloudTrail_"):
		return KindCloudTrail, true
	case strings.Contains(key, "/vpcflowlogs/") || strings.Contains(key, "_vpcflowlogs_"):
		return KindVPCFlow, true
	case strings.Contains(key, "/vpcdnsquerylogs/") || strings.Contains(key, "_vpcdnsquerylogs_"):
		return KindRoute53Resolver, true
	case strings.Contains(key, "/elasticloadbalancing/") || strings.Contains(key, "_elasticloadbalancing_"):
		return KindALB, true
	case strings.HasPrefix(key, "fluent-bit-logs/") || strings.Contains(key, "/fluent-bit-logs/"):
		return KindApplication, true
	default:
		return KindCloudTrail, false
	}
}

// ObjectRecord is the ledger entry written in the same transaction as an
// object's events. Its presence means the object is done.
type ObjectRecord struct {
	Ref      ObjectRef
	Kind     ObjectKind
	Events   int64 // events stored (after de-duplication is not known here: decoded)
	Errors   int64 // bad records stored in ingest_errors
	Bytes    int64 // bytes read from the object (compressed, as stored in S3)
	RawBytes int64 // bytes after decompression
	// SHA256 is the hex SHA-256 of the uncompressed content (what a
	// CloudTrail digest lists), "" when not computed.
	SHA256 string
}

// IngestError is a record or object that could not be ingested. It is
// stored in the ingest_errors table so that nothing is dropped silently.
type IngestError struct {
	Ref    ObjectRef
	Offset int64  // byte offset in the decompressed stream, -1 for the whole object
	Index  int64  // record index inside the object, -1 for the whole object
	Reason string // short machine-readable class, e.g. "bad_record", "gzip", "not_found"
	Detail string // human-readable: what, where, why
	Raw    []byte // the offending bytes, truncated
	Time   time.Time
}

func (e IngestError) Error() string {
	if e.Index >= 0 {
		return fmt.Sprintf("%s record %d at byte %d: %s: %s", e.Ref, e.Index, e.Offset, e.Reason, e.Detail)
	}
	return fmt.Sprintf("%s: %s: %s", e.Ref, e.Reason, e.Detail)
}
