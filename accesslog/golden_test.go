package accesslog

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/internal/golden"
)

// goldenEvent is an event as the golden files show it.
type goldenEvent struct {
	Time            string `json:"time"`
	Source          string `json:"source"`
	EventID         string `json:"event_id"`
	EventName       string `json:"event_name,omitempty"`
	EventSource     string `json:"event_source,omitempty"`
	EventType       string `json:"event_type,omitempty"`
	ReadOnly        any    `json:"read_only"`
	UserARN         string `json:"user_arn,omitempty"`
	UserName        string `json:"user_name,omitempty"`
	UserPrincipalID string `json:"user_principal_id,omitempty"`
	SourceIP        string `json:"source_ip,omitempty"`
	SrcPort         any    `json:"src_port"`
	DstIP           string `json:"dst_ip,omitempty"`
	DstPort         any    `json:"dst_port"`
	HTTPMethod      string `json:"http_method,omitempty"`
	URL             string `json:"url,omitempty"`
	HTTPStatus      any    `json:"http_status"`
	Bytes           any    `json:"bytes"`
	UserAgent       string `json:"user_agent,omitempty"`
	TraceID         string `json:"trace_id,omitempty"`
	Action          string `json:"action,omitempty"`
	Status          string `json:"status,omitempty"`
	ErrorCode       string `json:"error_code,omitempty"`
	Level           string `json:"level,omitempty"`
	ClassUID        int32  `json:"class_uid"`
	ActivityID      int32  `json:"activity_id"`
	TypeUID         int32  `json:"type_uid"`
	RecordIndex     int64  `json:"record_index"`
}

func view(ev *cairn.Event) goldenEvent {
	return goldenEvent{Time: golden.TS(ev.Time), Source: ev.Source, EventID: ev.EventID, EventName: ev.EventName,
		EventSource: ev.EventSource, EventType: ev.EventType, ReadOnly: ev.ReadOnly.Value(), UserARN: ev.UserARN,
		UserName: ev.UserName, UserPrincipalID: ev.UserPrincipalID, SourceIP: ev.SourceIP, SrcPort: ev.SrcPort.Value(),
		DstIP: ev.DstIP, DstPort: ev.DstPort.Value(), HTTPMethod: ev.HTTPMethod, URL: ev.URL, HTTPStatus: ev.HTTPStatus.Value(),
		Bytes: ev.Bytes.Value(), UserAgent: ev.UserAgent, TraceID: ev.TraceID, Action: ev.Action, Status: ev.Status,
		ErrorCode: ev.ErrorCode, Level: ev.Level, ClassUID: ev.ClassUID, ActivityID: ev.ActivityID, TypeUID: ev.TypeUID,
		RecordIndex: ev.Index}
}

var goldenRef = cairn.ObjectRef{Bucket: "logs", ETag: "e", Key: "access/2019-02-06-00-05-00-1E2F3A4B5C6D7E8F",
	EventTime: time.Date(2019, 2, 6, 0, 5, 0, 0, time.UTC)}

func TestGoldenS3(t *testing.T) {
	golden.Run(t, "testdata/s3access", func(in []byte, out cairn.Emitter) error {
		return S3Decoder{}.Decode(context.Background(), bytes.NewReader(in), goldenRef, out)
	}, view)
}

func TestGoldenALB(t *testing.T) {
	golden.Run(t, "testdata/alb", func(in []byte, out cairn.Emitter) error {
		return ALBDecoder{}.Decode(context.Background(), bytes.NewReader(in), goldenRef, out)
	}, view)
}
