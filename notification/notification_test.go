package notification

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
)

// datasetDir holds public samples of the formats (read-only, never copied).
const datasetDir = "/work/shared/datasets/notifications"

const topic = "arn:aws:sns:eu-west-1:111122223333:cairn-trail"

// maxErrLen bounds the length of any error text Parse returns.
const maxErrLen = 512

// snsEnvelope wraps msg in an SNS HTTP/SQS envelope of the given Type.
func snsEnvelope(typ, msg string) string {
	b, err := json.Marshal(map[string]string{
		"Type":             typ,
		"MessageId":        "3f6c1e9a-0d2b-4c55-9a43-7b1f0e2d8c11",
		"TopicArn":         topic,
		"Message":          msg,
		"Timestamp":        "2025-03-04T05:06:07.890Z",
		"SignatureVersion": "2",
		"Signature":        "c2lnbmF0dXJl",
		"SigningCertURL":   "https://sns.eu-west-1.amazonaws.com/cert.pem",
		"UnsubscribeURL":   "https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe",
	})
	if err != nil {
		panic(err)
	}
	return string(b)
}

// s3Record renders one S3 event notification record.
func s3Record(version, name, key string) string {
	return `{"eventVersion":"` + version + `","eventSource":"aws:s3","awsRegion":"eu-west-1",
	"eventTime":"2025-03-04T05:06:07.123Z","eventName":"` + name + `",
	"userIdentity":{"principalId":"AWS:AROAEXAMPLE"},"requestParameters":{"sourceIPAddress":"10.1.2.3"},
	"responseElements":{"x-amz-request-id":"R1","x-amz-id-2":"H1"},
	"s3":{"s3SchemaVersion":"1.0","configurationId":"cairn","bucket":{"name":"acme-trail-logs",
	"ownerIdentity":{"principalId":"A1"},"arn":"arn:aws:s3:::acme-trail-logs"},
	"object":{"key":"` + key + `","size":2048,"eTag":"\"0123abcd\"","versionId":"v1.A","sequencer":"0065E5F1A2B3C4D5E6"}}}`
}

func s3Event(records ...string) string {
	return `{"Records":[` + strings.Join(records, ",") + `]}`
}

func eventBridge(source, detailType, key string) string {
	return `{"version":"0","id":"0b5f4a8e-6c1d-4e2f-9a3b-5c7d9e1f2a4b","detail-type":"` + detailType + `",
	"source":"` + source + `","account":"111122223333","time":"2025-03-04T05:06:08Z","region":"eu-west-1",
	"resources":["arn:aws:s3:::acme-trail-logs"],"detail":{"version":"0","bucket":{"name":"acme-trail-logs"},
	"object":{"key":"` + key + `","size":512,"etag":"feedbeef","version-id":"v2.B","sequencer":"0065E5F1A2B3C4D5E7"},
	"request-id":"R2","requester":"111122223333","source-ip-address":"10.1.2.4","reason":"PutObject"}}`
}

const (
	ctKey1 = "AWSLogs/111122223333/CloudTrail/eu-west-1/2025/03/04/111122223333_CloudTrail_eu-west-1_20250304T0505Z_aB3dE5fG7hJ9kL1m.json.gz"
	ctKey2 = "AWSLogs/111122223333/CloudTrail/eu-west-1/2025/03/04/111122223333_CloudTrail_eu-west-1_20250304T0510Z_nP2qR4sT6uV8wX0y.json.gz"
	ctKey3 = "AWSLogs/o-abc123/111122223333/CloudTrail/us-east-1/2025/03/04/111122223333_CloudTrail_us-east-1_20250304T0515Z_zY9xW8vU7tS6rQ5p.json.gz"

	cloudTrailMsg = `{"s3Bucket":"acme-trail-logs","s3ObjectKey":["` + ctKey1 + `","` + ctKey2 + `","` + ctKey3 + `"]}`
	testEvent     = `{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2025-03-04T05:06:07.000Z","Bucket":"acme-trail-logs","RequestId":"R3","HostId":"H3"}`
	eventTimeS3   = "2025-03-04T05:06:07.123Z"
	eventTimeEB   = "2025-03-04T05:06:08Z"
)

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func ctRef(key string) cairn.ObjectRef { return cairn.ObjectRef{Bucket: "acme-trail-logs", Key: key} }

