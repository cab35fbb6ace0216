package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDetectSection(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "cairn.yaml")
	os.WriteFile(p, []byte(`
detect:
  rules: [rules, /etc/cairn/sigma]
  suppression: 30m
  shipped: false
  placeholders:
    admins: [alice, bob]
`), 0o644)
	cfg, err := Load(p, false)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"CAIRN_DETECT_SUPPRESSION": "2h", "CAIRN_DETECT_ENABLED": "false"}
	if err := cfg.ApplyEnv(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	d := cfg.Detect
	if d.Rules[0] != filepath.Join(dir, "rules") || d.Rules[1] != "/etc/cairn/sigma" || d.Shipped || d.Enabled ||
		d.Suppression != 2*time.Hour || strings.Join(d.Placeholders["admins"], ",") != "alice,bob" || d.MaxGroups != 1000 {
		t.Fatalf("detect: %+v", d)
	}
	if def := Default().Detect; !def.Enabled || !def.Shipped || def.Suppression != time.Hour {
		t.Fatalf("defaults: %+v", def)
	}
	for _, bad := range []Detect{{Suppression: -time.Second}, {MaxGroups: -1}, {MaxEntries: 1 << 30}, {Rules: []string{""}}} {
		c := Default()
		c.Detect = bad
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "detect.") {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}
