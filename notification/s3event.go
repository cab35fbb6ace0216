package notification

import (
	"encoding/json"
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/cairn-sec/cairn"
)

// s3Entity is the "s3" member of an S3 event notification record.
type s3Entity struct {
	Bucket struct {
		Name string `json:"name"`
	} `json:"bucket"`
	Object struct {
		Key       string `json:"key"`
		Size      int64  `json:"size"`
		ETag      string `json:"eTag"`
		VersionID string `json:"versionId"`
	} `json:"object"`
}

// maxIgnoredNames bounds the event names listed in an Ignore reason.
const maxIgnoredNames = 4

// parseS3Event handles {"Records":[...]} S3 event notifications.
//
// Record fields are matched by their exact names (encoding/json would
// match "EventSource" too, as in Lambda's SNS event). Only ObjectCreated:*
// records are decoded in full; others are skipped, so that placeholder
// values in records of other types do not fail the whole message.
func parseS3Event(obj map[string]json.RawMessage) (Notification, error) {
	var records []json.RawMessage
	if err := json.Unmarshal(obj["Records"], &records); err != nil || isNull(obj["Records"]) {
		return Notification{}, unknownf("JSON object with keys %s whose Records is not an array", keyList(obj))
	}
	if len(records) == 0 {
		return Notification{}, unknownf("S3 event notification with an empty Records array")
	}
	n := Notification{Shape: ShapeS3Event}
	ignored := map[string]bool{}
	for i, raw := range records {
		var rec map[string]json.RawMessage
		if err := json.Unmarshal(raw, &rec); err != nil || rec == nil {
			return Notification{}, unknownf("Records[%d] that is not a JSON object", i)
		}
		source, _ := str(rec["eventSource"])
		if source != "aws:s3" {
			if source == "" {
				return Notification{}, unknownf("Records[%d] without eventSource (keys %s)", i, keyList(rec))
			}
			return Notification{}, unknownf("Records[%d] with eventSource %s, not an S3 event notification", i, quote(source))
		}
		version, _ := str(rec["eventVersion"])
		if major, _, _ := strings.Cut(version, "."); major != "2" {
			return Notification{}, unknownf("S3 event notification Records[%d] with eventVersion %s (want 2.x)", i, quote(version))
		}
		name, _ := str(rec["eventName"])
		if !strings.HasPrefix(name, "ObjectCreated:") {
			ignored[name] = true
			continue
		}
		ref, err := s3EventObject(i, rec)
		if err != nil {
			return Notification{}, err
		}
		n.Objects = append(n.Objects, ref)
	}
	if len(n.Objects) == 0 {
		n.Ignore = true
		n.Reason = "S3 event notification without ObjectCreated records; ignored event names " + nameList(ignored)
	}
	return n, nil
}

// s3EventObject decodes the object of one ObjectCreated record.
func s3EventObject(i int, rec map[string]json.RawMessage) (cairn.ObjectRef, error) {
	what := "S3 event notification Records[" + itoa(i) + "]"
	var s3 s3Entity
	if err := json.Unmarshal(rec["s3"], &s3); err != nil {
		return cairn.ObjectRef{}, unknownf("%s with a malformed s3 member", what)
	}
	if s3.Bucket.Name == "" || s3.Object.Key == "" {
		return cairn.ObjectRef{}, unknownf("%s without s3.bucket.name or s3.object.key", what)
	}
	if s3.Object.Size < 0 {
		return cairn.ObjectRef{}, unknownf("%s with a negative s3.object.size", what)
	}
	key, err := url.QueryUnescape(s3.Object.Key)
	if err != nil {
		return cairn.ObjectRef{}, unknownf("%s with s3.object.key %s that is not URL-encoded: %v", what, quote(s3.Object.Key), err)
	}
	if key == "" || !utf8.ValidString(key) {
		return cairn.ObjectRef{}, unknownf("%s with s3.object.key %s that decodes to an empty or non-UTF-8 key", what, quote(s3.Object.Key))
	}
	region, ok := str(rec["awsRegion"])
	if !ok {
		return cairn.ObjectRef{}, unknownf("%s whose awsRegion is not a string", what)
	}
	ts, ok := str(rec["eventTime"])
	if !ok {
		return cairn.ObjectRef{}, unknownf("%s whose eventTime is not a string", what)
	}
	t, err := parseTime(what+" eventTime", ts)
	if err != nil {
		return cairn.ObjectRef{}, err
	}
	return cairn.ObjectRef{
		Bucket:    s3.Bucket.Name,
		Key:       key,
		Region:    region,
		ETag:      strings.Trim(s3.Object.ETag, `"`),
		VersionID: s3.Object.VersionID,
		Size:      s3.Object.Size,
		EventTime: t,
	}, nil
}

// nameList renders a set of event names for a log line: sorted, quoted,
// at most maxIgnoredNames of them.
func nameList(set map[string]bool) string {
	names := make([]string, 0, len(set))
	for k := range set {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteByte('[')
	for i, k := range names {
		if i == maxIgnoredNames {
			b.WriteString(" …+" + itoa(len(names)-i))
			break
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(quote(k))
	}
	b.WriteByte(']')
	return b.String()
}
