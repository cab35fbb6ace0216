package notification

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// datasetWant is what Parse should make of one public sample.
type datasetWant struct {
	shape   Shape
	objects int
	ignore  bool
	reason  string // substring of Reason when ignore
	err     string // substring of the error; "" for success
	key     string // Objects[0].Key when objects > 0
}

// datasetWants covers the samples under datasetDir that are SQS bodies (or
// HTTP bodies of SNS deliveries, which are the same envelope). Samples not
// listed are still parsed and must not panic.
var datasetWants = map[string]datasetWant{
	"awsdocs_cloudtrail_sns_message_single.json":   {shape: ShapeCloudTrail, objects: 1},
	"awsdocs_cloudtrail_sns_message_multiple.json": {shape: ShapeCloudTrail, objects: 3},
	"awsdocs_s3_event_objectcreated_put_v2.1.json": {shape: ShapeS3Event, objects: 1, key: "HappyFace.jpg"},
	// The v2.2 "structure" sample is a template: eventName "event-type" is
	// not ObjectCreated:*, so the message is acknowledged and ignored.
	"awsdocs_s3_event_structure_v2.2_template.json":   {shape: ShapeS3Event, ignore: true, reason: `"event-type"`},
	"awsdocs_s3_test_event.json":                      {shape: ShapeS3TestEvent, ignore: true, reason: "s3:TestEvent"},
	"grafana-loki_eventbridge-s3-object-created.json": {shape: ShapeEventBridge, objects: 1, key: "pizza.txt"},
	// aws-lambda-go's S3 events are the S3 event notification document
	// itself (Lambda passes it unchanged), so they parse as SQS bodies.
	"aws-lambda-go_s3-event.json":              {shape: ShapeS3Event, objects: 1, key: "Happy Face.jpg"},
	"aws-lambda-go_s3-event-with-decoded.json": {shape: ShapeS3Event, objects: 1, key: "Happy Face.jpg"},
	// The Lambda SQS and SNS events are Lambda wrappers, not SQS bodies;
	// parsed whole they are unknown shapes. Their inner bodies are
	// checked in TestDatasetLambdaWrappers.
	"aws-lambda-go_sqs-event.json": {err: `Records[0] with eventSource "aws:sqs"`},
	"aws-lambda-go_sns-event.json": {err: "Records[0] without eventSource"},
	// The .http samples are HTTP POSTs from SNS; their bodies are the
	// envelope SQS would hold.
	"awsdocs_sns_http_notification.http":              {err: `SNS Notification whose Message is not JSON (starts with "Hello world!")`},
	"awsdocs_sns_http_subscription_confirmation.http": {shape: ShapeSubscriptionConfirmation, ignore: true, reason: "SubscriptionConfirmation"},
	"awsdocs_sns_http_unsubscribe_confirmation.http":  {shape: ShapeSubscriptionConfirmation, ignore: true, reason: "UnsubscribeConfirmation"},
}

// readDataset returns the named sample's SQS-body bytes, or skips.
func readDataset(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(datasetDir, name))
	if err != nil {
		t.Skipf("dataset not available: %v", err)
	}
	if strings.HasSuffix(name, ".http") {
		b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
		_, body, ok := bytes.Cut(b, []byte("\n\n"))
		if !ok {
			t.Fatalf("%s: no blank line after the HTTP headers", name)
		}
		b = body
	}
	return b
}

func TestDataset(t *testing.T) {
	if _, err := os.Stat(datasetDir); err != nil {
		t.Skipf("dataset not available: %v", err)
	}
	var names []string
	for _, pat := range []string{"*.json", "*.http"} {
		m, _ := filepath.Glob(filepath.Join(datasetDir, pat))
		names = append(names, m...)
	}
	seen := 0
	for _, path := range names {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			n, err := Parse(readDataset(t, name))
			want, ok := datasetWants[name]
			if !ok {
				if err != nil {
					checkErr(t, err)
				}
				t.Logf("unlisted sample: %+v, %v", n, err)
				return
			}
			seen++
			if want.err != "" {
				if err == nil || !strings.Contains(err.Error(), want.err) {
					t.Fatalf("Parse = %+v, %v; want error containing %q", n, err, want.err)
				}
				checkErr(t, err)
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if n.Shape != want.shape || len(n.Objects) != want.objects || n.Ignore != want.ignore {
				t.Fatalf("Parse = %+v, want %+v", n, want)
			}
			if want.ignore && !strings.Contains(n.Reason, want.reason) {
				t.Fatalf("Reason %q does not contain %q", n.Reason, want.reason)
			}
			for _, o := range n.Objects {
				if o.Bucket == "" || o.Key == "" {
					t.Fatalf("object %+v has an empty bucket or key", o)
				}
			}
			if want.key != "" && n.Objects[0].Key != want.key {
				t.Fatalf("Key = %q, want %q", n.Objects[0].Key, want.key)
			}
		})
	}
	if seen < len(datasetWants) {
		t.Errorf("only %d of %d expected samples found in %s", seen, len(datasetWants), datasetDir)
	}
}

// TestDatasetLambdaWrappers unwraps the Lambda event samples: an SQS→Lambda
// record's body is an SQS body, and an SNS→Lambda record's Sns member is an
// SNS envelope (with Lambda's SigningCertUrl/UnsubscribeUrl casing, which
// Parse does not read).
func TestDatasetLambdaWrappers(t *testing.T) {
	t.Run("sqs", func(t *testing.T) {
		var ev struct {
			Records []struct {
				Body string `json:"body"`
			}
		}
		if err := json.Unmarshal(readDataset(t, "aws-lambda-go_sqs-event.json"), &ev); err != nil || len(ev.Records) == 0 {
			t.Fatalf("cannot read the Lambda SQS event: %v", err)
		}
		for _, r := range ev.Records {
			// The sample's body is the placeholder "Message Body".
			_, err := Parse([]byte(r.Body))
			if err == nil || !strings.Contains(err.Error(), `not JSON (starts with "Message Body")`) {
				t.Fatalf("Parse(%q) error = %v", r.Body, err)
			}
			checkErr(t, err)
		}
	})
	t.Run("sns", func(t *testing.T) {
		var ev struct {
			Records []struct {
				Sns json.RawMessage
			}
		}
		if err := json.Unmarshal(readDataset(t, "aws-lambda-go_sns-event.json"), &ev); err != nil || len(ev.Records) == 0 {
			t.Fatalf("cannot read the Lambda SNS event: %v", err)
		}
		for _, r := range ev.Records {
			// The sample's Message is the plain text "Hello from SNS!".
			_, err := Parse(r.Sns)
			if err == nil || !strings.Contains(err.Error(), `SNS Notification whose Message is not JSON (starts with "Hello from SNS!")`) {
				t.Fatalf("Parse(Sns) error = %v", err)
			}
			checkErr(t, err)
		}
	})
}
