package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestAlertsConfig(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "cairn.yaml")
	os.WriteFile(p, []byte(`
ioc:
  lists:
    - {name: feed, path: iocs/feed.txt}
    - {path: /abs/cti.json, format: stix, severity: critical}
  reload: 1m
outputs:
  - {name: soc, type: webhook, url: "https://soc.example/hook?k=1", secret_env: HOOK_SECRET, min_severity: high, resend_after: 6h}
  - {type: slack, url: "https://hooks.slack.com/services/T/B/X"}
  - {type: log}
`), 0o644)
	cfg, err := Load(p, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.ApplyEnv(func(k string) string { return map[string]string{"CAIRN_ALERT_DELIVERY_POLL": "2s"}[k] }); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if cfg.IOC.Lists[0].Path != filepath.Join(dir, "iocs/feed.txt") || cfg.IOC.Lists[1].Path != "/abs/cti.json" ||
		cfg.IOC.Lists[1].ListName() != "cti.json" || cfg.IOC.Reload != time.Minute || cfg.IOC.Suppression != 0 {
		t.Errorf("ioc %+v", cfg.IOC)
	}
	if cfg.Outputs[0].ResendAfter != 6*time.Hour || cfg.Outputs[1].OutputName() != "slack" || cfg.AlertDelivery.Poll != 2*time.Second ||
		cfg.AlertDelivery.MaxBackoff != 30*time.Minute {
		t.Errorf("outputs %+v, delivery %+v", cfg.Outputs, cfg.AlertDelivery)
	}

	for _, tc := range []struct {
		mutate func(*Config)
		want   string
	}{
		{func(c *Config) { c.Outputs = []Output{{Type: "email"}} }, "want webhook, slack or log"},
		{func(c *Config) { c.Outputs = []Output{{Type: "webhook", URL: "ftp://x/?secret=1"}} }, "outputs[0].url: want an http(s) URL"},
		{func(c *Config) { c.Outputs = []Output{{Type: "log"}, {Type: "log"}} }, "used twice"},
		{func(c *Config) { c.Outputs = []Output{{Type: "slack", URL: "https://x", Secret: "s"}} }, "secret is for webhook"},
		{func(c *Config) { c.Outputs = []Output{{Type: "log", MinSeverity: "urgent"}} }, "min_severity \"urgent\""},
		{func(c *Config) { c.IOC.Lists = []IOCList{{Path: "a", Format: "xml"}} }, "format \"xml\""},
		{func(c *Config) { c.IOC.Lists = []IOCList{{Name: ""}} }, "path is empty"},
		{func(c *Config) { c.IOC.Lists = []IOCList{{Path: "x/a"}, {Path: "y/a"}} }, "name \"a\" is used twice"},
	} {
		c := Default()
		tc.mutate(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want %q", err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "secret=1") {
			t.Errorf("error echoes a URL: %v", err)
		}
	}
}