func s3Ref(key string) cairn.ObjectRef {
	return cairn.ObjectRef{Bucket: "acme-trail-logs", Key: key, Region: "eu-west-1", ETag: "0123abcd",
		VersionID: "v1.A", Size: 2048, EventTime: ts(eventTimeS3)}
}

func ebRef(key string) cairn.ObjectRef {
	return cairn.ObjectRef{Bucket: "acme-trail-logs", Key: key, Region: "eu-west-1", ETag: "feedbeef",
		VersionID: "v2.B", Size: 512, EventTime: ts(eventTimeEB)}
}

type parseCase struct {
	name   string
	body   string
	want   Notification
	reason string // substring of Reason when want.Ignore
	err    string // substring of the error text; "" means no error
}

func okCases() []parseCase {
	removed := s3Record("2.1", "ObjectRemoved:Delete", "old.json.gz")
	return []parseCase{
		{name: "cloudtrail single key", body: `{"s3Bucket":"acme-trail-logs","s3ObjectKey":["` + ctKey1 + `"]}`,
			want: Notification{Shape: ShapeCloudTrail, Objects: []cairn.ObjectRef{ctRef(ctKey1)}}},
		{name: "cloudtrail several keys", body: cloudTrailMsg,
			want: Notification{Shape: ShapeCloudTrail, Objects: []cairn.ObjectRef{ctRef(ctKey1), ctRef(ctKey2), ctRef(ctKey3)}}},
		{name: "cloudtrail key as a string", body: `{"s3Bucket":"acme-trail-logs","s3ObjectKey":"` + ctKey2 + `"}`,
			want: Notification{Shape: ShapeCloudTrail, Objects: []cairn.ObjectRef{ctRef(ctKey2)}}},
		{name: "cloudtrail keys are not URL-decoded", body: `{"s3Bucket":"acme-trail-logs","s3ObjectKey":["a+b%20c%2Bd.json.gz"]}`,
			want: Notification{Shape: ShapeCloudTrail, Objects: []cairn.ObjectRef{ctRef("a+b%20c%2Bd.json.gz")}}},
		{name: "cloudtrail unicode key", body: `{"s3Bucket":"acme-trail-logs","s3ObjectKey":["journaux/café/日本/\u00e9t\u00e9.json.gz"]}`,
			want: Notification{Shape: ShapeCloudTrail, Objects: []cairn.ObjectRef{ctRef("journaux/café/日本/été.json.gz")}}},
		{name: "cloudtrail with BOM and whitespace", body: "\xef\xbb\xbf \n" + cloudTrailMsg + "\n",
			want: Notification{Shape: ShapeCloudTrail, Objects: []cairn.ObjectRef{ctRef(ctKey1), ctRef(ctKey2), ctRef(ctKey3)}}},
		{name: "SNS-wrapped cloudtrail", body: snsEnvelope("Notification", cloudTrailMsg),
			want: Notification{Shape: ShapeCloudTrail, SNS: true, TopicARN: topic,
				Objects: []cairn.ObjectRef{ctRef(ctKey1), ctRef(ctKey2), ctRef(ctKey3)}}},
		{name: "s3 event one record", body: s3Event(s3Record("2.1", "ObjectCreated:Put", "AWSLogs/x.json.gz")),
			want: Notification{Shape: ShapeS3Event, Objects: []cairn.ObjectRef{s3Ref("AWSLogs/x.json.gz")}}},
		{name: "s3 event several records", body: s3Event(
			s3Record("2.1", "ObjectCreated:Put", "a.json.gz"),
			removed,
			s3Record("2.2", "ObjectCreated:CompleteMultipartUpload", "b.json.gz"),
			s3Record("2.0", "ObjectCreated:Copy", "c.json.gz")),
			want: Notification{Shape: ShapeS3Event, Objects: []cairn.ObjectRef{s3Ref("a.json.gz"), s3Ref("b.json.gz"), s3Ref("c.json.gz")}}},
		{name: "s3 event key plus is a space", body: s3Event(s3Record("2.1", "ObjectCreated:Put", "red+flower.jpg")),
			want: Notification{Shape: ShapeS3Event, Objects: []cairn.ObjectRef{s3Ref("red flower.jpg")}}},
		{name: "s3 event key %2B is a plus", body: s3Event(s3Record("2.1", "ObjectCreated:Put", "a%2Bb+c")),
			want: Notification{Shape: ShapeS3Event, Objects: []cairn.ObjectRef{s3Ref("a+b c")}}},
		{name: "s3 event key %20 is a space", body: s3Event(s3Record("2.1", "ObjectCreated:Put", "Happy%20Face.jpg")),
			want: Notification{Shape: ShapeS3Event, Objects: []cairn.ObjectRef{s3Ref("Happy Face.jpg")}}},
		{name: "s3 event unicode key", body: s3Event(s3Record("2.1", "ObjectCreated:Put", "logs/caf%C3%A9/%E6%97%A5%E6%9C%AC%3A1.json.gz")),
			want: Notification{Shape: ShapeS3Event, Objects: []cairn.ObjectRef{s3Ref("logs/café/日本:1.json.gz")}}},
		{name: "SNS-wrapped s3 event", body: snsEnvelope("Notification", s3Event(s3Record("2.1", "ObjectCreated:Put", "k%3D1"))),
			want: Notification{Shape: ShapeS3Event, SNS: true, TopicARN: topic, Objects: []cairn.ObjectRef{s3Ref("k=1")}}},
		{name: "raw delivery s3 event", body: s3Event(s3Record("2.9", "ObjectCreated:Post", "raw.json.gz")),
			want: Notification{Shape: ShapeS3Event, Objects: []cairn.ObjectRef{s3Ref("raw.json.gz")}}},
		{name: "s3 event ObjectRemoved only", body: s3Event(removed, s3Record("2.1", "ObjectRestore:Completed", "r")),
			want: Notification{Shape: ShapeS3Event, Ignore: true}, reason: `ignored event names ["ObjectRemoved:Delete" "ObjectRestore:Completed"]`},
		{name: "eventbridge object created", body: eventBridge("aws.s3", "Object Created", ctKey1),
			want: Notification{Shape: ShapeEventBridge, Objects: []cairn.ObjectRef{ebRef(ctKey1)}}},
		{name: "eventbridge key %20 decoded", body: eventBridge("aws.s3", "Object Created", "Happy%20Face.jpg"),
			want: Notification{Shape: ShapeEventBridge, Objects: []cairn.ObjectRef{ebRef("Happy Face.jpg")}}},
		{name: "eventbridge key plus kept", body: eventBridge("aws.s3", "Object Created", "red+flower.jpg"),
			want: Notification{Shape: ShapeEventBridge, Objects: []cairn.ObjectRef{ebRef("red+flower.jpg")}}},
		{name: "eventbridge key %2B and plus", body: eventBridge("aws.s3", "Object Created", "a%2Bb+c"),
			want: Notification{Shape: ShapeEventBridge, Objects: []cairn.ObjectRef{ebRef("a+b+c")}}},
		{name: "eventbridge key lone percent kept", body: eventBridge("aws.s3", "Object Created", "100% done.json"),
			want: Notification{Shape: ShapeEventBridge, Objects: []cairn.ObjectRef{ebRef("100% done.json")}}},
		{name: "eventbridge key with a bad escape kept", body: eventBridge("aws.s3", "Object Created", "a%20b%zz"),
			want: Notification{Shape: ShapeEventBridge, Objects: []cairn.ObjectRef{ebRef("a%20b%zz")}}},
		{name: "eventbridge unicode key", body: eventBridge("aws.s3", "Object Created", "été/日本.json"),
			want: Notification{Shape: ShapeEventBridge, Objects: []cairn.ObjectRef{ebRef("été/日本.json")}}},
		{name: "SNS-wrapped eventbridge", body: snsEnvelope("Notification", eventBridge("aws.s3", "Object Created", "k")),
			want: Notification{Shape: ShapeEventBridge, SNS: true, TopicARN: topic, Objects: []cairn.ObjectRef{ebRef("k")}}},
		{name: "s3 test event", body: testEvent,
			want: Notification{Shape: ShapeS3TestEvent, Ignore: true}, reason: `s3:TestEvent) for bucket "acme-trail-logs"`},
		{name: "SNS-wrapped s3 test event", body: snsEnvelope("Notification", testEvent),
			want: Notification{Shape: ShapeS3TestEvent, SNS: true, TopicARN: topic, Ignore: true}, reason: "s3:TestEvent"},
		{name: "SNS subscription confirmation", body: snsEnvelope("SubscriptionConfirmation", "You have chosen to subscribe to the topic."),
			want: Notification{Shape: ShapeSubscriptionConfirmation, SNS: true, TopicARN: topic, Ignore: true}, reason: `SNS SubscriptionConfirmation for topic "` + topic + `"`},
		{name: "SNS unsubscribe confirmation", body: snsEnvelope("UnsubscribeConfirmation", "You have chosen to deactivate subscription."),
			want: Notification{Shape: ShapeSubscriptionConfirmation, SNS: true, TopicARN: topic, Ignore: true}, reason: "SNS UnsubscribeConfirmation"},
	}
}

