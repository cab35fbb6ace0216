package cairn

import (
	"bytes"
	"encoding/json"
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
//   - empty, or a JSON object other than a Route 53 Resolver query:
//     KindCloudTrail (the CloudTrail decoder refuses what is not a
//     CloudTrail log file as corrupt, as it always has);
//   - a JSON object with query_name: KindRoute53Resolver;
//   - a VPC flow log header line ("version account-id ..."): KindVPCFlow.
//
// ok is false for anything else: the object is of a format Cairn does not
// know and must not be parsed as any of these.
func SniffKind(head []byte) (kind ObjectKind, ok bool) {
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimLeft(head, " \t\r\n")
	if len(trimmed) == 0 {
		return KindCloudTrail, true
	}
	line := trimmed
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	line = bytes.TrimRight(line, " \t\r")
	if trimmed[0] == '{' {
		if bytes.HasPrefix(bytes.TrimLeft(trimmed[1:], " \t\r\n"), []byte(`"Records"`)) {
			return KindCloudTrail, true
		}
		var probe struct {
			QueryName *string `json:"query_name"`
		}
		if json.Unmarshal(line, &probe) == nil && probe.QueryName != nil {
			return KindRoute53Resolver, true
		}
		return KindCloudTrail, true
	}
	if isFlowHeader(line) {
		return KindVPCFlow, true
	}
	return "", false
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
