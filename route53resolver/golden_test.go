package route53resolver

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

var update = flag.Bool("update", false, "rewrite testdata/route53resolver/*/want.json from the decoder's output")

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
		EventSource: ev.EventSource, EventType: ev.EventType, AccountID: ev.AccountID, Region: ev.Region,
		SourceIP: ev.SourceIP, SrcPort: ev.SrcPort.Value(), Protocol: ev.Protocol.Value(), Action: ev.Action,
		VPCID: ev.VPCID, InstanceID: ev.InstanceID, InterfaceID: ev.InterfaceID, QueryName: ev.QueryName,
		QueryType: ev.QueryType, QueryClass: ev.QueryClass, RCode: ev.RCode, Answers: json.RawMessage(ev.Answers),
		Status: ev.Status, Level: ev.Level, ClassUID: ev.ClassUID, ActivityID: ev.ActivityID, TypeUID: ev.TypeUID,
		RecordIndex: ev.Index}
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
	Key:       "AWSLogs/111122223333/vpcdnsquerylogs/vpc-7example/2021/02/04/111122223333_vpcdnsquerylogs_vpc-7example_20210204T1750Z_1a2b3c4d.log.gz",
	EventTime: time.Date(2021, 2, 4, 17, 55, 0, 0, time.UTC)}

func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/route53resolver/*")
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
				t.Fatalf("%v (run go test ./route53resolver -run TestGolden -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("decoder output differs from %s (run with -update and review the diff):\n%s", wantPath, got)
			}
		})
	}
}
