package cloudtrail

import (
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/cairn-sec/cairn"
)

type collect struct {
	events  []cairn.Event
	rejects []cairn.IngestError
}

func (c *collect) Emit(ev *cairn.Event) error       { c.events = append(c.events, *ev); return nil }
func (c *collect) Reject(e cairn.IngestError) error { c.rejects = append(c.rejects, e); return nil }

func TestDatasetCloudTrail(t *testing.T) {
	files, _ := filepath.Glob("../../shared/datasets/cloudtrail/invictus-ir-aws_dataset/*.json.gz")
	if len(files) == 0 {
		t.Skip("datasets not present")
	}
	total := 0
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(fh)
		if err != nil {
			t.Fatal(err)
		}
		var c collect
		if err := (Decoder{}).Decode(context.Background(), zr, cairn.ObjectRef{Key: f}, &c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if len(c.rejects) > 0 {
			t.Fatalf("%s: rejects %v", f, c.rejects[0])
		}
		total += len(c.events)
		fh.Close()
	}
	if total != 2900 {
		t.Fatalf("want 2900 records, got %d", total)
	}
}
