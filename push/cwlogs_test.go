package push

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"
)

// cwlMessage is a CloudWatch Logs subscription DATA_MESSAGE, gzip'd as
// CloudWatch Logs hands it to Firehose.
func cwlMessage(t *testing.T, group, stream string, messages ...string) []byte {
	t.Helper()
	var evs []map[string]any
	for i, m := range messages {
		evs = append(evs, map[string]any{"id": fmt.Sprintf("3795%d", i), "timestamp": 1763632800300 + int64(i), "message": m})
	}
	b, err := json.Marshal(map[string]any{"messageType": "DATA_MESSAGE", "owner": "111122223333", "logGroup": group,
		"logStream": stream, "subscriptionFilters": []string{"to-cairn"}, "logEvents": evs})
	if err != nil {
		t.Fatal(err)
	}
	return gz(t, b)
}

func auditEvent(id, verb, resource, ns, user string) string {
	return fmt.Sprintf(`{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":%q,"stage":"ResponseComplete",`+
		`"requestURI":"/api/v1/namespaces/%s/%s","verb":%q,"user":{"username":%q,"groups":["system:authenticated"]},`+
		`"sourceIPs":["198.51.100.7"],"userAgent":"kubectl/v1.30.0","objectRef":{"resource":%q,"namespace":%q,"apiVersion":"v1"},`+
		`"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":"2026-11-20T10:00:00.123456Z",`+
		`"stageTimestamp":"2026-11-20T10:00:00.200000Z"}`, id, ns, resource, verb, user, resource, ns)
}

func TestFirehoseCWLogsEKSAudit(t *testing.T) {
	e := newEnv(t)
	const group, stream = "/aws/eks/prod-west/cluster", "kube-apiserver-audit-8f1c2d"
	control, _ := json.Marshal(map[string]any{"messageType": "CONTROL_MESSAGE", "owner": "CloudwatchLogs", "logGroup": "", "logStream": "",
		"subscriptionFilters": []string{}, "logEvents": []map[string]any{{"id": "", "timestamp": 1, "message": "CWL CONTROL MESSAGE: Checking health of destination Firehose."}}})
	body := delivery("cwl-1", 1763632801000,
		cwlMessage(t, group, stream, auditEvent("a-1", "list", "secrets", "payments", "alice"), auditEvent("a-2", "delete", "pods", "payments", "bob")),
		gz(t, control),
		[]byte("not a subscription message"))
	st, hdr, b := e.firehose(PathFirehoseCWLogs, "cwl-1", body, map[string]string{"Content-Encoding": ""})
	wantFirehose(t, st, hdr, b, 200, "cwl-1", "")
	rows := e.rows(`SELECT source, event_id, event_name, user_name, cluster, namespace, source_ip, s3_key FROM events ORDER BY event_id`)
	if len(rows) != 2 {
		t.Fatalf("events %v", rows)
	}
	want := [][]any{
		{"aws.eks.audit", "a-1", "list secrets", "alice", "prod-west", "payments", "198.51.100.7", "firehose/cwl-1/0"},
		{"aws.eks.audit", "a-2", "delete pods", "bob", "prod-west", "payments", "198.51.100.7", "firehose/cwl-1/0"},
	}
	if fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Fatalf("events\n%v\nwant\n%v", rows, want)
	}
	if n := e.count(`SELECT count(*) FROM ingest_errors WHERE key = 'firehose/cwl-1/2' AND etag = 'cwl-1'`); n != 1 {
		t.Fatalf("ingest_errors %v", e.rows(`SELECT key, reason, detail FROM ingest_errors`))
	}
	// The retry Firehose makes when our 200 was lost stores nothing.
	st, hdr, b = e.firehose(PathFirehoseCWLogs, "cwl-1", body, nil)
	wantFirehose(t, st, hdr, b, 200, "cwl-1", "")
	if n := e.count(`SELECT count(*) FROM events`); n != 2 {
		t.Fatalf("%d events after the retry", n)
	}
}

// The real Lambda-delivered subscription payload in the datasets, sent as
// a Firehose record.
func TestFirehoseCWLogsDataset(t *testing.T) {
	b, err := os.ReadFile("/work/shared/datasets/firehose-cwl/aws-lambda-go_cloudwatch-logs-event.decoded.json")
	if err != nil {
		t.Skip("datasets absent:", err)
	}
	e := newEnv(t)
	st, hdr, resp := e.firehose(PathFirehoseCWLogs, "ds-1", delivery("ds-1", 1440442988000, gz(t, b)), nil)
	wantFirehose(t, st, hdr, resp, 200, "ds-1", "")
	if n := e.count(`SELECT count(*) FROM events WHERE log_group = 'testLogGroup' AND level = 'ERROR' AND message LIKE '%test message%'`); n != 2 {
		t.Fatalf("events %v", e.rows(`SELECT source, log_group, level, message FROM events`))
	}
}
