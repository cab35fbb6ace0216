package cwlogs

import (
	"strings"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/cloudtrail"
)

// A trail configured to send events to CloudWatch Logs writes each record
// as one log event, the record's JSON as CloudTrail writes it to S3. Such
// events are CloudTrail events, whatever the log group is called: stored
// as source aws.cloudtrail, with the S3 delivery's columns and eventID (so
// a record that also arrives from the trail's bucket is stored once), and
// evaluated by the CloudTrail detections.

// cloudTrailProbe bounds how far into a message the CloudTrail markers are
// looked for: CloudTrail writes eventVersion first and eventSource within
// the first few hundred bytes (after userIdentity and eventTime).
const cloudTrailProbe = 4096

// looksLikeCloudTrail reports whether msg may be a CloudTrail record: a
// JSON object naming eventVersion and eventSource near its start.
func looksLikeCloudTrail(msg string) bool {
	msg = strings.TrimLeft(msg, " \t\r\n")
	if !strings.HasPrefix(msg, "{") {
		return false
	}
	head := msg[:min(len(msg), cloudTrailProbe)]
	return strings.Contains(head, `"eventVersion"`) && strings.Contains(head, `"eventSource"`)
}

// normalizeCloudTrail fills ev from a log event whose message is a
// CloudTrail record, keeping the log group and stream it came from. It
// reports false, leaving ev alone, when the message is not a record
// CloudTrail's decoder accepts (it is then stored as a log line).
func normalizeCloudTrail(m *message, le *logEvent, ev *cairn.Event) bool {
	if !looksLikeCloudTrail(le.Message) {
		return false
	}
	var ct cairn.Event
	if err := cloudtrail.Normalize([]byte(le.Message), &ct); err != nil || ct.EventID == "" {
		return false
	}
	ct.LogGroup, ct.LogStream = m.LogGroup, m.LogStream
	*ev = ct
	return true
}
