package simulate

import (
	"bytes"
	"encoding/json"
	"net/url"
	"testing"
)

func TestCloudTrailMessage(t *testing.T) {
	keys := []string{"AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/a.json.gz", "AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/b.json.gz"}
	var m struct {
		S3Bucket    string   `json:"s3Bucket"`
		S3ObjectKey []string `json:"s3ObjectKey"`
	}
	body := CloudTrailMessage("trail-bucket", keys...)
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	if m.S3Bucket != "trail-bucket" || len(m.S3ObjectKey) != 2 || m.S3ObjectKey[1] != keys[1] {
		t.Errorf("decoded %+v from %s", m, body)
	}
	if !bytes.HasPrefix(body, []byte(`{"s3Bucket":"trail-bucket","s3ObjectKey":[`)) {
		t.Errorf("body %s", body)
	}
	if got := string(CloudTrailMessage("b")); got != `{"s3Bucket":"b","s3ObjectKey":[]}` {
		t.Errorf("no keys: %s", got)
	}
}

func TestS3EventMessage(t *testing.T) {
	objs := []S3Object{
		{Key: "logs/AWSLogs/1/red flower+1.json.gz", Size: 1234, ETag: "d41d8cd98f00b204e9800998ecf8427e", VersionID: "v1"},
		{Key: "AWSLogs/plain.json.gz", Size: 5, ETag: "abc"},
	}
	body := S3EventMessage("my-bucket", "eu-west-1", t0, objs...)
	var m struct {
		Records []struct {
			EventVersion, EventSource, AWSRegion, EventTime, EventName string
			UserIdentity                                               struct{ PrincipalID string }
			RequestParameters                                          struct{ SourceIPAddress string }
			ResponseElements                                           map[string]string
			S3                                                         struct {
				S3SchemaVersion, ConfigurationID string
				Bucket                           struct {
					Name          string
					OwnerIdentity struct{ PrincipalID string }
					ARN           string
				}
				Object struct {
					Key                        string
					Size                       int64
					ETag, VersionID, Sequencer string
				}
			}
		}
	}
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Records) != 2 {
		t.Fatalf("%d records", len(m.Records))
	}
	r := m.Records[0]
	if r.EventVersion != "2.1" || r.EventSource != "aws:s3" || r.AWSRegion != "eu-west-1" || r.EventName != "ObjectCreated:Put" ||
		r.EventTime != "2024-05-01T12:00:00.000Z" || r.UserIdentity.PrincipalID == "" || r.RequestParameters.SourceIPAddress == "" ||
		r.ResponseElements["x-amz-request-id"] == "" || r.ResponseElements["x-amz-id-2"] == "" {
		t.Errorf("record %+v", r)
	}
	o := r.S3.Object
	if r.S3.S3SchemaVersion != "1.0" || r.S3.ConfigurationID == "" || r.S3.Bucket.Name != "my-bucket" ||
		r.S3.Bucket.ARN != "arn:aws:s3:::my-bucket" || r.S3.Bucket.OwnerIdentity.PrincipalID == "" {
		t.Errorf("s3 entity %+v", r.S3)
	}
	if o.Key != "logs/AWSLogs/1/red+flower%2B1.json.gz" || o.Size != 1234 || o.ETag != objs[0].ETag || o.VersionID != "v1" || len(o.Sequencer) != 18 {
		t.Errorf("object %+v", o)
	}
	if dec, err := url.QueryUnescape(o.Key); err != nil || dec != objs[0].Key {
		t.Errorf("key decodes to %q, %v", dec, err)
	}
	if bytes.Contains(body, []byte(`"versionId":""`)) {
		t.Error("empty versionId written")
	}
	if !bytes.Equal(body, S3EventMessage("my-bucket", "eu-west-1", t0, objs...)) {
		t.Error("not deterministic")
	}
}

