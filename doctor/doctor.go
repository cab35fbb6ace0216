package doctor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cairn-sec/cairn"
)

// Status is a check's outcome.
type Status int

// The outcomes, in increasing severity.
const (
	OK Status = iota
	Warn
	Fail
)

func (s Status) String() string {
	return [...]string{"ok", "warn", "fail"}[s]
}

// Symbol is the status as the table shows it.
func (s Status) Symbol() string {
	return [...]string{"✓", "!", "✗"}[s]
}

// MarshalJSON writes "ok", "warn" or "fail".
func (s Status) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// Result is one check's outcome.
type Result struct {
	Source string `json:"source,omitempty"` // the queue URL checked
	Check  string `json:"check"`
	Status Status `json:"status"`
	Detail string `json:"detail"`
	Fix    string `json:"fix,omitempty"`
}

// Caller is who the credentials belong to (STS GetCallerIdentity).
type Caller struct {
	Account string
	ARN     string
	UserID  string
}

// Identity reports the caller.
type Identity interface {
	CallerIdentity(ctx context.Context) (Caller, error)
}

// Queues reads SQS queues.
type Queues interface {
	// QueueAttributes returns every attribute of the queue (GetQueueAttributes All).
	QueueAttributes(ctx context.Context, queueURL string) (map[string]string, error)
	// ProbeReceive calls ReceiveMessage with a short wait and leaves any
	// message it gets visible; doctor calls it only on a queue that is
	// empty.
	ProbeReceive(ctx context.Context, queueURL string) error
}

// Subscription is one SNS subscription.
type Subscription struct {
	ARN      string // "PendingConfirmation" until confirmed
	Protocol string
	Endpoint string
}

// Topics reads SNS topics.
type Topics interface {
	Subscriptions(ctx context.Context, topicARN string) ([]Subscription, error)
}

// Notification is a bucket's event notification configuration.
type Notification struct {
	Queues      []NotificationTarget
	Topics      []NotificationTarget
	EventBridge bool
}

// NotificationTarget is one queue or topic a bucket notifies.
type NotificationTarget struct {
	ARN    string
	Events []string
	Prefix string
	Suffix string
}

// LifecycleRule is one lifecycle rule.
type LifecycleRule struct {
	ID             string
	Prefix         string
	Enabled        bool
	ExpirationDays int
}

// Object is one listed object.
type Object struct {
	Key          string
	Size         int64
	LastModified time.Time
}

// Listing is one delimited listing of a prefix.
type Listing struct {
	Objects  []Object
	Prefixes []string
}

// Buckets reads S3 buckets.
type Buckets interface {
	// BucketRegion returns the bucket's region (GetBucketLocation).
	BucketRegion(ctx context.Context, bucket string) (string, error)
	BucketNotification(ctx context.Context, bucket string) (Notification, error)
	// BucketLifecycle returns nil rules when the bucket has none.
	BucketLifecycle(ctx context.Context, bucket string) ([]LifecycleRule, error)
	// List lists prefix with delimiter "/" (ListObjectsV2; a few pages at most).
	List(ctx context.Context, bucket, prefix string) (Listing, error)
	// ReadObject reads the first bytes of an object (GetObject); errors
	// are classified: cairn.ErrKMSAccessDenied when KMS refused.
	ReadObject(ctx context.Context, bucket, key string) error
}

// Key is a KMS key's metadata.
type Key struct {
	ARN     string
	Manager string // CUSTOMER or AWS
	State   string // Enabled, Disabled, PendingDeletion, …
}

// Keys reads KMS keys.
type Keys interface {
	DescribeKey(ctx context.Context, keyID string) (Key, error)
	KeyPolicy(ctx context.Context, keyID string) (string, error)
}

// Trail is a CloudTrail trail's configuration.
type Trail struct {
	Name         string
	ARN          string
	HomeRegion   string
	Bucket       string
	Prefix       string
	TopicARN     string
	KMSKeyID     string
	MultiRegion  bool
	Validation   bool
	Organization bool
}

// TrailStatus is what GetTrailStatus reports.
type TrailStatus struct {
	Logging             bool
	LatestDeliveryTime  time.Time
	LatestDeliveryError string
}

// Trails reads CloudTrail trails.
type Trails interface {
	// Trails describes the named trails (names or ARNs), or every trail
	// visible in the region when names is empty.
	Trails(ctx context.Context, names []string) ([]Trail, error)
	TrailStatus(ctx context.Context, trail string) (TrailStatus, error)
}

// Ledger reads the store's objects ledger.
type Ledger interface {
	// NewestObject returns when the newest object was stored (ok false
	// when none is).
	NewestObject(ctx context.Context) (t time.Time, ok bool, err error)
}