// sameNotification compares two notifications, times by instant.
func sameNotification(got, want Notification) bool {
	if len(got.Objects) != len(want.Objects) {
		return false
	}
	for i := range got.Objects {
		g, w := got.Objects[i], want.Objects[i]
		if !g.EventTime.Equal(w.EventTime) {
			return false
		}
		g.EventTime, w.EventTime = time.Time{}, time.Time{}
		if g != w {
			return false
		}
	}
	got.Objects, want.Objects = nil, nil
	return reflect.DeepEqual(got, want)
}

func TestParse(t *testing.T) {
	for _, tc := range append(okCases(), errCases()...) {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse([]byte(tc.body))
			if tc.err != "" {
				if err == nil {
					t.Fatalf("Parse = %+v, want error containing %q", got, tc.err)
				}
				checkErr(t, err)
				if !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %q does not contain %q", err, tc.err)
				}
				if !reflect.DeepEqual(got, Notification{}) {
					t.Fatalf("Parse returned %+v with an error", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			reason := got.Reason
			got.Reason = ""
			if !sameNotification(got, tc.want) {
				t.Fatalf("Parse =\n%+v\nwant\n%+v", got, tc.want)
			}
			if tc.want.Ignore != (reason != "") || !strings.Contains(reason, tc.reason) {
				t.Fatalf("Reason %q, want one containing %q", reason, tc.reason)
			}
		})
	}
}

