package main

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

// cwlDelivery is a Firehose delivery of one CloudWatch Logs subscription
// record of log group and stream, one log event per message.
func cwlDelivery(t *testing.T, requestID, group, stream string, messages ...string) []byte {
	t.Helper()
	var events []map[string]any
	for i, m := range messages {
		events = append(events, map[string]any{"id": "3792301830000000000000000000000000000000000000000000000" + string(rune('0'+i)),
			"timestamp": 1763632800000 + int64(i)*1000, "message": m})
	}
	msg, _ := json.Marshal(map[string]any{"messageType": "DATA_MESSAGE", "owner": "111122223333", "logGroup": group,
		"logStream": stream, "subscriptionFilters": []string{"cairn"}, "logEvents": events})
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	zw.Write(msg)
	zw.Close()
	body, _ := json.Marshal(map[string]any{"requestId": requestID, "timestamp": 1763632801000,
		"records": []map[string]string{{"data": base64.StdEncoding.EncodeToString(zipped.Bytes())}}})
	return body
}

// TestServePushCloudTrailViaCloudWatchLogs: a trail that sends its events
// to CloudWatch Logs, subscribed to Firehose, reaches cairn serve's
// Firehose endpoint; its records are stored as CloudTrail events (source,
// columns, eventID) and the shipped detections alert on them, while a
// plain line of the same log group stays a log line. Pushed EKS audit
// events are evaluated too.
func TestServePushCloudTrailViaCloudWatchLogs(t *testing.T) {
	c := newCLI(t)
	pushConfig(t, c)
	srv := startServer(t, c, "serve", "--addr", "127.0.0.1:0")
	stop := `{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","principalId":"AIDAE2E","arn":"arn:aws:iam::111122223333:user/mallory",` +
		`"accountId":"111122223333","accessKeyId":"AKIAE2EEXAMPLE","userName":"mallory"},"eventTime":"2026-11-20T10:00:00Z",` +
		`"eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","awsRegion":"eu-west-1","sourceIPAddress":"203.0.113.99",` +
		`"userAgent":"aws-cli/2.15.0","requestParameters":{"name":"main"},"responseElements":null,"requestID":"e2e-r1",` +
		`"eventID":"e2e-ct-stop-1","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333"}`
	body := cwlDelivery(t, "e2e-ct-1", "aws-cloudtrail-logs-111122223333-e2e", "111122223333_CloudTrail_eu-west-1", stop, "not a record")
	if st, resp := postFirehose(t, srv.baseURL, "e2e-ct-1", body); st != 200 {
		t.Fatalf("firehose: %d %s", st, resp)
	}
	// The same record from another delivery (a second subscription, or
	// the trail's bucket) is the same event: stored once.
	again := cwlDelivery(t, "e2e-ct-2", "aws-cloudtrail-logs-111122223333-e2e-copy", "111122223333_CloudTrail_eu-west-1", stop)
	if st, resp := postFirehose(t, srv.baseURL, "e2e-ct-2", again); st != 200 || !strings.Contains(resp, "e2e-ct-2") {
		t.Fatalf("firehose: %d %s", st, resp)
	}
	exec := `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"e2e-exec-1","stage":"ResponseComplete",` +
		`"requestURI":"/api/v1/namespaces/payments/pods/web-1/exec?command=sh","verb":"create","user":{"username":"mallory"},` +
		`"sourceIPs":["203.0.113.99"],"objectRef":{"resource":"pods","subresource":"exec","namespace":"payments","name":"web-1","apiVersion":"v1"},` +
		`"responseStatus":{"metadata":{},"code":101},"requestReceivedTimestamp":"2026-11-20T10:00:05Z","stageTimestamp":"2026-11-20T10:00:05.1Z"}`
	body = cwlDelivery(t, "e2e-eks-1", "/aws/eks/e2e/cluster", "kube-apiserver-audit-1f2e", exec)
	if st, resp := postFirehose(t, srv.baseURL, "e2e-eks-1", body); st != 200 {
		t.Fatalf("firehose: %d %s", st, resp)
	}
	srv.stop(t)
	if eks := c.query(`SELECT title FROM alerts WHERE title = 'Kubernetes Exec Or Attach Into A Pod'`); len(eks) != 1 {
		t.Fatalf("no alert for a pushed pods/exec: %v", eks)
	}

	rows := c.query(`SELECT source, event_id, event_name, user_name, access_key_id, aws_region, log_group FROM events WHERE source <> 'aws.eks.audit' ORDER BY source`)
	if len(rows) != 2 {
		t.Fatalf("events: %v", rows)
	}
	ct, line := rows[0], rows[1]
	if ct["source"] != "aws.cloudtrail" || ct["event_id"] != "e2e-ct-stop-1" || ct["event_name"] != "StopLogging" ||
		ct["user_name"] != "mallory" || ct["access_key_id"] != "AKIAE2EEXAMPLE" || ct["aws_region"] != "eu-west-1" ||
		ct["log_group"] != "aws-cloudtrail-logs-111122223333-e2e" {
		t.Fatalf("CloudTrail record from CloudWatch Logs: %v", ct)
	}
	if line["source"] != "aws.cloudwatch_logs" {
		t.Fatalf("plain line: %v", line)
	}
	alerts := c.query(`SELECT title, group_key, sample_event_ids FROM alerts WHERE title LIKE '%CloudTrail%'`)
	if len(alerts) == 0 || alerts[0]["group_key"] != "111122223333|arn:aws:iam::111122223333:user/mallory" {
		t.Fatalf("no CloudTrail alert for StopLogging delivered through CloudWatch Logs: %v\n%s", alerts, srv.out.String())
	}
}
