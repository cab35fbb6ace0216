package route53resolver

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/internal/golden"
)

// goldenEvent is an event as the golden files show it: the columns a DNS
// query fills, under their names in the events table.
type goldenEvent struct {
	Time        string          `json:"time"`
	Source      string          `json:"source"`
	EventID     string          `json:"event_id"`
	EventName   string          `json:"event_name"`
	EventSource string          `json:"event_source"`
	EventType   string          `json:"event_type"`
	AccountID   string          `json:"account_id,omitempty"`
	Region      string          `json:"aws_region,omitempty"`
	SourceIP    string          `json:"source_ip,omitempty"`
	SrcPort     any             `json:"src_port"`
	Protocol    any             `json:"protocol"`
	Action      string          `json:"action,omitempty"`
	VPCID       string          `json:"vpc_id,omitempty"`
	InstanceID  string          `json:"instance_id,omitempty"`
	InterfaceID string          `json:"interface_id,omitempty"`
	QueryName   string          `json:"query_name"`
	QueryType   string          `json:"query_type,omitempty"`
	QueryClass  string          `json:"query_class,omitempty"`
	RCode       string          `json:"rcode,omitempty"`
	Answers     json.RawMessage `json:"answers,omitempty"`
	Status      string          `json:"status,omitempty"`
	Level       string          `json:"level"`
	ClassUID    int32           `json:"class_uid"`
	ActivityID  int32           `json:"activity_id"`
	TypeUID     int32           `json:"type_uid"`
	RecordIndex int64           `json:"record_index"`
}

func toGolden(ev *cairn.Event) goldenEvent {
	return goldenEvent{Time: golden.TS(ev.Time), Source: ev.Source, EventID: ev.EventID, EventName: ev.EventName,
		EventSource: ev.EventSource, EventType: ev.EventType, AccountID: ev.AccountID, Region: ev.Region,
		SourceIP: ev.SourceIP, SrcPort: ev.SrcPort.Value(), Protocol: ev.Protocol.Value(), Action: ev.Action,
		VPCID: ev.VPCID, InstanceID: ev.InstanceID, InterfaceID: ev.InterfaceID, QueryName: ev.QueryName,
		QueryType: ev.QueryType, QueryClass: ev.QueryClass, RCode: ev.RCode, Answers: json.RawMessage(ev.Answers),
		Status: ev.Status, Level: ev.Level, ClassUID: ev.ClassUID, ActivityID: ev.ActivityID, TypeUID: ev.TypeUID,
		RecordIndex: ev.Index}
}

// goldenRef is the object every golden case is decoded as.
var goldenRef = cairn.ObjectRef{Bucket: "logs", ETag: "e",
	Key:       "AWSLogs/111122223333/vpcdnsquerylogs/vpc-7example/2021/02/04/111122223333_vpcdnsquerylogs_vpc-7example_20210204T1750Z_1a2b3c4d.log.gz",
	EventTime: time.Date(2021, 2, 4, 17, 55, 0, 0, time.UTC)}

func TestGolden(t *testing.T) {
	golden.Run(t, "testdata/route53resolver", func(in []byte, out cairn.Emitter) error {
		return Decoder{}.Decode(context.Background(), bytes.NewReader(in), goldenRef, out)
	}, toGolden)
}
