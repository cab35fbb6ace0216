package cloudtrail

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
)

type collect struct {
	events  []cairn.Event
	rejects []cairn.IngestError
}

func (c *collect) Emit(ev *cairn.Event) error       { c.events = append(c.events, *ev); return nil }
func (c *collect) Reject(e cairn.IngestError) error { c.rejects = append(c.rejects, e); return nil }

// datasets is the shared, read-only dataset folder; tests skip without it.
const datasets = "../../shared/datasets/cloudtrail/"

func openGzip(t *testing.T, path string) io.Reader {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fh.Close() })
	zr, err := gzip.NewReader(fh)
	if err != nil {
		t.Fatal(err)
	}
	return zr
}

// TestDatasetCloudTrail decodes real log files as delivered to S3.
func TestDatasetCloudTrail(t *testing.T) {
	files, _ := filepath.Glob(datasets + "invictus-ir-aws_dataset/*.json.gz")
	if len(files) == 0 {
		t.Skip("datasets not present")
	}
	total, errorCodes := 0, 0
	types := map[string]int{}
	for _, f := range files {
		var c collect
		if err := (Decoder{}).Decode(context.Background(), openGzip(t, f), cairn.ObjectRef{Key: f}, &c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if len(c.rejects) > 0 {
			t.Fatalf("%s: rejects %v", f, c.rejects[0])
		}
		for i := range c.events {
			ev := &c.events[i]
			if ev.Index != int64(i) || ev.EventName == "" || ev.EventID == "" || ev.Time.Year() != 2023 || !json.Valid(ev.Raw) {
				t.Fatalf("%s record %d: bad event %+v", f, i, ev)
			}
			if ev.UserType != "" && ev.UserType != "AWSService" && ev.UserName == "" {
				t.Errorf("%s record %d: %s without user_name", f, i, ev.UserType)
			}
			if (ev.ErrorCode != "") != (ev.Status == "Failure") && ev.EventName != "ConsoleLogin" {
				t.Errorf("%s record %d: status %s with errorCode %q", f, i, ev.Status, ev.ErrorCode)
			}
			types[ev.UserType]++
			if ev.ErrorCode != "" {
				errorCodes++
			}
		}
		total += len(c.events)
	}
	if total != 2900 {
		t.Fatalf("want 2900 records, got %d", total)
	}
	// Counts from SOURCES.md.
	want := map[string]int{"IAMUser": 2748, "AssumedRole": 76, "AWSService": 34, "": 42}
	for k, n := range want {
		if types[k] != n {
			t.Errorf("user_type %q: %d records, want %d", k, types[k], n)
		}
	}
	if errorCodes != 300 {
		t.Errorf("%d records with error_code, want 300", errorCodes)
	}
}

// TestDatasetLoki decodes a byte-identical CloudTrail file from grafana/loki.
func TestDatasetLoki(t *testing.T) {
	f := datasets + "grafana-loki/cloudtrail-log-file.json.gz"
	if _, err := os.Stat(f); err != nil {
		t.Skip("datasets not present")
	}
	var c collect
	if err := (Decoder{}).Decode(context.Background(), openGzip(t, f), cairn.ObjectRef{Key: f}, &c); err != nil {
		t.Fatal(err)
	}
	if len(c.events) != 2 || len(c.rejects) != 0 {
		t.Fatalf("events %d rejects %d", len(c.events), len(c.rejects))
	}
	if ev := c.events[0]; ev.UserType != "AWSService" || ev.UserName != "ec2.amazonaws.com" || ev.InvokedBy != "ec2.amazonaws.com" {
		t.Errorf("first event: %+v", ev)
	}
}

// docExample is one line of aws_docs_cloudtrail_examples.jsonl.
type docExample struct {
	Path   string          `json:"github_path"`
	Record json.RawMessage `json:"record"`
}

// docRecord holds what the test checks against, read with encoding/json.
type docRecord struct {
	EventTime    string `json:"eventTime"`
	EventName    string `json:"eventName"`
	ErrorCode    string `json:"errorCode"`
	UserIdentity *struct {
		Type           string `json:"type"`
		ARN            string `json:"arn"`
		UserName       string `json:"userName"`
		InvokedBy      string `json:"invokedBy"`
		SessionContext struct {
			SessionIssuer struct {
				UserName string `json:"userName"`
			} `json:"sessionIssuer"`
		} `json:"sessionContext"`
		OnBehalfOf struct {
			UserID string `json:"userId"`
		} `json:"onBehalfOf"`
	} `json:"userIdentity"`
	ResponseElements struct {
		ConsoleLogin string `json:"ConsoleLogin"`
	} `json:"responseElements"`
	InsightDetails struct {
		EventName string `json:"eventName"`
	} `json:"insightDetails"`
}

// TestDatasetDocExamples: every record from the AWS documentation, wrapped
// in a log file, normalizes, with the user columns CloudTrail's semantics
// give for its identity type.
func TestDatasetDocExamples(t *testing.T) {
	f, err := os.Open(datasets + "aws-docs-examples/aws_docs_cloudtrail_examples.jsonl")
	if err != nil {
		t.Skip("datasets not present")
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	n, fragments := 0, 0
	seen := map[string]bool{}
	for sc.Scan() {
		n++
		var ex docExample
		if err := json.Unmarshal(sc.Bytes(), &ex); err != nil {
			t.Fatalf("line %d: %v", n, err)
		}
		var want docRecord
		if err := json.Unmarshal(ex.Record, &want); err != nil {
			t.Fatalf("line %d: %v", n, err)
		}
		file := append(append([]byte(`{"Records":[`), ex.Record...), "]}"...)
		var c collect
		if err := (Decoder{}).Decode(context.Background(), bytes.NewReader(file), cairn.ObjectRef{Key: ex.Path}, &c); err != nil {
			t.Fatalf("line %d: %v", n, err)
		}
		if want.EventTime == "" {
			// A userIdentity snippet, not a whole record: rejected.
			fragments++
			if len(c.rejects) != 1 || c.rejects[0].Detail != "record has no eventTime" {
				t.Errorf("line %d: fragment not rejected: %+v", n, c.rejects)
			}
			continue
		}
		if len(c.events) != 1 {
			t.Errorf("line %d (%s): not normalized: %+v", n, ex.Path, c.rejects)
			continue
		}
		ev := c.events[0]
		wantName := want.EventName
		if wantName == "" {
			wantName = want.InsightDetails.EventName
		}
		if ev.EventName != wantName {
			t.Errorf("line %d: event_name %q want %q", n, ev.EventName, wantName)
		}
		if want.ResponseElements.ConsoleLogin != "" && ev.Status != want.ResponseElements.ConsoleLogin {
			t.Errorf("line %d: ConsoleLogin %s but status %s", n, want.ResponseElements.ConsoleLogin, ev.Status)
		}
		if (ev.Status == "Failure") != (ev.Level == "ERROR") {
			t.Errorf("line %d: status %s level %s", n, ev.Status, ev.Level)
		}
		u := want.UserIdentity
		if u == nil {
			if ev.UserType != "" || ev.UserName != "" {
				t.Errorf("line %d: no userIdentity but user %q %q", n, ev.UserType, ev.UserName)
			}
			continue
		}
		seen[u.Type] = true
		if ev.UserType != u.Type {
			t.Errorf("line %d: user_type %q want %q", n, ev.UserType, u.Type)
		}
		var wantUser string
		switch u.Type {
		case "Root":
			wantUser = "root"
		case "IAMUser", "SAMLUser", "WebIdentityUser", "Unknown", "Directory":
			wantUser = u.UserName
		case "AssumedRole", "FederatedUser":
			wantUser = u.SessionContext.SessionIssuer.UserName
		case "AWSService":
			wantUser = u.InvokedBy
		case "IdentityCenterUser":
			wantUser = u.OnBehalfOf.UserID
		case "AWSAccount", "":
			wantUser = "" // another account, or AWS itself: no name
		default:
			t.Errorf("line %d: unexpected identity type %q", n, u.Type)
		}
		if ev.UserName != wantUser {
			t.Errorf("line %d: %s user_name %q want %q", n, u.Type, ev.UserName, wantUser)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 35 || fragments != 2 {
		t.Errorf("%d examples, %d fragments", n, fragments)
	}
	for _, typ := range []string{"Root", "IAMUser", "AssumedRole", "AWSAccount", "SAMLUser", "WebIdentityUser"} {
		if !seen[typ] {
			t.Errorf("no %s example seen", typ)
		}
	}
}

// TestDatasetOTRF: records exported through Logstash, one JSON per line.
// The export replaced eventTime by "@timestamp" and added "@version";
// Normalize reads CloudTrail's own format and rejects them as they are (no
// eventTime). With eventTime restored they normalize, extra fields ignored.
func TestDatasetOTRF(t *testing.T) {
	files, _ := filepath.Glob(datasets + "otrf-security-datasets/*.jsonl.gz")
	if len(files) == 0 {
		t.Skip("datasets not present")
	}
	n := 0
	types := map[string]int{}
	for _, f := range files {
		sc := bufio.NewScanner(openGzip(t, f))
		sc.Buffer(nil, 4<<20)
		for sc.Scan() {
			line := bytes.TrimSpace(sc.Bytes())
			if len(line) == 0 {
				continue
			}
			n++
			var ev cairn.Event
			if err := Normalize(line, &ev); err == nil || err.Error() != "record has no eventTime" {
				t.Fatalf("line %d: as exported: %v", n, err)
			}
			var meta struct {
				Timestamp string `json:"@timestamp"`
				Type      string `json:"type"`
				Identity  struct {
					Type string `json:"type"`
				} `json:"userIdentity"`
			}
			if err := json.Unmarshal(line, &meta); err != nil {
				t.Fatal(err)
			}
			fixed := bytes.Replace(line, []byte(`"@timestamp":`), []byte(`"eventTime":`), 1)
			if err := Normalize(fixed, &ev); err != nil {
				t.Fatalf("line %d: %v", n, err)
			}
			wantTime, _ := time.Parse(time.RFC3339Nano, meta.Timestamp)
			if !ev.Time.Equal(wantTime) || ev.UserType != meta.Identity.Type || ev.UserName == "" || ev.EventName == "" {
				t.Errorf("line %d: time %v user %q %q event %q", n, ev.Time, ev.UserType, ev.UserName, ev.EventName)
			}
			if !strings.Contains(string(ev.Raw), "@version") {
				t.Errorf("line %d: raw not kept whole", n)
			}
			types[ev.UserType]++
		}
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	if n != 103 || types["IAMUser"] != 87 || types["AssumedRole"] != 11 || types["AWSService"] != 5 {
		t.Errorf("%d records, types %v", n, types)
	}
}

// TestNormalizeRefusesZeroTime: an eventTime of 0001-01-01T00:00:00Z, by
// the fast path or by RFC 3339, is refused, since Cairn reads the zero time
// as "no time".
func TestNormalizeRefusesZeroTime(t *testing.T) {
	for _, ts := range []string{"0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000Z", "0001-01-01T01:00:00+01:00"} {
		var ev cairn.Event
		err := Normalize([]byte(`{"eventVersion":"1.08","eventTime":"`+ts+`","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventID":"x"}`), &ev)
		if err == nil || !strings.Contains(err.Error(), "zero time") {
			t.Errorf("eventTime %s: err = %v, want the zero time refused", ts, err)
		}
	}
}
