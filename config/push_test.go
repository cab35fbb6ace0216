package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPushConfig(t *testing.T) {
	cfg := Default()
	if cfg.API.Push.Enabled() || cfg.API.Push.Firehose.MaxBody != 64<<20 || cfg.API.Push.Firehose.MaxRecords != 10000 {
		t.Fatalf("defaults %+v", cfg.API.Push)
	}
	p := filepath.Join(t.TempDir(), "cairn.yaml")
	os.WriteFile(p, []byte(`
api:
  push:
    firehose:
      access_keys:
        - name: eks
          sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
        - name: env
          env: FIREHOSE_KEY
      max_body: 8MiB
    logs:
      tokens:
        - name: fwd
          env: FWD_TOKEN
`), 0o644)
	cfg, err := Load(p, false)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"CAIRN_API_PUSH_LOGS_MAX_ENTRIES": "50"}
	if err := cfg.ApplyEnv(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	f := cfg.API.Push.Firehose
	if !cfg.API.Push.Enabled() || len(f.AccessKeys) != 2 || f.AccessKeys[1].Env != "FIREHOSE_KEY" || f.MaxBody != 8<<20 ||
		f.MaxDecoded != 256<<20 || cfg.API.Push.Logs.MaxEntries != 50 {
		t.Fatalf("%+v", cfg.API.Push)
	}
}

func TestPushValidate(t *testing.T) {
	hash := strings.Repeat("ab", 32)
	for _, c := range []struct {
		name string
		edit func(*Push)
		want string
	}{
		{"no name", func(p *Push) { p.Firehose.AccessKeys = []PushSecret{{SHA256: hash}} }, "access_keys[0].name is empty"},
		{"twice", func(p *Push) { p.Logs.Tokens = []PushSecret{{Name: "a", SHA256: hash}, {Name: "a", Env: "X"}} }, `tokens[1].name "a" is used twice`},
		{"both", func(p *Push) { p.Logs.Tokens = []PushSecret{{Name: "a", SHA256: hash, Env: "X"}} }, "not both"},
		{"neither", func(p *Push) { p.Logs.Tokens = []PushSecret{{Name: "a"}} }, "give sha256"},
		{"plain secret", func(p *Push) { p.Firehose.AccessKeys = []PushSecret{{Name: "a", SHA256: "my-key"}} }, "never the secret itself"},
		{"env name", func(p *Push) { p.Firehose.AccessKeys = []PushSecret{{Name: "a", Env: "$KEY"}} }, "environment variable name"},
		{"max body", func(p *Push) { p.Firehose.MaxBody = 10 }, "firehose.max_body"},
		{"decoded", func(p *Push) { p.Logs.MaxDecoded = p.Logs.MaxBody - 1 }, "logs.max_decoded"},
		{"records", func(p *Push) { p.Firehose.MaxRecords = 0 }, "max_records 0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := Default()
			c.edit(&cfg.API.Push)
			err := cfg.Validate()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("%v, want %q", err, c.want)
			}
		})
	}
}
