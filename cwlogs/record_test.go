package cwlogs

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/internal/golden"
)

func gz(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestDecodeRecord decodes Firehose record data as the push endpoints
// receive it: gzip as CloudWatch Logs sends it, or plain JSON.
func TestDecodeRecord(t *testing.T) {
	msg := []byte(`{"messageType":"DATA_MESSAGE","owner":"111122223333","logGroup":"/aws/eks/c1/cluster","logStream":"kube-apiserver-audit-1",` +
		`"subscriptionFilters":["f"],"logEvents":[{"id":"9","timestamp":1700000000000,"message":"{\"auditID\":\"a-1\",\"verb\":\"get\",\"stage\":\"ResponseComplete\",\"objectRef\":{\"resource\":\"secrets\",\"namespace\":\"ns\"},\"responseStatus\":{\"code\":200},\"user\":{\"username\":\"bob\"},\"sourceIPs\":[\"10.1.2.3\"]}"}]}`)
	ctl := []byte(`{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"","subscriptionFilters":[],"logEvents":[]}`)
	ref := cairn.ObjectRef{Key: "firehose/req-1/0"}
	for name, data := range map[string][]byte{"gzip": gz(t, msg), "plain": msg} {
		var c golden.Collect
		n, err := DecodeRecord(context.Background(), data, ref, &c)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if n.Messages != 1 || n.Events != 1 || len(c.Events) != 1 {
			t.Fatalf("%s: counts %+v, %d events", name, n, len(c.Events))
		}
		ev := c.Events[0]
		if ev.Source != SourceEKSAudit || ev.EventID != "a-1" || ev.EventName != "get secrets" || ev.Cluster != "c1" ||
			ev.Namespace != "ns" || ev.UserName != "bob" || ev.SourceIP != "10.1.2.3" || ev.Key != ref.Key {
			t.Errorf("%s: %+v", name, ev)
		}
	}
	var c golden.Collect
	n, err := DecodeRecord(context.Background(), gz(t, ctl), ref, &c)
	if err != nil || n.Control != 1 || len(c.Events) != 0 {
		t.Errorf("control message: %+v %v %d events", n, err, len(c.Events))
	}
	for name, data := range map[string][]byte{"text": []byte("hello"), "truncated gzip": gz(t, msg)[:40], "other json": []byte(`{"a":1}`)} {
		if _, err := DecodeRecord(context.Background(), data, ref, &c); !errors.Is(err, cairn.ErrCorrupt) {
			t.Errorf("%s: error %v, want corrupt", name, err)
		}
	}
}

// TestMessageTooLarge checks that one huge value is refused, not held.
func TestMessageTooLarge(t *testing.T) {
	big := append([]byte(`{"messageType":"DATA_MESSAGE","logEvents":[{"message":"`), bytes.Repeat([]byte("x"), 200_000)...)
	var c golden.Collect
	err := Decoder{MaxMessageBytes: 100_000}.Decode(context.Background(), bytes.NewReader(big), cairn.ObjectRef{}, &c)
	if !errors.Is(err, cairn.ErrCorrupt) {
		t.Fatalf("error %v, want corrupt", err)
	}
}

// A bad message among good ones is quarantined with its bytes as
// received; the messages around it are stored.
func TestBadMessageQuarantined(t *testing.T) {
	good := `{"messageType":"DATA_MESSAGE","owner":"1","logGroup":"g","logStream":"s","logEvents":[{"id":"1","timestamp":1700000000000,"message":"a"}]}`
	bad := `{"messageType":"DATA_MESSAGE","logGroup":"g","logEvents":[{"id":"2","timestamp":"soon","message":"b"}]}`
	good2 := strings.Replace(good, `"id":"1"`, `"id":"3"`, 1)
	in := good + "\n" + bad + "\n" + good2 + "\n{broken"
	var c golden.Collect
	if err := (Decoder{}).Decode(context.Background(), strings.NewReader(in), cairn.ObjectRef{Key: "k"}, &c); err != nil {
		t.Fatal(err)
	}
	if len(c.Events) != 2 || c.Events[0].EventID != "cwl:g:1" || c.Events[1].EventID != "cwl:g:3" {
		t.Fatalf("events %+v", c.Events)
	}
	if len(c.Rejects) != 2 || string(c.Rejects[0].Raw) != bad || !strings.Contains(c.Rejects[0].Detail, "timestamp") ||
		string(c.Rejects[1].Raw) != "{broken" || c.Rejects[0].Index == c.Rejects[1].Index {
		t.Fatalf("rejects %+v", c.Rejects)
	}
}
