package cwlogs

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/internal/golden"
)

// goldenEvent is an event as the golden files show it: the columns a log
// event fills, under their names in the events table.
type goldenEvent struct {
	Time            string `json:"time"`
	Source          string `json:"source"`
	EventID         string `json:"event_id"`
	EventName       string `json:"event_name,omitempty"`
	EventSource     string `json:"event_source,omitempty"`
	EventType       string `json:"event_type,omitempty"`
	ReadOnly        any    `json:"read_only"`
	AccountID       string `json:"account_id,omitempty"`
	UserName        string `json:"user_name,omitempty"`
	UserARN         string `json:"user_arn,omitempty"`
	UserPrincipalID string `json:"user_principal_id,omitempty"`
	AccessKeyID     string `json:"access_key_id,omitempty"`
	SourceIP        string `json:"source_ip,omitempty"`
	UserAgent       string `json:"user_agent,omitempty"`
	Status          string `json:"status,omitempty"`
	ErrorCode       string `json:"error_code,omitempty"`
	ErrorMessage    string `json:"error_message,omitempty"`
	HTTPStatus      any    `json:"http_status"`
	URL             string `json:"url,omitempty"`
	Level           string `json:"level,omitempty"`
	ClassUID        int32  `json:"class_uid"`
	ActivityID      int32  `json:"activity_id"`
	TypeUID         int32  `json:"type_uid"`
	Cluster         string `json:"cluster,omitempty"`
	Namespace       string `json:"namespace,omitempty"`
	Component       string `json:"component,omitempty"`
	LogGroup        string `json:"log_group,omitempty"`
	LogStream       string `json:"log_stream,omitempty"`
	Raw             string `json:"raw"`
	RecordIndex     int64  `json:"record_index"`
}

func view(ev *cairn.Event) goldenEvent {
	return goldenEvent{Time: golden.TS(ev.Time), Source: ev.Source, EventID: ev.EventID, EventName: ev.EventName,
		EventSource: ev.EventSource, EventType: ev.EventType, ReadOnly: ev.ReadOnly.Value(), AccountID: ev.AccountID,
		UserName: ev.UserName, UserARN: ev.UserARN, UserPrincipalID: ev.UserPrincipalID, AccessKeyID: ev.AccessKeyID,
		SourceIP: ev.SourceIP, UserAgent: ev.UserAgent, Status: ev.Status, ErrorCode: ev.ErrorCode,
		ErrorMessage: ev.ErrorMessage, HTTPStatus: ev.HTTPStatus.Value(), URL: ev.URL, Level: ev.Level,
		ClassUID: ev.ClassUID, ActivityID: ev.ActivityID, TypeUID: ev.TypeUID, Cluster: ev.Cluster,
		Namespace: ev.Namespace, Component: ev.Component, LogGroup: ev.LogGroup, LogStream: ev.LogStream,
		Raw: string(ev.Raw), RecordIndex: ev.Index}
}

// goldenRef is the object every golden case is decoded as: a Firehose
// delivery to S3.
var goldenRef = cairn.ObjectRef{Bucket: "logs", ETag: "e",
	Key:       "firehose/cwl/2026/11/20/10/cairn-cwl-1-2026-11-20-10-00-00-5f0c8a9e-1d2b-4c3a-9e8f-7a6b5c4d3e2f.gz",
	EventTime: time.Date(2026, 11, 20, 10, 5, 0, 0, time.UTC)}

func TestGolden(t *testing.T) {
	golden.Run(t, "testdata/cwlogs", func(in []byte, out cairn.Emitter) error {
		return Decoder{}.Decode(context.Background(), bytes.NewReader(in), goldenRef, out)
	}, view)
}
