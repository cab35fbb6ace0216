package simulate

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"strings"
	"time"
)

// Notification bodies, exactly as AWS delivers them. The functions are
// pure: IDs, request IDs and signatures are derived from the arguments by
// hashing, so the same arguments give the same bytes.

// CloudTrailMessage returns the message CloudTrail publishes to its SNS
// topic when it delivers log files: {"s3Bucket":…,"s3ObjectKey":[…]}.
func CloudTrailMessage(bucket string, keys ...string) []byte {
	if keys == nil {
		keys = []string{}
	}
	return marshal(struct {
		S3Bucket    string   `json:"s3Bucket"`
		S3ObjectKey []string `json:"s3ObjectKey"`
	}{bucket, keys})
}

// S3Object is an object named in an S3 or EventBridge notification.
type S3Object struct {
	Key       string // the object key, not encoded
	Size      int64
	ETag      string // without quotes
	VersionID string // empty when the bucket is not versioned
}

// EncodeS3Key encodes a key the way S3 event notifications do: form
// encoding (a space becomes '+', '+' becomes "%2B") with '/' kept.
func EncodeS3Key(key string) string {
	return strings.ReplaceAll(url.QueryEscape(key), "%2F", "/")
}

type s3Record struct {
	EventVersion      string            `json:"eventVersion"`
	EventSource       string            `json:"eventSource"`
	AWSRegion         string            `json:"awsRegion"`
	EventTime         string            `json:"eventTime"`
	EventName         string            `json:"eventName"`
	UserIdentity      principal         `json:"userIdentity"`
	RequestParameters map[string]string `json:"requestParameters"`
	ResponseElements  s3Response        `json:"responseElements"`
	S3                s3Entity          `json:"s3"`
}

type principal struct {
	PrincipalID string `json:"principalId"`
}

type s3Response struct {
	RequestID string `json:"x-amz-request-id"`
	ID2       string `json:"x-amz-id-2"`
}

type s3Entity struct {
	SchemaVersion   string   `json:"s3SchemaVersion"`
	ConfigurationID string   `json:"configurationId"`
	Bucket          s3Bucket `json:"bucket"`
	Object          s3Obj    `json:"object"`
}

type s3Bucket struct {
	Name          string    `json:"name"`
	OwnerIdentity principal `json:"ownerIdentity"`
	ARN           string    `json:"arn"`
}

type s3Obj struct {
	Key       string `json:"key"`
	Size      int64  `json:"size"`
	ETag      string `json:"eTag"`
	VersionID string `json:"versionId,omitempty"`
	Sequencer string `json:"sequencer"`
}

// S3EventMessage returns an S3 event notification with one
// "ObjectCreated:Put" record per object (eventVersion "2.1"), as S3 sends
// it to SNS, SQS or Lambda. Keys are encoded with EncodeS3Key.
func S3EventMessage(bucket, region string, t time.Time, objs ...S3Object) []byte {
	d := newDeriver("s3event", bucket, region, stamp(t))
	owner := d.chars(upperHex[10:]+upperHex[:10]+"KLMNOPQRSTUVWXYZ", 13)
	caller := "AWS:AROA" + d.chars(b32Chars, 17) + ":regional-delivery-session"
	recs := make([]s3Record, 0, len(objs))
	for _, o := range objs {
		od := newDeriver("s3object", bucket, o.Key, stamp(t))
		recs = append(recs, s3Record{
			EventVersion: "2.1", EventSource: "aws:s3", AWSRegion: region,
			EventTime: t.UTC().Format(isoMs), EventName: "ObjectCreated:Put",
			UserIdentity:      principal{caller},
			RequestParameters: map[string]string{"sourceIPAddress": "52.94." + od.digits(2) + "." + od.digits(2)},
			ResponseElements:  s3Response{od.chars(upperHex, 16), od.chars(alnumChars+"/+", 76)},
			S3: s3Entity{
				SchemaVersion: "1.0", ConfigurationID: "cloudtrail-log-delivery",
				Bucket: s3Bucket{Name: bucket, OwnerIdentity: principal{"A" + owner}, ARN: "arn:aws:s3:::" + bucket},
				Object: s3Obj{Key: EncodeS3Key(o.Key), Size: o.Size, ETag: o.ETag, VersionID: o.VersionID,
					Sequencer: sequencer(t, od)},
			},
		})
	}
	return marshal(struct {
		Records []s3Record `json:"Records"`
	}{recs})
}

// sequencer returns an upper-case hex sequencer that grows with t.
func sequencer(t time.Time, d *deriver) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(t.UnixNano()))
	return strings.ToUpper(hex.EncodeToString(b[:])) + d.chars(upperHex, 2)
}

