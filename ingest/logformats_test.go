package ingest_test

import (
	"bytes"
	"compress/gzip"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/ingest"
	"github.com/cairn-sec/cairn/simulate"
)

const (
	cwlAudit = `{"messageType":"DATA_MESSAGE","owner":"111122223333","logGroup":"/aws/eks/prod/cluster","logStream":"kube-apiserver-audit-0c5e","subscriptionFilters":["cairn"],"logEvents":[` +
		`{"id":"371","timestamp":1763632800300,"message":"{\"kind\":\"Event\",\"auditID\":\"aud-1\",\"stage\":\"ResponseComplete\",\"verb\":\"create\",\"requestURI\":\"/api/v1/namespaces/payments/pods/web/exec\",\"user\":{\"username\":\"kubernetes-admin\",\"groups\":[\"system:masters\"]},\"sourceIPs\":[\"203.0.113.10\"],\"userAgent\":\"kubectl/v1.29.3\",\"objectRef\":{\"resource\":\"pods\",\"namespace\":\"payments\",\"name\":\"web\",\"subresource\":\"exec\"},\"responseStatus\":{\"code\":201},\"requestReceivedTimestamp\":\"2026-11-20T10:00:00.123Z\"}"},` +
		`{"id":"372","timestamp":1763632800400,"message":"{\"kind\":\"Event\",\"auditID\":\"aud-2\",\"stage\":\"ResponseComplete\",\"verb\":\"get\",\"requestURI\":\"/api/v1/namespaces/kube-system/secrets/x\",\"user\":{\"username\":\"system:serviceaccount:default:builder\"},\"sourceIPs\":[\"10.0.12.7\"],\"objectRef\":{\"resource\":\"secrets\",\"namespace\":\"kube-system\",\"name\":\"x\"},\"responseStatus\":{\"code\":403,\"reason\":\"Forbidden\"},\"requestReceivedTimestamp\":\"2026-11-20T10:00:00.200Z\"}"}]}`
	cwlControl = `{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"","subscriptionFilters":[],"logEvents":[{"id":"","timestamp":1763632800000,"message":"CWL CONTROL MESSAGE: Checking health of destination Firehose."}]}`
	cwlApp     = `{"messageType":"DATA_MESSAGE","owner":"111122223333","logGroup":"/ecs/payments","logStream":"web/1","subscriptionFilters":["cairn"],"logEvents":[{"id":"381","timestamp":1763632801000,"message":"[ERROR] charge failed"}]}`
	fluentBit  = `{"date":1763632802.5,"log":"{\"level\":\"error\",\"msg\":\"charge failed\",\"trace_id\":\"t-1\"}","kubernetes":{"pod_name":"api-1","namespace_name":"payments","container_name":"api","host":"node-1","labels":{"app":"payments-api"}}}
{"date":1763632803.5,"log":"GET /healthz 200","kubernetes":{"pod_name":"api-1","namespace_name":"payments","container_name":"api","host":"node-1"}}
`
	textLog = "2026-11-20T10:00:04Z INFO worker started\n2026-11-20T10:00:05Z ERROR worker crashed\n"
)

// gzMembers compresses each part as its own gzip member, back to back, as
// Firehose writes CloudWatch Logs records to S3.
func gzMembers(parts ...string) []byte {
	var out bytes.Buffer
	for _, p := range parts {
		zw := gzip.NewWriter(&out)
		zw.Write([]byte(p))
		zw.Close()
	}
	return out.Bytes()
}

