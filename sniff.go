package cairn

import (
	"bytes"
	"encoding/json"
	"regexp"
)

// flowFieldsV2 are the fields of the default VPC flow log format, one of
// which every flow log header names.
var flowFieldsV2 = map[string]bool{
	"version": true, "account-id": true, "interface-id": true, "srcaddr": true, "dstaddr": true,
	"srcport": true, "dstport": true, "protocol": true, "packets": true, "bytes": true,
	"start": true, "end": true, "action": true, "log-status": true,
	"pkt-srcaddr": true, "pkt-dstaddr": true, "vpc-id": true, "subnet-id": true, "instance-id": true,
}

// SniffKind classifies an object whose key follows no known layout by its
// first decompressed bytes (head should hold at least the first line when
// the object has one):
//
//   - empty, or {"Records"...: KindCloudTrail;
//   - a JSON object with query_name: KindRoute53Resolver;
//   - a JSON object with messageType and logGroup (or an awslogs
//     envelope), base64 of gzip ("H4sI"), or gzip once more (Firehose
//     compressing CloudWatch Logs records): KindCWLogs;
//   - another JSON object with a log record's keys (time, timestamp,
//     @timestamp, ts, date, log, msg, message, level, severity):
//     KindApplication;
//   - any other JSON object: KindCloudTrail (the CloudTrail decoder
//     refuses what is not a CloudTrail log file as corrupt, as it always
//     has);
//   - a VPC flow log header line ("version account-id ..."): KindVPCFlow;
//   - an S3 server access log line: KindS3Access; an Application Load
//     Balancer access log line: KindALB.
//
// ok is false for anything else (plain text included: text application
// logs are recognized by their key or a format override, never by
// guessing): the object is of a format Cairn does not know and must not
// be parsed as any of these.
func SniffKind(head []byte) (kind ObjectKind, ok bool) {
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimLeft(head, " \t\r\n")
	if len(trimmed) == 0 {
		return KindCloudTrail, true
	}
	if len(trimmed) >= 2 && trimmed[0] == 0x1f && trimmed[1] == 0x8b {
		return KindCWLogs, true
	}
	if bytes.HasPrefix(trimmed, []byte("H4sI")) {
		return KindCWLogs, true
	}
	line := trimmed
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	line = bytes.TrimRight(line, " \t\r")
	if trimmed[0] == '{' {
		return sniffJSON(trimmed, line), true
	}
	switch {
	case isFlowHeader(line):
		return KindVPCFlow, true
	case s3AccessLine.Match(line):
		return KindS3Access, true
	case albLine.Match(line):
		return KindALB, true
	}
	return "", false
}

var (
	// s3AccessLine: bucket owner, bucket, [time] (the time in the
	// common log format).
	s3AccessLine = regexp.MustCompile(`^[0-9a-f-]{1,64} \S+ \[\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] `)
	// albLine: type, time, elb, client:port.
	albLine = regexp.MustCompile(`^(http|https|h2|grpcs|ws|wss) \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z \S+ (\S+:\d+|-) `)
	// logKeys are the keys that make a JSON object a log record.
	logKeys = []string{"time", "timestamp", "@timestamp", "ts", "date", "log", "msg", "message", "level", "severity"}
)

// sniffJSON classifies an object starting with a JSON object; line is its
// first line (possibly cut by the end of head).
func sniffJSON(trimmed, line []byte) ObjectKind {
	first := bytes.TrimLeft(trimmed[1:], " \t\r\n")
	if bytes.HasPrefix(first, []byte(`"Records"`)) {
		return KindCloudTrail
	}
	start := trimmed
	if len(start) > 4096 {
		start = start[:4096]
	}
	if bytes.Contains(start, []byte(`"awslogs"`)) ||
		bytes.Contains(start, []byte(`"messageType"`)) && bytes.Contains(start, []byte(`"logGroup"`)) {
		return KindCWLogs
	}
	var keys map[string]json.RawMessage
	if json.Unmarshal(line, &keys) == nil {
		if _, ok := keys["query_name"]; ok {
			return KindRoute53Resolver
		}
		if _, ok := keys["Records"]; ok {
			return KindCloudTrail
		}
		for _, k := range logKeys {
			if _, ok := keys[k]; ok {
				return KindApplication
			}
		}
		return KindCloudTrail
	}
	// The first line does not fit in head: look at the keys it starts with.
	for _, k := range logKeys {
		if bytes.Contains(start, []byte(`"`+k+`":`)) {
			return KindApplication
		}
	}
	return KindCloudTrail
}

// isFlowHeader reports whether line is a space-separated list of flow log
// field names (lower-case letters, digits, '-') naming at least two
// fields of the common formats.
func isFlowHeader(line []byte) bool {
	known := 0
	for _, f := range bytes.Fields(line) {
		for _, c := range f {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
		if flowFieldsV2[string(f)] {
			known++
		}
	}
	return known >= 2
}
