package main

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/cairn-sec/cairn/config"
	"github.com/cairn-sec/cairn/web"
)

// cairn token new --for prints a secret and a cairn.yaml entry that loads
// as the configuration of that endpoint, holding the secret's hash.
func TestTokenNewFor(t *testing.T) {
	isolate(t)
	for _, c := range []struct {
		purpose string
		secrets func(config.Config) []config.PushSecret
	}{
		{"firehose", func(c config.Config) []config.PushSecret { return c.API.Push.Firehose.AccessKeys }},
		{"logs", func(c config.Config) []config.PushSecret { return c.API.Push.Logs.Tokens }},
	} {
		t.Run(c.purpose, func(t *testing.T) {
			out, _, err := execute(t, "", "token", "new", "eks", "--for", c.purpose)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(out, "\n")
			tok := strings.TrimSpace(lines[1])
			_, entry, _ := strings.Cut(out, "add to cairn.yaml:\n")
			cfg := config.Default()
			if err := yaml.Unmarshal([]byte(entry), &cfg); err != nil {
				t.Fatalf("%v\n%s", err, entry)
			}
			s := c.secrets(cfg)
			if !strings.HasPrefix(tok, "cairn_") || len(s) != 1 || s[0].Name != "eks" || s[0].SHA256 != web.HashToken(tok) {
				t.Fatalf("token new --for %s:\n%s", c.purpose, out)
			}
			if err := cfg.Validate(); err != nil {
				t.Fatal(err)
			}
		})
	}
	if _, _, err := execute(t, "", "token", "new", "--for", "sql"); err == nil || !strings.Contains(err.Error(), "want api, firehose or logs") {
		t.Fatalf("--for sql: %v", err)
	}
}

func TestPushSecrets(t *testing.T) {
	env := map[string]string{"KEY_A": "  plain-key\n"}
	getenv := func(k string) string { return env[k] }
	toks, err := pushSecrets("x", []config.PushSecret{{Name: "h", SHA256: web.HashToken("other")}, {Name: "e", Env: "KEY_A"}}, getenv)
	if err != nil || len(toks) != 2 {
		t.Fatal(toks, err)
	}
	if name, ok := web.MatchToken("plain-key", toks); !ok || name != "e" {
		t.Fatalf("env key: %q %v", name, ok)
	}
	if name, ok := web.MatchToken("other", toks); !ok || name != "h" {
		t.Fatalf("hashed key: %q %v", name, ok)
	}
	if _, err := pushSecrets("x", []config.PushSecret{{Name: "e", Env: "UNSET"}}, getenv); err == nil || !strings.Contains(err.Error(), "UNSET is empty") {
		t.Fatalf("unset variable: %v", err)
	}
}