// Source is one queue to check and what feeds it.
type Source struct {
	QueueURL string
	Bucket   string // the log bucket (default: the trail's)
	Prefix   string // the trail's S3 key prefix (default: the trail's)
	Trail    string // the trail's name or ARN (default: found)
}

// Options configure a run. Identity and Queues are required; a nil
// Topics, Buckets, Keys, Trails or Ledger skips what it would check.
type Options struct {
	Source   Source
	Identity Identity
	Queues   Queues
	Topics   Topics
	Buckets  Buckets
	Keys     Keys
	Trails   Trails
	Ledger   Ledger

	Timeout          time.Duration // per AWS call (default 15s)
	MinVisibility    time.Duration // default 60s
	MinRetentionDays int           // default 7
	MaxObjectAge     time.Duration // newest log file older than this warns (default 1h)
	MaxBacklog       int           // visible messages beyond this warn (default 10000)
	Now              func() time.Time
}

func (o *Options) defaults() {
	if o.Timeout <= 0 {
		o.Timeout = 15 * time.Second
	}
	if o.MinVisibility <= 0 {
		o.MinVisibility = time.Minute
	}
	if o.MinRetentionDays <= 0 {
		o.MinRetentionDays = 7
	}
	if o.MaxObjectAge <= 0 {
		o.MaxObjectAge = time.Hour
	}
	if o.MaxBacklog <= 0 {
		o.MaxBacklog = 10000
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Failed reports whether any result failed.
func Failed(rs []Result) bool {
	for _, r := range rs {
		if r.Status == Fail {
			return true
		}
	}
	return false
}

// run is one source's check session: what earlier checks found.
type run struct {
	o       Options
	out     []Result
	caller  Caller
	attrs   map[string]string
	queue   string // ARN
	region  string // the queue's
	trail   *Trail
	bucket  string
	prefix  string // where the log files are (…/AWSLogs/)
	senders []sender
}

// sender is who should be allowed to send to the queue.
type sender struct {
	service string // sns.amazonaws.com or s3.amazonaws.com
	arn     string // the topic or bucket ARN
}

// Run checks one source and returns every result in order.
func Run(ctx context.Context, o Options) []Result {
	o.defaults()
	r := &run{o: o}
	if r.checkCredentials(ctx) && r.checkQueue(ctx) {
		r.checkQueueSettings(ctx)
		r.findTrail(ctx)
		r.checkTrail(ctx)
		r.checkDelivery(ctx)
		r.checkQueuePolicy()
		r.checkQueueEncryption(ctx)
		r.checkBucket(ctx)
		r.checkKMS(ctx)
	}
	r.checkLedger(ctx)
	for i := range r.out {
		r.out[i].Source = o.Source.QueueURL
	}
	return r.out
}

func (r *run) add(check string, s Status, detail, fix string) {
	r.out = append(r.out, Result{Check: check, Status: s, Detail: detail, Fix: fix})
}

// call runs f under the per-call timeout.
func call[T any](ctx context.Context, r *run, f func(context.Context) (T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, r.o.Timeout)
	defer cancel()
	v, err := f(ctx)
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		err = fmt.Errorf("no answer within %s: %w", r.o.Timeout, err)
	}
	return v, err
}

// denied reports whether err is an authorization failure (either class).
func denied(err error) bool {
	return errors.Is(err, cairn.ErrAccessDenied) || errors.Is(err, cairn.ErrKMSAccessDenied)
}

// cannotCheck is the warning for a check doctor was not allowed to make.
func (r *run) cannotCheck(check, what string, err error, perm, resource string) {
	if denied(err) {
		r.add(check, Warn, "could not check "+what+": access denied",
			fmt.Sprintf("allow %s on %s to %s so doctor can check this (cairn collect does not need it)", perm, resource, r.who()))
		return
	}
	r.add(check, Warn, "could not check "+what+": "+oneLine(err), "")
}

// who names the identity, for fixes.
func (r *run) who() string {
	if arn := roleARN(r.caller.ARN); arn != "" {
		return arn
	}
	if r.caller.ARN != "" {
		return r.caller.ARN
	}
	return "the identity cairn uses"
}

// roleARN turns an assumed-role session ARN into its role's ARN (without
// the role's path, which the session ARN does not carry).
func roleARN(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[2] != "sts" || !strings.HasPrefix(parts[5], "assumed-role/") {
		return ""
	}
	name, _, _ := strings.Cut(strings.TrimPrefix(parts[5], "assumed-role/"), "/")
	return "arn:" + parts[1] + ":iam::" + parts[4] + ":role/" + name
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// arnPart returns field i of an ARN (2 service, 3 region, 4 account, 5 resource).
func arnPart(arn string, i int) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 {
		return ""
	}
	return parts[i]
}
