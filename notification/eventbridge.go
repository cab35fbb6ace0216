package notification

import (
	"encoding/json"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/cairn-sec/cairn"
)

// ebObjectCreated is the detail of an S3 "Object Created" event.
type ebObjectCreated struct {
	Bucket struct {
		Name string `json:"name"`
	} `json:"bucket"`
	Object struct {
		Key       string `json:"key"`
		Size      int64  `json:"size"`
		ETag      string `json:"etag"`
		VersionID string `json:"version-id"`
	} `json:"object"`
}

// parseEventBridge handles an EventBridge event; only "Object Created"
// from aws.s3 is accepted.
func parseEventBridge(obj map[string]json.RawMessage) (Notification, error) {
	source, ok1 := str(obj["source"])
	detailType, ok2 := str(obj["detail-type"])
	if !ok1 || !ok2 {
		return Notification{}, unknownf("EventBridge-like JSON object with keys %s whose source or detail-type is not a string", keyList(obj))
	}
	if source != "aws.s3" || detailType != "Object Created" {
		return Notification{}, unknownf("EventBridge event source %s detail-type %s", quoteN(source, maxSource), quote(detailType))
	}
	region, ok1 := str(obj["region"])
	ts, ok2 := str(obj["time"])
	if !ok1 || !ok2 {
		return Notification{}, unknownf("EventBridge Object Created event whose region or time is not a string")
	}
	detail := obj["detail"]
	var d ebObjectCreated
	if err := json.Unmarshal(detail, &d); err != nil || isNull(detail) {
		return Notification{}, unknownf("EventBridge Object Created event with a malformed detail")
	}
	if d.Bucket.Name == "" || d.Object.Key == "" {
		return Notification{}, unknownf("EventBridge Object Created event without detail.bucket.name or detail.object.key")
	}
	if d.Object.Size < 0 {
		return Notification{}, unknownf("EventBridge Object Created event with a negative detail.object.size")
	}
	t, err := parseTime("EventBridge Object Created event time", ts)
	if err != nil {
		return Notification{}, err
	}
	return Notification{
		Shape: ShapeEventBridge,
		Objects: []cairn.ObjectRef{{
			Bucket:    d.Bucket.Name,
			Key:       eventBridgeKey(d.Object.Key),
			Region:    region,
			ETag:      strings.Trim(d.Object.ETag, `"`),
			VersionID: d.Object.VersionID,
			Size:      d.Object.Size,
			EventTime: t,
		}},
	}, nil
}

// eventBridgeKey returns the object key of an EventBridge event. AWS does
// not document whether it is URL-encoded, so: '+' is never a space; the
// key is percent-decoded with url.PathUnescape only when it holds at least
// one valid %XX escape, decodes without error and gives valid UTF-8;
// otherwise it is returned unchanged.
func eventBridgeKey(key string) string {
	if !hasEscape(key) {
		return key
	}
	dec, err := url.PathUnescape(key)
	if err != nil || dec == "" || !utf8.ValidString(dec) {
		return key
	}
	return dec
}

// hasEscape reports whether s contains '%' followed by two hex digits.
func hasEscape(s string) bool {
	for i := 0; i+2 < len(s); i++ {
		if s[i] == '%' && isHex(s[i+1]) && isHex(s[i+2]) {
			return true
		}
	}
	return false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
