package cwlogs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/cairn-sec/cairn/internal/benchrate"
)

// BenchmarkDecode measures log events decoded per second: EKS audit
// events (each a JSON document to normalize) and generic log lines, in
// messages of 100 events.
func BenchmarkDecode(b *testing.B) {
	build := func(group, stream string, msg func(i int) string) []byte {
		var buf bytes.Buffer
		for m := 0; m < 50; m++ {
			evs := make([]logEvent, 100)
			for i := range evs {
				evs[i] = logEvent{ID: fmt.Sprintf("%056d", m*100+i), Timestamp: 1763632800000 + int64(i), Message: msg(m*100 + i)}
			}
			j, _ := json.Marshal(message{MessageType: "DATA_MESSAGE", Owner: "111122223333", LogGroup: group, LogStream: stream, LogEvents: evs})
			buf.Write(j)
		}
		return buf.Bytes()
	}
	cases := map[string][]byte{
		"eks_audit": build("/aws/eks/prod/cluster", "kube-apiserver-audit-1", func(i int) string {
			return fmt.Sprintf(`{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"%08d-0a8e-4f0b-9b3e-1d2c3b4a5f60","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/payments/pods/web-%d","verb":"get","user":{"username":"system:serviceaccount:kube-system:coredns","groups":["system:serviceaccounts","system:authenticated"]},"sourceIPs":["10.0.%d.7"],"userAgent":"coredns/v1.11.1 (linux/amd64) kubernetes/$Format","objectRef":{"resource":"pods","namespace":"payments","name":"web-%d","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":"2026-11-20T10:00:00.123456Z","stageTimestamp":"2026-11-20T10:00:00.125000Z","annotations":{"authorization.k8s.io/decision":"allow"}}`, i, i, i%250, i)
		}),
		"cloudtrail": build("aws-cloudtrail-logs-111122223333-0a1b2c3d", "111122223333_CloudTrail_us-east-1", func(i int) string {
			return fmt.Sprintf(`{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:s%d","arn":"arn:aws:sts::111122223333:assumed-role/App/s%d","accountId":"111122223333","accessKeyId":"ASIAEXAMPLE%05d","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLE","arn":"arn:aws:iam::111122223333:role/App","accountId":"111122223333","userName":"App"},"attributes":{"creationDate":"2026-11-20T09:00:00Z","mfaAuthenticated":"false"}}},"eventTime":"2026-11-20T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"10.0.%d.7","userAgent":"aws-sdk-go-v2/1.30.0","requestParameters":{"bucketName":"data","key":"k/%d"},"responseElements":null,"requestID":"R%08d","eventID":"%08d-1b2d-4c5e-8f90-a1b2c3d4e5f6","readOnly":true,"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"111122223333","eventCategory":"Data"}`, i, i, i, i%250, i, i, i)
		}),
		"generic": build("/ecs/payments", "web/1", func(i int) string {
			return fmt.Sprintf("2026-11-20T10:00:00Z INFO request %d served in 12ms path=/v1/charges status=200", i)
		}),
	}
	benchrate.Run(b, goldenRef, Decoder{}.Decode, cases)
}
