package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFormats(t *testing.T) {
	p := filepath.Join(t.TempDir(), "cairn.yaml")
	os.WriteFile(p, []byte(`
formats:
  - {bucket: app-logs, prefix: text/, format: application}
  - {prefix: firehose/cwl/, format: cwlogs}
queues:
  - url: https://sqs.us-east-1.amazonaws.com/123456789012/flows
    format: vpcflow
`), 0o644)
	cfg, err := Load(p, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(cfg.Formats) != 2 || cfg.Formats[0] != (Format{Bucket: "app-logs", Prefix: "text/", Format: "application"}) || cfg.Queues[0].Format != "vpcflow" {
		t.Fatalf("loaded %+v %+v", cfg.Formats, cfg.Queues)
	}
	cfg.Formats = append(cfg.Formats, Format{Bucket: "b", Format: "parquet"}, Format{Format: "cwlogs"})
	cfg.Queues[0].Format = "csv"
	err = cfg.Validate()
	for _, want := range []string{`formats[2].format: unknown format "parquet"`, "formats[3]: give a bucket or a prefix", `queues[0].format: unknown format "csv"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not say %q", err, want)
		}
	}
}
