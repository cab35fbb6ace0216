package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoadEnvValidate(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "cairn.yaml")
	os.WriteFile(p, []byte(`
store:
  dir: /data/cairn
collector:
  workers: 4
  visibility_timeout: 2m
  memory_budget: 64MiB
queues:
  - url: https://sqs.us-gov-west-1.amazonaws.com/123456789012/trail
    role_arn: arn:aws-us-gov:iam::123456789012:role/cairn
    external_id: xyz
`), 0o644)
	cfg, err := Load(p, false)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"CAIRN_COLLECTOR_WORKERS": "6", "CAIRN_LOG_FORMAT": "json", "CAIRN_COLLECTOR_RETRY_BACKOFF": "5s",
		"CAIRN_QUEUE_URLS": "http://127.0.0.1:1/q1, http://127.0.0.1:1/q2"}
	if err := cfg.ApplyEnv(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if cfg.Store.Dir != "/data/cairn" || cfg.Collector.Workers != 6 || cfg.Collector.VisibilityTimeout != 2*time.Minute ||
		cfg.Collector.MemoryBudget != 64<<20 || cfg.Log.Format != "json" || cfg.Collector.RetryBackoff != 5*time.Second ||
		len(cfg.Queues) != 3 || cfg.Queues[0].ExternalID != "xyz" || cfg.Collector.WaitTime != 20*time.Second {
		t.Fatalf("unexpected config %+v", cfg)
	}
}

func TestValidateErrors(t *testing.T) {
	cfg := Default()
	cfg.Collector.Workers = 0
	cfg.Collector.VisibilityTimeout = time.Second
	cfg.Log.Format = "xml"
	cfg.Queues = []Queue{{URL: "nope", ExternalID: "x"}}
	err := cfg.Validate()
	if err == nil {
		t.Fatal("invalid config accepted")
	}
	for _, want := range []string{"collector.workers", "visibility_timeout", "log.format", "queues[0].url", "external_id needs role_arn"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}

func TestUnknownKeyRefused(t *testing.T) {
	p := filepath.Join(t.TempDir(), "cairn.yaml")
	os.WriteFile(p, []byte("collector:\n  wokers: 3\n"), 0o644)
	if _, err := Load(p, false); err == nil || !strings.Contains(err.Error(), "wokers") {
		t.Fatalf("unknown key not reported: %v", err)
	}
}

func TestByteSize(t *testing.T) {
	for in, want := range map[string]ByteSize{"256MiB": 256 << 20, "1GB": 1 << 30, "512k": 512 << 10, "100": 100} {
		got, err := ParseByteSize(in)
		if err != nil || got != want {
			t.Errorf("%s: %d %v", in, got, err)
		}
	}
	if _, err := ParseByteSize("lots"); err == nil {
		t.Error("bad size accepted")
	}
}
