package vpcflow

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
)

var update = flag.Bool("update", false, "rewrite testdata/vpcflow/*/want.json from the decoder's output")

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

type goldenReject struct {
	Index  int64  `json:"index"`
	Offset int64  `json:"offset"`
	Reason string `json:"reason"`
	Detail string `json:"detail"`
}

type golden struct {
	Events  []goldenEvent  `json:"events"`
	Rejects []goldenReject `json:"rejects"`
	Error   string         `json:"error,omitempty"`
}

func ts(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func toGolden(ev *cairn.Event) goldenEvent {
	return goldenEvent{Time: ts(ev.Time), Source: ev.Source, EventID: ev.EventID, EventName: ev.EventName,
		EventType: ev.EventType, AccountID: ev.AccountID, Region: ev.Region, SourceIP: ev.SourceIP, DstIP: ev.DstIP,
		SrcPort: ev.SrcPort.Value(), DstPort: ev.DstPort.Value(), Protocol: ev.Protocol.Value(), Bytes: ev.Bytes.Value(),
		Packets: ev.Packets.Value(), Action: ev.Action, Direction: ev.Direction, TrafficPath: ev.TrafficPath.Value(),
		VPCID: ev.VPCID, SubnetID: ev.SubnetID, InstanceID: ev.InstanceID, InterfaceID: ev.InterfaceID,
		LogStatus: ev.LogStatus, StartTime: ts(ev.StartTime), EndTime: ts(ev.EndTime), Status: ev.Status,
		Level: ev.Level, ClassUID: ev.ClassUID, ActivityID: ev.ActivityID, TypeUID: ev.TypeUID,
		RecordIndex: ev.Index, Raw: json.RawMessage(ev.Raw)}
}

// collect is an Emitter that keeps everything.
type collect struct {
	events  []cairn.Event
	rejects []cairn.IngestError
}

func (c *collect) Emit(ev *cairn.Event) error       { c.events = append(c.events, *ev); return nil }
func (c *collect) Reject(e cairn.IngestError) error { c.rejects = append(c.rejects, e); return nil }

// goldenRef is the object every golden case is decoded as.
var goldenRef = cairn.ObjectRef{Bucket: "logs", ETag: "e",
	Key:       "AWSLogs/123456789010/vpcflowlogs/us-east-1/2019/08/26/123456789010_vpcflowlogs_us-east-1_fl-1234abcd_20190826T1930Z_fe123456.log.gz",
	EventTime: time.Date(2019, 8, 26, 19, 35, 0, 0, time.UTC)}

func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/vpcflow/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join(dir, "input"))
			if err != nil {
				t.Fatal(err)
			}
			var c collect
			g := golden{Events: []goldenEvent{}, Rejects: []goldenReject{}}
			if err := (Decoder{}).Decode(context.Background(), bytes.NewReader(in), goldenRef, &c); err != nil {
				g.Error = err.Error()
			}
			for i := range c.events {
				g.Events = append(g.Events, toGolden(&c.events[i]))
			}
			for _, r := range c.rejects {
				g.Rejects = append(g.Rejects, goldenReject{Index: r.Index, Offset: r.Offset, Reason: r.Reason, Detail: r.Detail})
			}
			got, err := json.MarshalIndent(g, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			wantPath := filepath.Join(dir, "want.json")
			if *update {
				if err := os.WriteFile(wantPath, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(wantPath)
			if err != nil {
				t.Fatalf("%v (run go test ./vpcflow -run TestGolden -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("decoder output differs from %s (run with -update and review the diff):\n%s", wantPath, got)
			}
		})
	}
}
