package watch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
)

// ErrNotFound is what adapters return for a resource that does not exist.
var ErrNotFound = errors.New("not found")

// Spec is the wiring Cairn watches. Empty names are discovered from the
// templates' naming (<prefix>-trail, <prefix>-cloudtrail, …) or from the
// trail.
type Spec struct {
	Trail    string `json:"trail"`
	Bucket   string `json:"bucket"`
	TopicARN string `json:"topic_arn"`
	QueueURL string `json:"queue_url"`
	DLQURL   string `json:"dlq_url"`
	// Configured names resources the user listed explicitly (owned even
	// without the prefix).
	Configured map[string]bool `json:"-"`
	Prefix     string          `json:"-"` // owned name prefix; default "cairn"
	// MaxReceiveCount of the redrive policy Cairn applies (default 5).
	MaxReceiveCount int `json:"-"`
}

// Owns reports whether Cairn may change the resource called name (a
// trail or bucket name, a topic ARN or a queue URL).
func (s Spec) Owns(name string) bool {
	if name == "" {
		return false
	}
	if s.Configured[name] {
		return true
	}
	p := s.Prefix
	if p == "" {
		p = "cairn"
	}
	return strings.HasPrefix(shortName(name), p+"-")
}

// shortName is the last part of an ARN or URL.
func shortName(s string) string {
	if i := strings.LastIndexAny(s, ":/"); i >= 0 {
		return s[i+1:]
	}
	return s
}

// Trail is a CloudTrail trail as watch sees it.
type Trail struct {
	Name, ARN, Bucket, TopicARN    string
	MultiRegion, LogFileValidation bool
	Logging                        bool
}

// TrailChange is an UpdateTrail: nil fields stay.
type TrailChange struct {
	TopicARN          *string
	MultiRegion       *bool
	LogFileValidation *bool
}

// CloudTrail reads and changes trails.
type CloudTrail interface {
	Trail(ctx context.Context, name string) (Trail, error) // ErrNotFound
	CreateTrail(ctx context.Context, t Trail) (Trail, error)
	UpdateTrail(ctx context.Context, name string, c TrailChange) error
	StartLogging(ctx context.Context, name string) error
}

// SNS reads and changes topics.
type SNS interface {
	TopicPolicy(ctx context.Context, topicARN string) (string, error) // ErrNotFound
	SetTopicPolicy(ctx context.Context, topicARN, policy string) error
	CreateTopic(ctx context.Context, name string) (string, error)
	Subscribed(ctx context.Context, topicARN, queueARN string) (bool, error)
	Subscribe(ctx context.Context, topicARN, queueARN string) error
}

// Queue is an SQS queue's attributes watch reads.
type Queue struct {
	ARN, Policy, RedrivePolicy string
}

// SQS reads and changes queues.
type SQS interface {
	Queue(ctx context.Context, url string) (Queue, error) // ErrNotFound
	CreateQueue(ctx context.Context, name string, attrs map[string]string) (string, error)
	SetAttributes(ctx context.Context, url string, attrs map[string]string) error
}

// Buckets tells whether a bucket exists.
type Buckets interface {
	BucketExists(ctx context.Context, bucket string) (bool, error)
}

// Finding is one drift: what is wrong, and what was (or would be) done.
type Finding struct {
	Code     string `json:"code"`     // e.g. trail-stopped
	Severity string `json:"severity"` // low, medium, high, critical
	Resource string `json:"resource"`
	Message  string `json:"message"`
	Owned    bool   `json:"owned"`
	Action   string `json:"action"`   // the repair, done or proposed; "" when none applies
	Repaired bool   `json:"repaired"` // the action was done
	Error    string `json:"error,omitempty"`
}

// Options configure one check.
type Options struct {
	Spec       Spec
	Account    string // for the ARNs of discovered resources
	Region     string
	CloudTrail CloudTrail
	SNS        SNS
	SQS        SQS
	Buckets    Buckets
	Repair     bool
	Log        *slog.Logger
}

// Report is what a check found, and the spec after following the trail's
// bucket and topic.
type Report struct {
	Findings []Finding `json:"findings"`
	Spec     Spec      `json:"spec"`
}

// checker carries one check's state.
type checker struct {
	o        Options
	s        Spec
	out      []Finding
	queueARN string // the queue's ARN once checked
}

// Check compares the wiring with o.Spec and, with o.Repair, repairs what
// Cairn owns. Errors reading a resource are findings ("check-failed"),
// not a failed check: the rest is still checked.
func Check(ctx context.Context, o Options) Report {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	c := &checker{o: o, s: o.Spec}
	c.discover()
	c.checkTrail(ctx)
	c.checkQueues(ctx)
	c.checkTopic(ctx)
	c.checkBucket(ctx)
	return Report{Findings: c.out, Spec: c.s}
}

// discover fills names the spec leaves empty from the templates' naming.
func (c *checker) discover() {
	p := c.s.Prefix
	if p == "" {
		p = "cairn"
	}
	if c.s.Trail == "" {
		c.s.Trail = p + "-trail"
	}
	if c.s.MaxReceiveCount <= 0 {
		c.s.MaxReceiveCount = 5
	}
	if c.s.DLQURL == "" && c.s.QueueURL != "" {
		// The templates' DLQ of a queue Cairn owns is Cairn's too.
		c.s.DLQURL = c.s.QueueURL + "-dlq"
		if c.s.Owns(c.s.QueueURL) {
			configured := map[string]bool{c.s.DLQURL: true}
			for k, v := range c.s.Configured {
				configured[k] = v
			}
			c.s.Configured = configured
		}
	}
}

// found records a finding and, when repairing an owned resource, runs fix.
func (c *checker) found(ctx context.Context, f Finding, fix func(context.Context) error) bool {
	f.Owned = c.s.Owns(f.Resource)
	switch {
	case fix == nil:
	case !f.Owned:
		f.Action = "none: " + f.Resource + " is not Cairn's (not configured and not named " + c.prefix() + "-…); " + f.Action + " by hand"
	case c.o.Repair:
		if err := fix(ctx); err != nil {
			f.Error = err.Error()
		} else {
			f.Repaired = true
		}
	}
	c.out = append(c.out, f)
	log := c.o.Log.With("code", f.Code, "severity", f.Severity, "resource", f.Resource, "action", f.Action)
	switch {
	case f.Error != "":
		log.Error("drift: repair failed: "+f.Message, "err", f.Error)
	case f.Repaired:
		log.Warn("drift repaired: " + f.Message)
	default:
		log.Warn("drift: " + f.Message)
	}
	return f.Repaired
}

func (c *checker) prefix() string {
	if c.s.Prefix == "" {
		return "cairn"
	}
	return c.s.Prefix
}

// failed records a resource that could not be read.
func (c *checker) failed(resource string, err error) {
	c.found(context.Background(), Finding{Code: "check-failed", Severity: "medium", Resource: resource,
		Message: fmt.Sprintf("could not check %s: %v", resource, err)}, nil)
}
