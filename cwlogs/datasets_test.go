package cwlogs

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/internal/golden"
)

const datasets = "../../shared/datasets"

// TestSharedDatasets decodes the subscription payloads of the shared
// datasets: the Lambda envelope (base64 + gzip) and the decoded messages.
func TestSharedDatasets(t *testing.T) {
	dir := filepath.Join(datasets, "firehose-cwl")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("no shared firehose-cwl datasets")
	}
	for name, want := range map[string]int{
		"aws-lambda-go_cloudwatch-logs-event.json":         2,
		"aws-lambda-go_cloudwatch-logs-event.decoded.json": 2,
		"grafana-loki_cwl-data-message-decoded.json":       3,
	} {
		in, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		var c golden.Collect
		if err := (Decoder{}).Decode(context.Background(), bytes.NewReader(in), goldenRef, &c); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(c.Events) != want || len(c.Rejects) != 0 {
			t.Errorf("%s: %d events (want %d), rejects %+v", name, len(c.Events), want, c.Rejects)
		}
	}
	// The AWS docs' two messages are a JSON array: not a Firehose delivery,
	// but each element is a message.
	in, err := os.ReadFile(filepath.Join(dir, "awsdocs_cwl_subscription_data_messages_decoded.json"))
	if err != nil {
		t.Fatal(err)
	}
	var msgs []json.RawMessage
	if err := json.Unmarshal(in, &msgs); err != nil {
		t.Fatal(err)
	}
	var c golden.Collect
	for _, m := range msgs {
		if _, err := DecodeRecord(context.Background(), m, goldenRef, &c); err != nil {
			t.Fatal(err)
		}
	}
	if len(c.Events) != 6 || c.Events[0].LogGroup != "CloudTrail/logs" || c.Events[0].AccountID != "111111111111" {
		t.Errorf("aws docs messages: %d events, first %+v", len(c.Events), c.Events[0])
	}
}

// TestPantherEKSCases normalizes each labeled EKS audit event of the
// shared datasets, as CloudWatch Logs would deliver it.
func TestPantherEKSCases(t *testing.T) {
	f, err := os.Open(filepath.Join(datasets, "eks", "eks_k8s_audit_events_from_panther_tests.jsonl"))
	if err != nil {
		t.Skip("no EKS audit cases")
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		var tc struct {
			Name  string          `json:"test_name"`
			Event json.RawMessage `json:"event"`
		}
		if err := json.Unmarshal(sc.Bytes(), &tc); err != nil {
			t.Fatal(err)
		}
		var a struct {
			Verb      string `json:"verb"`
			AuditID   string `json:"auditID"`
			User      struct{ Username string }
			SourceIPs []string `json:"sourceIPs"`
		}
		json.Unmarshal(tc.Event, &a)
		payload, _ := json.Marshal(message{MessageType: "DATA_MESSAGE", Owner: "111122223333",
			LogGroup: "/aws/eks/test/cluster", LogStream: "kube-apiserver-audit-abc",
			LogEvents: []logEvent{{ID: "1", Timestamp: 1669680544380, Message: string(tc.Event)}}})
		var c golden.Collect
		if _, err := DecodeRecord(context.Background(), payload, cairn.ObjectRef{Key: "push/1"}, &c); err != nil {
			t.Fatalf("%s: %v", tc.Name, err)
		}
		if len(c.Events) != 1 {
			t.Fatalf("%s: %d events", tc.Name, len(c.Events))
		}
		ev := c.Events[0]
		if a.AuditID == "" && a.Verb == "" {
			continue // trimmed test events without the audit fields
		}
		if ev.Source != SourceEKSAudit || !strings.HasPrefix(ev.EventName, a.Verb) || ev.UserName != a.User.Username ||
			ev.ClassUID != 6003 || ev.SourceIP != firstIP(a.SourceIPs) {
			t.Errorf("%s: source %s event_name %q user %q ip %q class %d", tc.Name, ev.Source, ev.EventName, ev.UserName, ev.SourceIP, ev.ClassUID)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no EKS case decoded")
	}
	t.Logf("%d EKS audit cases normalized", n)
}