// EventBridgeMessage returns the EventBridge "Object Created" event S3
// emits for obj when EventBridge notifications are enabled on the bucket;
// account is the bucket owner. The key is not URL-encoded.
func EventBridgeMessage(account, bucket, region string, t time.Time, obj S3Object) []byte {
	d := newDeriver("eventbridge", account, bucket, obj.Key, stamp(t))
	type object struct {
		Key       string `json:"key"`
		Size      int64  `json:"size"`
		ETag      string `json:"etag"`
		VersionID string `json:"version-id,omitempty"`
		Sequencer string `json:"sequencer"`
	}
	type detail struct {
		Version string `json:"version"`
		Bucket  struct {
			Name string `json:"name"`
		} `json:"bucket"`
		Object          object `json:"object"`
		RequestID       string `json:"request-id"`
		Requester       string `json:"requester"`
		SourceIPAddress string `json:"source-ip-address"`
		Reason          string `json:"reason"`
	}
	det := detail{Version: "0", RequestID: d.chars(upperHex, 16), Requester: "cloudtrail.amazonaws.com",
		SourceIPAddress: "52.94." + d.digits(2) + "." + d.digits(2), Reason: "PutObject",
		Object: object{Key: obj.Key, Size: obj.Size, ETag: obj.ETag, VersionID: obj.VersionID, Sequencer: sequencer(t, d)}}
	det.Bucket.Name = bucket
	return marshal(struct {
		Version    string   `json:"version"`
		ID         string   `json:"id"`
		DetailType string   `json:"detail-type"`
		Source     string   `json:"source"`
		Account    string   `json:"account"`
		Time       string   `json:"time"`
		Region     string   `json:"region"`
		Resources  []string `json:"resources"`
		Detail     detail   `json:"detail"`
	}{"0", d.uuid(), "Object Created", "aws.s3", account, t.UTC().Format("2006-01-02T15:04:05Z"), region,
		[]string{"arn:aws:s3:::" + bucket}, det})
}

// SNSEnvelope wraps message in the JSON envelope SNS delivers to HTTP(S)
// endpoints and, unless raw message delivery is on, to SQS queues. The
// message travels as a JSON string in "Message"; Subject is omitted when
// empty. The Signature looks like SNS's but does not verify.
func SNSEnvelope(topicARN, subject string, message []byte, t time.Time) []byte {
	d := newDeriver("sns", topicARN, subject, string(message), stamp(t))
	region := "us-east-1"
	if p := strings.Split(topicARN, ":"); len(p) >= 6 && p[3] != "" {
		region = p[3]
	}
	host := "https://sns." + region + ".amazonaws.com/"
	return marshal(struct {
		Type             string
		MessageID        string `json:"MessageId"`
		TopicArn         string
		Subject          string `json:",omitempty"`
		Message          string
		Timestamp        string
		SignatureVersion string
		Signature        string
		SigningCertURL   string
		UnsubscribeURL   string
	}{"Notification", d.uuid(), topicARN, subject, string(message), t.UTC().Format(isoMs), "1",
		base64.StdEncoding.EncodeToString(d.bytes(256)),
		host + "SimpleNotificationService-" + d.chars(hexDigits, 32) + ".pem",
		host + "?Action=Unsubscribe&SubscriptionArn=" + topicARN + ":" + d.uuid()})
}

// S3TestEvent returns the s3:TestEvent message S3 sends when a bucket
// notification configuration is saved. It has no Records; consumers must
// skip it.
func S3TestEvent(bucket string, t time.Time) []byte {
	d := newDeriver("s3test", bucket, stamp(t))
	return marshal(struct {
		Service   string
		Event     string
		Time      string
		Bucket    string
		RequestID string `json:"RequestId"`
		HostID    string `json:"HostId"`
	}{"Amazon S3", "s3:TestEvent", t.UTC().Format(isoMs), bucket, d.chars(upperHex, 16), d.chars(alnumChars+"/+", 76)})
}

// marshal encodes v without HTML escaping, as AWS writes JSON.
func marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic("simulate: marshal: " + err.Error()) // only fixed, valid types are encoded
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// deriver is a deterministic byte stream seeded by its inputs.
type deriver struct {
	seed [32]byte
	buf  []byte
	ctr  uint64
}

func newDeriver(parts ...string) *deriver {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	d := &deriver{}
	h.Sum(d.seed[:0])
	return d
}

func (d *deriver) bytes(n int) []byte {
	for len(d.buf) < n {
		var c [40]byte
		copy(c[:], d.seed[:])
		binary.BigEndian.PutUint64(c[32:], d.ctr)
		d.ctr++
		s := sha256.Sum256(c[:])
		d.buf = append(d.buf, s[:]...)
	}
	out := append([]byte(nil), d.buf[:n]...)
	d.buf = d.buf[n:]
	return out
}

func (d *deriver) chars(set string, n int) string {
	b := d.bytes(n)
	for i := range b {
		b[i] = set[int(b[i])%len(set)]
	}
	return string(b)
}

func (d *deriver) digits(n int) string {
	s := d.chars("0123456789", n)
	return strings.TrimLeft(s[:n-1], "0") + s[n-1:]
}

func (d *deriver) uuid() string {
	b := d.bytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// stamp formats t for hashing, without the monotonic clock reading.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
