package notification

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cairn-sec/cairn"
)

// Shape names the notification format recognised.
type Shape string

// Recognised shapes.
const (
	// ShapeCloudTrail is CloudTrail's {"s3Bucket":..,"s3ObjectKey":[..]}.
	ShapeCloudTrail Shape = "cloudtrail"
	// ShapeS3Event is an S3 event notification {"Records":[{"s3":..}]}.
	ShapeS3Event Shape = "s3-event"
	// ShapeEventBridge is an EventBridge "Object Created" event (source aws.s3).
	ShapeEventBridge Shape = "eventbridge"
	// ShapeS3TestEvent is S3's {"Event":"s3:TestEvent",...}.
	ShapeS3TestEvent Shape = "s3-test-event"
	// ShapeSubscriptionConfirmation is an SNS SubscriptionConfirmation or
	// UnsubscribeConfirmation envelope.
	ShapeSubscriptionConfirmation Shape = "sns-subscription-confirmation"
)

// Notification is one parsed SQS message body.
type Notification struct {
	// Shape is the format recognised (of the inner message when SNS is set).
	Shape Shape
	// SNS is true when the body was an SNS envelope (Type=Notification,
	// Message=<string>) or an SNS confirmation.
	SNS bool
	// TopicARN is the envelope's TopicArn, if any.
	TopicARN string
	// Objects are the objects the notification points at, in message
	// order. Empty for ignorable shapes.
	Objects []cairn.ObjectRef
	// Ignore is true for s3:TestEvent, SNS (Un)SubscriptionConfirmation and
	// S3 events without ObjectCreated records: acknowledge (delete) the
	// message and do nothing else.
	Ignore bool
	// Reason is, when Ignore is set, a short human sentence for the log line.
	Reason string
}

// maxBody bounds the work done on one body. SQS messages are at most 1 MiB.
const maxBody = 1 << 20

// Limits on how much of a body is quoted in errors and reasons.
const (
	maxQuote    = 40 // bytes of any one body-derived string
	maxSource   = 24 // bytes of an EventBridge source quoted beside its detail-type
	maxKeyNames = 8  // object keys listed for an unknown JSON object
	maxKeyBytes = 64 // total bytes of object keys listed
)

// shapeError describes an unrecognised shape. Parse wraps it in
// cairn.ErrUnknownNotification; the SNS parser prefixes it.
type shapeError string

func (e shapeError) Error() string { return string(e) }

func unknownf(format string, args ...any) error {
	return shapeError(fmt.Sprintf(format, args...))
}

// Parse decodes one SQS message body. Every error it returns wraps
// cairn.ErrUnknownNotification and names the shape it saw.
func Parse(body []byte) (Notification, error) {
	n, err := parse(body, true)
	if err != nil {
		return Notification{}, fmt.Errorf("%w: %s", cairn.ErrUnknownNotification, err.Error())
	}
	return n, nil
}

// parse recognises one body. allowSNS is false inside an SNS Message: only
// one level of SNS nesting is accepted.
func parse(body []byte, allowSNS bool) (Notification, error) {
	if len(body) > maxBody {
		return Notification{}, unknownf("body of %d bytes (limit %d)", len(body), maxBody)
	}
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")) // UTF-8 BOM
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return Notification{}, unknownf("empty body")
	}
	if !json.Valid(body) {
		return Notification{}, unknownf("not JSON (starts with %s)", quote(string(body)))
	}
	if body[0] != '{' {
		return Notification{}, unknownf("JSON %s, not an object", jsonKind(body[0]))
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		// Unreachable after json.Valid and the '{' check; kept for safety.
		return Notification{}, unknownf("not a JSON object (starts with %s)", quote(string(body)))
	}
	switch {
	case has(obj, "Type") && has(obj, "Message"):
		if !allowSNS {
			return Notification{}, unknownf("SNS envelope (SNS nested in SNS)")
		}
		return parseSNS(obj)
	case has(obj, "Records"):
		return parseS3Event(obj)
	case has(obj, "s3Bucket") || has(obj, "s3ObjectKey"):
		return parseCloudTrail(obj)
	case has(obj, "Event"):
		return parseTestEvent(obj)
	case has(obj, "detail-type") || (has(obj, "source") && has(obj, "detail")):
		return parseEventBridge(obj)
	}
	return Notification{}, unknownf("JSON object with keys %s", keyList(obj))
}

// has reports whether obj has key (exact case).
func has(obj map[string]json.RawMessage, key string) bool {
	_, ok := obj[key]
	return ok
}

// str decodes a JSON string. A missing value or null gives "", true.
func str(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 || isNull(raw) {
		return "", true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

func isNull(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "null"
}

// parseTime parses an RFC 3339 timestamp into UTC; "" gives the zero time.
func parseTime(what, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, unknownf("%s with %s that is not an RFC 3339 time", what, quote(s))
	}
	return t.UTC(), nil
}
