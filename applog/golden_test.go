package applog

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/internal/golden"
)

// goldenEvent is an event as the golden files show it: the columns an
// application log line fills, under their names in the events table.
type goldenEvent struct {
	Time        string `json:"time"`
	Source      string `json:"source"`
	EventID     string `json:"event_id"`
	Level       string `json:"level,omitempty"`
	Message     string `json:"message,omitempty"`
	Service     string `json:"service,omitempty"`
	TraceID     string `json:"trace_id,omitempty"`
	Namespace   string `json:"namespace,omitempty"`
	Pod         string `json:"pod,omitempty"`
	Container   string `json:"container,omitempty"`
	Host        string `json:"host,omitempty"`
	HTTPMethod  string `json:"http_method,omitempty"`
	URL         string `json:"url,omitempty"`
	HTTPStatus  any    `json:"http_status"`
	ClassUID    int32  `json:"class_uid"`
	TypeUID     int32  `json:"type_uid"`
	Raw         string `json:"raw"`
	RecordIndex int64  `json:"record_index"`
}

func view(ev *cairn.Event) goldenEvent {
	return goldenEvent{Time: golden.TS(ev.Time), Source: ev.Source, EventID: ev.EventID, Level: ev.Level,
		Message: ev.Message, Service: ev.Service, TraceID: ev.TraceID, Namespace: ev.Namespace, Pod: ev.Pod,
		Container: ev.Container, Host: ev.Host, HTTPMethod: ev.HTTPMethod, URL: ev.URL, HTTPStatus: ev.HTTPStatus.Value(),
		ClassUID: ev.ClassUID, TypeUID: ev.TypeUID, Raw: string(ev.Raw), RecordIndex: ev.Index}
}

// goldenRef is the object every golden case is decoded as: Fluent Bit's
// default S3 key.
var goldenRef = cairn.ObjectRef{Bucket: "logs", ETag: "e",
	Key:       "fluent-bit-logs/kube.var.log.containers.payments-api/2026/11/20/10/00/00-objectAbCdEf12",
	EventTime: time.Date(2026, 11, 20, 10, 5, 0, 0, time.UTC)}

func TestGolden(t *testing.T) {
	golden.Run(t, "testdata/applog", func(in []byte, out cairn.Emitter) error {
		return Decoder{MaxLineBytes: 2048}.Decode(context.Background(), bytes.NewReader(in), goldenRef, out)
	}, view)
}

// The same object decoded twice yields the same event IDs; another object
// with the same lines yields other IDs.
func TestEventIDsStable(t *testing.T) {
	in := []byte("same line\nsame line\n")
	ids := func(ref cairn.ObjectRef) []string {
		var c golden.Collect
		if err := (Decoder{}).Decode(context.Background(), bytes.NewReader(in), ref, &c); err != nil {
			t.Fatal(err)
		}
		return []string{c.Events[0].EventID, c.Events[1].EventID}
	}
	a, b := ids(goldenRef), ids(goldenRef)
	other := goldenRef
	other.Key += "-2"
	c := ids(other)
	if a[0] != b[0] || a[1] != b[1] || a[0] == a[1] || c[0] == a[0] {
		t.Errorf("ids %v %v %v", a, b, c)
	}
}
