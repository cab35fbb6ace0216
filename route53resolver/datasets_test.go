package route53resolver

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/cairn-sec/cairn/internal/golden"
)

const datasets = "../../shared/datasets"

// TestSharedDatasets decodes every query log of the shared datasets
// without a rejected record.
func TestSharedDatasets(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(datasets, "route53resolver", "*.jsonl"))
	if len(files) == 0 {
		t.Skip("no shared route53resolver datasets")
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
		if len(c.Rejects) != 0 || len(c.Events) == 0 {
			t.Errorf("%s: %d events, rejects %+v", f, len(c.Events), c.Rejects)
		}
	}
}

// TestPantherCases decodes the log of each labeled Panther AWS.VPCDns test
// case (without Panther's p_ columns) as a one-line query log.
func TestPantherCases(t *testing.T) {
	f, err := os.Open(filepath.Join(datasets, "panther", "panther_AWS.VPCDns_tests.jsonl"))
	if err != nil {
		t.Skip("no Panther cases")
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		var tc struct {
			Name string                     `json:"test_name"`
			Log  map[string]json.RawMessage `json:"log"`
		}
		if err := json.Unmarshal(sc.Bytes(), &tc); err != nil {
			t.Fatal(err)
		}
		for k := range tc.Log {
			if len(k) > 2 && k[:2] == "p_" {
				delete(tc.Log, k)
			}
		}
		line, _ := json.Marshal(tc.Log)
		var c golden.Collect
		if err := (Decoder{}).Decode(context.Background(), bytes.NewReader(line), goldenRef, &c); err != nil {
			t.Fatalf("%s: %v", tc.Name, err)
		}
		if len(c.Events) != 1 {
			t.Fatalf("%s: rejected: %+v", tc.Name, c.Rejects)
		}
		var want string
		json.Unmarshal(tc.Log["query_name"], &want)
		if ev := c.Events[0]; ev.QueryName != want || ev.ClassUID != 4003 || (ev.Answers != nil && !json.Valid(ev.Answers)) {
			t.Errorf("%s: %+v", tc.Name, ev)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no Panther case decoded")
	}
}
