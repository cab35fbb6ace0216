package cloudtrail

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

var update = flag.Bool("update", false, "rewrite testdata/cloudtrail/*/want.json from the decoder's output")

// goldenEvent is an event as the golden files show it: every normalized
// column under its name in the events table.
type goldenEvent struct {
	Time                string          `json:"time"`
	Source              string          `json:"source"`
	EventID             string          `json:"event_id"`
	EventName           string          `json:"event_name"`
	EventSource         string          `json:"event_source"`
	EventType           string          `json:"event_type"`
	ReadOnly            any             `json:"read_only"`
	AccountID           string          `json:"account_id"`
	Region              string          `json:"aws_region"`
	UserType            string          `json:"user_type"`
	UserARN             string          `json:"user_arn"`
	UserName            string          `json:"user_name"`
	UserPrincipalID     string          `json:"user_principal_id"`
	AccessKeyID         string          `json:"access_key_id"`
	SessionIssuerARN    string          `json:"session_issuer_arn"`
	SessionMFA          any             `json:"session_mfa"`
	InvokedBy           string          `json:"invoked_by"`
	SourceIP            string          `json:"source_ip"`
	UserAgent           string          `json:"user_agent"`
	ErrorCode           string          `json:"error_code"`
	ErrorMessage        string          `json:"error_message"`
	Status              string          `json:"status"`
	Level               string          `json:"level"`
	ClassUID            int32           `json:"class_uid"`
	ActivityID          int32           `json:"activity_id"`
	TypeUID             int32           `json:"type_uid"`
	RequestParameters   json.RawMessage `json:"request_parameters"`
	ResponseElements    json.RawMessage `json:"response_elements"`
	AdditionalEventData json.RawMessage `json:"additional_event_data"`
	Resources           json.RawMessage `json:"resources"`
	RecordIndex         int64           `json:"record_index"`
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
}

// goldenOptions is the optional options.json of a case.
type goldenOptions struct {
	MaxRecordBytes int `json:"max_record_bytes"`
}

func rawOrNil(b []byte) json.RawMessage {
	if b == nil {
		return nil
	}
	return json.RawMessage(b)
}

func toGolden(ev *cairn.Event) goldenEvent {
	return goldenEvent{
		Time: ev.Time.Format(time.RFC3339Nano), Source: ev.Source, EventID: ev.EventID,
		EventName: ev.EventName, EventSource: ev.EventSource, EventType: ev.EventType,
		ReadOnly: ev.ReadOnly.Value(), AccountID: ev.AccountID, Region: ev.Region,
		UserType: ev.UserType, UserARN: ev.UserARN, UserName: ev.UserName,
		UserPrincipalID: ev.UserPrincipalID, AccessKeyID: ev.AccessKeyID,
		SessionIssuerARN: ev.SessionIssuerARN, SessionMFA: ev.SessionMFA.Value(),
		InvokedBy: ev.InvokedBy, SourceIP: ev.SourceIP, UserAgent: ev.UserAgent,
		ErrorCode: ev.ErrorCode, ErrorMessage: ev.ErrorMessage, Status: ev.Status, Level: ev.Level,
		ClassUID: ev.ClassUID, ActivityID: ev.ActivityID, TypeUID: ev.TypeUID,
		RequestParameters: rawOrNil(ev.RequestParameters), ResponseElements: rawOrNil(ev.ResponseElements),
		AdditionalEventData: rawOrNil(ev.AdditionalEventData), Resources: rawOrNil(ev.Resources),
		RecordIndex: ev.Index,
	}
}

func render(g golden) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(g); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/cloudtrail/*")
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) < 14 {
		t.Fatalf("only %d golden cases", len(dirs))
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			input, err := os.ReadFile(filepath.Join(dir, "input.json"))
			if err != nil {
				t.Fatal(err)
			}
			var opt goldenOptions
			if b, err := os.ReadFile(filepath.Join(dir, "options.json")); err == nil {
				if err := json.Unmarshal(b, &opt); err != nil {
					t.Fatalf("options.json: %v", err)
				}
			}
			ref := cairn.ObjectRef{Bucket: "golden-bucket", Key: "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/01/" + filepath.Base(dir) + ".json.gz"}
			var c collect
			if err := (Decoder{MaxRecordBytes: opt.MaxRecordBytes}).Decode(context.Background(), bytes.NewReader(input), ref, &c); err != nil {
				t.Fatalf("Decode: %v", err)
			}
			g := golden{Events: []goldenEvent{}, Rejects: []goldenReject{}}
			for i := range c.events {
				ev := &c.events[i]
				checkEventInvariants(t, input, ev, ref)
				g.Events = append(g.Events, toGolden(ev))
			}
			for _, r := range c.rejects {
				checkRejectInvariants(t, input, r, ref)
				g.Rejects = append(g.Rejects, goldenReject{Index: r.Index, Offset: r.Offset, Reason: r.Reason, Detail: r.Detail})
			}
			got, err := render(g)
			if err != nil {
				t.Fatal(err)
			}
			wantPath := filepath.Join(dir, "want.json")
			if *update {
				if err := os.WriteFile(wantPath, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(wantPath)
			if err != nil {
				t.Fatalf("%v (run go test -run TestGolden -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s (run with -update and review the diff)\n--- got:\n%s", wantPath, got)
			}
		})
	}
}

// checkEventInvariants: an event's raw is one JSON object taken verbatim
// from the input, and its JSON columns are valid JSON.
func checkEventInvariants(t *testing.T, input []byte, ev *cairn.Event, ref cairn.ObjectRef) {
	t.Helper()
	if !bytes.Contains(input, ev.Raw) || len(ev.Raw) == 0 || ev.Raw[0] != '{' {
		t.Errorf("event %d: raw is not a verbatim object of the input: %.80q", ev.Index, ev.Raw)
	}
	if !json.Valid(ev.Raw) {
		t.Errorf("event %d: raw is not valid JSON", ev.Index)
	}
	for _, b := range [][]byte{ev.RequestParameters, ev.ResponseElements, ev.AdditionalEventData, ev.Resources} {
		if b != nil && !json.Valid(b) {
			t.Errorf("event %d: JSON column not valid: %.80q", ev.Index, b)
		}
	}
	if ev.Bucket != ref.Bucket || ev.Key != ref.Key {
		t.Errorf("event %d: provenance %q %q", ev.Index, ev.Bucket, ev.Key)
	}
	if ev.Time.Location() != time.UTC {
		t.Errorf("event %d: time not UTC", ev.Index)
	}
}

// checkRejectInvariants: a reject points at its record's first byte and
// keeps (a prefix of) its bytes.
func checkRejectInvariants(t *testing.T, input []byte, r cairn.IngestError, ref cairn.ObjectRef) {
	t.Helper()
	if r.Reason == "" || r.Detail == "" {
		t.Errorf("reject %d: empty reason or detail", r.Index)
	}
	if r.Ref != ref || r.Time.IsZero() {
		t.Errorf("reject %d: ref %v time %v", r.Index, r.Ref, r.Time)
	}
	if r.Offset < 0 || r.Offset > int64(len(input)) || !bytes.HasPrefix(input[r.Offset:], r.Raw) {
		t.Errorf("reject %d: raw is not the input at offset %d", r.Index, r.Offset)
	}
	if len(r.Raw) > rejectRawBytes {
		t.Errorf("reject %d: raw not truncated (%d bytes)", r.Index, len(r.Raw))
	}
}
