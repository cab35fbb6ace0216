package notification

import (
	"bytes"
	"encoding/json"

	"github.com/cairn-sec/cairn"
)

// parseCloudTrail handles CloudTrail's SNS message payload.
func parseCloudTrail(obj map[string]json.RawMessage) (Notification, error) {
	bucket, ok := str(obj["s3Bucket"])
	if !ok {
		return Notification{}, unknownf("CloudTrail notification whose s3Bucket is not a string")
	}
	if bucket == "" {
		return Notification{}, unknownf("CloudTrail notification with an empty or missing s3Bucket")
	}
	var keys []string
	raw, ok := obj["s3ObjectKey"]
	switch {
	case !ok || isNull(raw):
	case bytes.HasPrefix(bytes.TrimSpace(raw), []byte(`"`)):
		k, _ := str(raw)
		keys = []string{k}
	default:
		if err := json.Unmarshal(raw, &keys); err != nil {
			return Notification{}, unknownf("CloudTrail notification whose s3ObjectKey is neither a string nor an array of strings")
		}
	}
	if len(keys) == 0 {
		return Notification{}, unknownf("CloudTrail notification for bucket %s with no s3ObjectKey", quote(bucket))
	}
	n := Notification{Shape: ShapeCloudTrail, Objects: make([]cairn.ObjectRef, 0, len(keys))}
	for i, k := range keys {
		if k == "" {
			return Notification{}, unknownf("CloudTrail notification with an empty s3ObjectKey[%d]", i)
		}
		n.Objects = append(n.Objects, cairn.ObjectRef{Bucket: bucket, Key: k})
	}
	return n, nil
}

// parseTestEvent handles {"Service":"Amazon S3","Event":"s3:TestEvent",...}.
func parseTestEvent(obj map[string]json.RawMessage) (Notification, error) {
	ev, _ := str(obj["Event"])
	if ev != "s3:TestEvent" {
		return Notification{}, unknownf("JSON object with Event %s (not s3:TestEvent)", quote(ev))
	}
	reason := "S3 test event (s3:TestEvent)"
	if b, _ := str(obj["Bucket"]); b != "" {
		reason += " for bucket " + quote(b)
	}
	return Notification{Shape: ShapeS3TestEvent, Ignore: true, Reason: reason + "; nothing to ingest"}, nil
}