func TestEventBridgeMessage(t *testing.T) {
	body := EventBridgeMessage("111122223333", "my-bucket", "us-east-2", t0, S3Object{Key: "a b.json.gz", Size: 9, ETag: "e"})
	var m struct {
		Version    string   `json:"version"`
		ID         string   `json:"id"`
		DetailType string   `json:"detail-type"`
		Source     string   `json:"source"`
		Account    string   `json:"account"`
		Time       string   `json:"time"`
		Region     string   `json:"region"`
		Resources  []string `json:"resources"`
		Detail     struct {
			Version string `json:"version"`
			Bucket  struct {
				Name string `json:"name"`
			} `json:"bucket"`
			Object struct {
				Key       string `json:"key"`
				Size      int64  `json:"size"`
				ETag      string `json:"etag"`
				Sequencer string `json:"sequencer"`
			} `json:"object"`
			RequestID string `json:"request-id"`
			Requester string `json:"requester"`
			Reason    string `json:"reason"`
		} `json:"detail"`
	}
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	if m.Version != "0" || !uuidRE.MatchString(m.ID) || m.DetailType != "Object Created" || m.Source != "aws.s3" ||
		m.Account != "111122223333" || m.Time != "2024-05-01T12:00:00Z" || m.Region != "us-east-2" ||
		len(m.Resources) != 1 || m.Resources[0] != "arn:aws:s3:::my-bucket" {
		t.Errorf("envelope %+v", m)
	}
	d := m.Detail
	if d.Version != "0" || d.Bucket.Name != "my-bucket" || d.Object.Key != "a b.json.gz" || d.Object.Size != 9 ||
		d.Object.ETag != "e" || d.Object.Sequencer == "" || d.RequestID == "" || d.Requester == "" || d.Reason != "PutObject" {
		t.Errorf("detail %+v", d)
	}
}

func TestSNSEnvelope(t *testing.T) {
	msg := CloudTrailMessage("bucket", "AWSLogs/x & <y>.json.gz")
	topic := "arn:aws:sns:eu-central-1:111122223333:cloudtrail-topic"
	body := SNSEnvelope(topic, "", msg, t0)
	var m map[string]string
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	if m["Message"] != string(msg) {
		t.Errorf("Message %q, want %q", m["Message"], msg)
	}
	if m["Type"] != "Notification" || !uuidRE.MatchString(m["MessageId"]) || m["TopicArn"] != topic ||
		m["Timestamp"] != "2024-05-01T12:00:00.000Z" || m["SignatureVersion"] != "1" || len(m["Signature"]) != 344 ||
		m["SigningCertURL"] == "" || m["UnsubscribeURL"] == "" {
		t.Errorf("envelope %v", m)
	}
	if _, ok := m["Subject"]; ok {
		t.Error("empty Subject written")
	}
	if u, err := url.Parse(m["SigningCertURL"]); err != nil || u.Host != "sns.eu-central-1.amazonaws.com" {
		t.Errorf("SigningCertURL %q", m["SigningCertURL"])
	}
	if u, err := url.Parse(m["UnsubscribeURL"]); err != nil || u.Query().Get("Action") != "Unsubscribe" {
		t.Errorf("UnsubscribeURL %q", m["UnsubscribeURL"])
	}
	keys := topKeys(t, body)
	want := []string{"Type", "MessageId", "TopicArn", "Message", "Timestamp", "SignatureVersion", "Signature", "SigningCertURL", "UnsubscribeURL"}
	if len(keys) != len(want) {
		t.Fatalf("keys %v", keys)
	}
	for i := range want {
		if keys[i] != want[i] {
			t.Fatalf("keys %v, want %v", keys, want)
		}
	}
	var sub map[string]string
	json.Unmarshal(SNSEnvelope(topic, "Hello", msg, t0), &sub)
	if sub["Subject"] != "Hello" {
		t.Errorf("Subject %q", sub["Subject"])
	}
	if bytes.Equal(SNSEnvelope(topic, "", msg, t0), SNSEnvelope(topic, "", CloudTrailMessage("other"), t0)) {
		t.Error("different messages gave the same envelope")
	}
}

func TestS3TestEvent(t *testing.T) {
	var m map[string]any
	if err := json.Unmarshal(S3TestEvent("bucket", t0), &m); err != nil {
		t.Fatal(err)
	}
	if m["Service"] != "Amazon S3" || m["Event"] != "s3:TestEvent" || m["Bucket"] != "bucket" ||
		m["Time"] != "2024-05-01T12:00:00.000Z" || m["RequestId"] == "" || m["HostId"] == "" || m["Records"] != nil {
		t.Errorf("test event %v", m)
	}
}

func TestEncodeS3Key(t *testing.T) {
	for in, want := range map[string]string{
		"a b+c/d.json.gz": "a+b%2Bc/d.json.gz",
		"AWSLogs/o-abc/1/CloudTrail/us-east-1/2024/05/01/1_CloudTrail_us-east-1_20240501T1200Z_AbC.json.gz": "AWSLogs/o-abc/1/CloudTrail/us-east-1/2024/05/01/1_CloudTrail_us-east-1_20240501T1200Z_AbC.json.gz",
		"x=1&y": "x%3D1%26y",
	} {
		if got := EncodeS3Key(in); got != want {
			t.Errorf("EncodeS3Key(%q) = %q, want %q", in, got, want)
		}
	}
}
