package vpcflow

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cairn-sec/cairn/internal/golden"
)

const datasets = "../../shared/datasets"

// TestSharedDatasets decodes every flow log of the shared datasets without
// a rejected record.
func TestSharedDatasets(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(datasets, "vpcflow", "*.log"))
	if len(files) == 0 {
		t.Skip("no shared vpcflow datasets")
	}
	for _, f := range files {
		in, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c golden.Collect
		if err := (Decoder{}).Decode(context.Background(), bytes.NewReader(in), goldenRef, &c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		lines := bytes.Count(bytes.TrimSpace(in), []byte("\n"))
		if len(c.Rejects) != 0 || len(c.Events) != lines {
			t.Errorf("%s: %d events, %d rejects, want %d events", f, len(c.Events), len(c.Rejects), lines)
		}
		for _, ev := range c.Events {
			if !json.Valid(ev.Raw) || ev.EventID == "" || ev.ClassUID != 4001 {
				t.Errorf("%s: record %d: bad event %+v", f, ev.Index, ev)
			}
		}
	}
}

// pantherNames maps Panther's AWS.VPCFlow columns to flow log fields.
var pantherNames = map[string]string{
	"version": "version", "account": "account-id", "interfaceId": "interface-id", "srcAddr": "srcaddr",
	"dstAddr": "dstaddr", "srcPort": "srcport", "dstPort": "dstport", "protocol": "protocol",
	"packets": "packets", "bytes": "bytes", "start": "start", "end": "end", "action": "action",
	"status": "log-status", "vpcId": "vpc-id", "subNetId": "subnet-id", "instanceId": "instance-id",
	"region": "region", "flowDirection": "flow-direction", "trafficPath": "traffic-path",
}

// TestPantherCases renders each labeled Panther AWS.VPCFlow test log as a
// flow log file (header of the fields it has, one record) and checks that
// it decodes with the values it names.
func TestPantherCases(t *testing.T) {
	f, err := os.Open(filepath.Join(datasets, "panther", "panther_AWS.VPCFlow_tests.jsonl"))
	if err != nil {
		t.Skip("no Panther cases")
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		var tc struct {
			Name string         `json:"test_name"`
			Log  map[string]any `json:"log"`
		}
		if err := json.Unmarshal(sc.Bytes(), &tc); err != nil {
			t.Fatal(err)
		}
		var names, vals []string
		for k, v := range tc.Log {
			if name, ok := pantherNames[k]; ok {
				names = append(names, name)
				vals = append(vals, strings.ReplaceAll(fmt.Sprint(v), " ", "_"))
			}
		}
		if len(names) < 2 {
			continue
		}
		in := strings.Join(names, " ") + "\n" + strings.Join(vals, " ") + "\n"
		var c golden.Collect
		if err := (Decoder{}).Decode(context.Background(), strings.NewReader(in), goldenRef, &c); err != nil {
			t.Fatalf("%s: %v\n%s", tc.Name, err, in)
		}
		if len(c.Events) != 1 {
			t.Fatalf("%s: %d events, rejects %+v\n%s", tc.Name, len(c.Events), c.Rejects, in)
		}
		ev := c.Events[0]
		if a, ok := tc.Log["srcAddr"]; ok && ev.SourceIP != a {
			t.Errorf("%s: source_ip %q, want %v", tc.Name, ev.SourceIP, a)
		}
		if p, ok := tc.Log["dstPort"].(float64); ok && (!ev.DstPort.Valid || ev.DstPort.V != int64(p)) {
			t.Errorf("%s: dst_port %+v, want %v", tc.Name, ev.DstPort, p)
		}
		if s, ok := tc.Log["status"]; ok && ev.LogStatus != s {
			t.Errorf("%s: log_status %q, want %v", tc.Name, ev.LogStatus, s)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no Panther case decoded")
	}
}