// checkErr asserts the properties every Parse error has.
func checkErr(t testing.TB, err error) {
	t.Helper()
	if !errors.Is(err, cairn.ErrUnknownNotification) {
		t.Fatalf("error %q does not wrap cairn.ErrUnknownNotification", err)
	}
	if !strings.HasPrefix(err.Error(), "unknown notification shape: ") {
		t.Fatalf("error %q lacks the prefix", err)
	}
	if len(err.Error()) > maxErrLen {
		t.Fatalf("error is %d bytes: %q", len(err.Error()), err)
	}
}

// TestParseBodyLimit checks that oversized bodies are refused cheaply.
func TestParseBodyLimit(t *testing.T) {
	body := []byte(`{"s3Bucket":"b","s3ObjectKey":["` + strings.Repeat("k", maxBody) + `"]}`)
	_, err := Parse(body)
	if err == nil || !strings.Contains(err.Error(), "bytes (limit 1048576)") {
		t.Fatalf("Parse(oversized) error = %v", err)
	}
	checkErr(t, err)
}

// TestParseDoesNotModifyInput checks Parse leaves its argument alone.
func TestParseDoesNotModifyInput(t *testing.T) {
	body := []byte(snsEnvelope("Notification", s3Event(s3Record("2.1", "ObjectCreated:Put", "a+b"))))
	orig := bytes.Clone(body)
	if _, err := Parse(body); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(body, orig) {
		t.Fatal("Parse modified its input")
	}
}
