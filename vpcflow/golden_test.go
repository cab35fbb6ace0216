package vpcflow

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/internal/golden"
)

// goldenEvent is an event as the golden files show it: the columns a flow
// record fills, under their names in the events table.
type goldenEvent struct {
	Time        string          `json:"time"`
	Source      string          `json:"source"`
	EventID     string          `json:"event_id"`
	EventName   string          `json:"event_name,omitempty"`
	EventType   string          `json:"event_type"`
	AccountID   string          `json:"account_id,omitempty"`
	Region      string          `json:"aws_region,omitempty"`
	SourceIP    string          `json:"source_ip,omitempty"`
	DstIP       string          `json:"dst_ip,omitempty"`
	SrcPort     any             `json:"src_port"`
	DstPort     any             `json:"dst_port"`
	Protocol    any             `json:"protocol"`
	Bytes       any             `json:"bytes"`
	Packets     any             `json:"packets"`
	Action      string          `json:"action,omitempty"`
	Direction   string          `json:"direction,omitempty"`
	TrafficPath any             `json:"traffic_path"`
	VPCID       string          `json:"vpc_id,omitempty"`
	SubnetID    string          `json:"subnet_id,omitempty"`
	InstanceID  string          `json:"instance_id,omitempty"`
	InterfaceID string          `json:"interface_id,omitempty"`
	LogStatus   string          `json:"log_status,omitempty"`
	StartTime   string          `json:"start_time,omitempty"`
	EndTime     string          `json:"end_time,omitempty"`
	Status      string          `json:"status,omitempty"`
	Level       string          `json:"level"`
	ClassUID    int32           `json:"class_uid"`
	ActivityID  int32           `json:"activity_id"`
	TypeUID     int32           `json:"type_uid"`
	RecordIndex int64           `json:"record_index"`
	Raw         json.RawMessage `json:"raw"`
}

func toGolden(ev *cairn.Event) goldenEvent {
	return goldenEvent{Time: golden.TS(ev.Time), Source: ev.Source, EventID: ev.EventID, EventName: ev.EventName,
		EventType: ev.EventType, AccountID: ev.AccountID, Region: ev.Region, SourceIP: ev.SourceIP, DstIP: ev.DstIP,
		SrcPort: ev.SrcPort.Value(), DstPort: ev.DstPort.Value(), Protocol: ev.Protocol.Value(), Bytes: ev.Bytes.Value(),
		Packets: ev.Packets.Value(), Action: ev.Action, Direction: ev.Direction, TrafficPath: ev.TrafficPath.Value(),
		VPCID: ev.VPCID, SubnetID: ev.SubnetID, InstanceID: ev.InstanceID, InterfaceID: ev.InterfaceID,
		LogStatus: ev.LogStatus, StartTime: golden.TS(ev.StartTime), EndTime: golden.TS(ev.EndTime), Status: ev.Status,
		Level: ev.Level, ClassUID: ev.ClassUID, ActivityID: ev.ActivityID, TypeUID: ev.TypeUID,
		RecordIndex: ev.Index, Raw: json.RawMessage(ev.Raw)}
}

// goldenRef is the object every golden case is decoded as.
var goldenRef = cairn.ObjectRef{Bucket: "logs", ETag: "e",
	Key:       "AWSLogs/123456789010/vpcflowlogs/us-east-1/2019/08/26/123456789010_vpcflowlogs_us-east-1_fl-1234abcd_20190826T1930Z_fe123456.log.gz",
	EventTime: time.Date(2019, 8, 26, 19, 35, 0, 0, time.UTC)}

func TestGolden(t *testing.T) {
	golden.Run(t, "testdata/vpcflow", func(in []byte, out cairn.Emitter) error {
		return Decoder{}.Decode(context.Background(), bytes.NewReader(in), goldenRef, out)
	}, toGolden)
}