// CloudWatch Logs payloads (Firehose to S3, sniffed), application logs
// (Fluent Bit's key layout, sniffed JSON lines, and text lines by a format
// rule) and other AWS logs go through the pipeline: their columns filled,
// control messages skipped, re-delivery storing nothing twice, unsupported
// formats refused.
func TestCollectorLogFormats(t *testing.T) {
	e := newEnv(t, 2)
	e.formats = []ingest.FormatRule{{Bucket: e.w.Bucket, Prefix: "apps/text/", Kind: cairn.KindApplication}}
	now := time.Now().UTC()
	obj := func(key string, body []byte) {
		e.putBody(key, body)
		e.send(simulate.S3EventMessage(e.w.Bucket, "us-east-1", now, simulate.S3Object{Key: key, Size: int64(len(body))}))
	}
	const cwlKey = "firehose/cwl/2026/11/20/10/cairn-cwl-1-2026-11-20-10-00-00-5f0c8a9e.gz"
	obj(cwlKey, gzMembers(cwlControl, cwlAudit, cwlApp))
	obj("fluent-bit-logs/kube.payments/2026/11/20/10/00/00-objectA1", gz([]byte(fluentBit)))
	obj("exports/app/part-1.jsonl", []byte(fluentBit))            // sniffed: JSON log lines
	obj("apps/text/worker.log", []byte(textLog))                  // a format rule
	obj("exports/text/worker.log", []byte(textLog))               // text of unknown format: refused
	obj("s3-access/2026-11-20-10-00-00-ABCDEF", []byte(s3Access)) // sniffed: S3 server access log
	obj(albKey, gz([]byte(albLog)))                               // key layout: ALB
	obj("exports/parquet/part-0.parquet", []byte("PAR1\x00\x00")) // unknown bytes: refused
	s := e.collect(ingest.CollectorOptions{RetryBackoff: time.Second})

	if n := e.count(`SELECT count(*) FROM events WHERE source = 'aws.eks.audit' AND cluster = 'prod' AND class_uid = 6003`); n != 2 {
		t.Errorf("EKS audit events %d, want 2; logs:\n%s", n, e.logs.String())
	}
	if n := e.count(`SELECT count(*) FROM events WHERE event_id = 'aud-1' AND event_name = 'create pods/exec' AND user_name = 'kubernetes-admin'
		AND source_ip = '203.0.113.10' AND namespace = 'payments' AND status = 'Success' AND http_status = 201 AND log_group = '/aws/eks/prod/cluster'
		AND account_id = '111122223333' AND time = TIMESTAMP '2026-11-20 10:00:00.123' AND raw LIKE '%"groups":["system:masters"]%'`); n != 1 {
		t.Errorf("audit columns: %d rows, want 1", n)
	}
	if n := e.count(`SELECT count(*) FROM events WHERE event_id = 'aud-2' AND status = 'Failure' AND error_code = '403' AND level = 'ERROR'`); n != 1 {
		t.Errorf("forbidden audit event: %d rows, want 1", n)
	}
	if n := e.count(`SELECT count(*) FROM events WHERE source = 'aws.cloudwatch_logs' AND log_group = '/ecs/payments' AND message = '[ERROR] charge failed' AND level = 'ERROR'`); n != 1 {
		t.Errorf("generic CloudWatch Logs event: %d rows, want 1", n)
	}
	if n := e.count(`SELECT count(*) FROM events WHERE source = 'application' AND pod = 'api-1' AND namespace = 'payments' AND service = 'payments-api'
		AND trace_id = 't-1' AND message = 'charge failed' AND level = 'ERROR' AND container = 'api' AND host = 'node-1'`); n != 2 {
		t.Errorf("Fluent Bit events with lifted fields: %d, want 2 (one per object)", n)
	}
	if n := e.count(`SELECT count(*) FROM events WHERE s3_key = 'apps/text/worker.log' AND level = 'ERROR' AND message = '2026-11-20T10:00:05Z ERROR worker crashed'
		AND time = TIMESTAMP '2026-11-20 10:00:05'`); n != 1 {
		t.Errorf("text application log by rule: %d rows, want 1", n)
	}
	if n := e.count(`SELECT count(*) FROM events WHERE source = 'aws.s3access' AND event_name = 'REST.GET.VERSIONING' AND http_status = 200
		AND source_ip = '192.0.2.3' AND http_method = 'GET' AND url = '/awsexamplebucket1?versioning' AND class_uid = 6003 AND time = TIMESTAMP '2019-02-06 00:00:38'`); n != 1 {
		t.Errorf("S3 access log event: %d rows, want 1", n)
	}
	if n := e.count(`SELECT count(*) FROM events WHERE source = 'aws.alb' AND s3_key = ? AND source_ip = '192.168.131.39' AND src_port = 2817
		AND dst_ip = '10.0.0.1' AND dst_port = 80 AND http_status = 200 AND http_method = 'GET' AND class_uid = 4002 AND type_uid = 400203`, albKey); n != 1 {
		t.Errorf("ALB event: %d rows, want 1", n)
	}
	for key, want := range map[string]string{"exports/text/worker.log": "%unsupported format%", "exports/parquet/part-0.parquet": "%unsupported format%"} {
		if n := e.count(`SELECT count(*) FROM ingest_errors WHERE key = ? AND record_index = -1 AND detail LIKE ?`, key, want); n < 1 {
			t.Errorf("%s: no whole-object error like %q", key, want)
		}
	}
	if s.Deleted != 6 {
		t.Errorf("deleted %d messages, want 6 (the unsupported formats' stay for the DLQ)", s.Deleted)
	}

	// Firehose delivers the same records again in another object: nothing twice.
	before := e.count(`SELECT count(*) FROM events`)
	obj("firehose/cwl/2026/11/20/10/cairn-cwl-1-2026-11-20-10-05-00-aaaa.gz", gzMembers(cwlAudit, cwlControl, cwlApp))
	obj("fluent-bit-logs/kube.payments/2026/11/20/10/00/00-objectA1", gz([]byte(fluentBit))) // same key, new ETag
	e.collect(ingest.CollectorOptions{RetryBackoff: time.Second})
	if after := e.count(`SELECT count(*) FROM events`); after != before {
		t.Errorf("re-delivery stored %d more events", after-before)
	}
}

const s3Access = `79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be awsexamplebucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 3E57427F3EXAMPLE REST.GET.VERSIONING - "GET /awsexamplebucket1?versioning HTTP/1.1" 200 - 113 - 7 - "-" "S3Console/0.4" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader awsexamplebucket1.s3.us-west-1.amazonaws.com TLSV1.2 arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP Yes
`

const (
	albKey = "AWSLogs/123456789012/elasticloadbalancing/us-east-2/2018/07/02/123456789012_elasticloadbalancing_us-east-2_app.my-loadbalancer.50dc6c495c0c9188_20180702T2225Z_192.0.2.1_abcd1234.log.gz"
	albLog = `http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2018-07-02T22:22:48.364000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-"
`
)
