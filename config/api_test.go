package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestAPIDefaultsAndFile(t *testing.T) {
	cfg := Default()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if cfg.API.Addr != "127.0.0.1:8080" || cfg.API.QueryTimeout != 30*time.Second || cfg.API.MaxRows != 10000 ||
		cfg.API.MaxRequestBytes != 1<<20 || !strings.HasSuffix(cfg.Queries.Dir, filepath.Join("cairn", "queries")) {
		t.Fatalf("defaults %+v %+v", cfg.API, cfg.Queries)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "cairn.yaml")
	os.WriteFile(p, []byte(`
api:
  addr: 0.0.0.0:9000
  query_timeout: 5s
  max_rows: 500
  tokens:
    - name: ci
      sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
`), 0o644)
	cfg, err := Load(p, false)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"CAIRN_API_MAX_ROWS": "700", "CAIRN_API_QUERY_TIMEOUT": "10s"}
	if err := cfg.ApplyEnv(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if cfg.API.Addr != "0.0.0.0:9000" || cfg.API.MaxRows != 700 || cfg.API.QueryTimeout != 10*time.Second ||
		len(cfg.API.Tokens) != 1 || cfg.API.Tokens[0].Name != "ci" {
		t.Fatalf("api %+v", cfg.API)
	}
	if cfg.Queries.Dir != filepath.Join(dir, "queries") {
		t.Fatalf("queries dir %q, want next to the config file", cfg.Queries.Dir)
	}
}

func TestQueriesDirRelativeToFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "cairn.yaml")
	os.WriteFile(p, []byte("queries:\n  dir: mine\n"), 0o644)
	cfg, err := Load(p, false)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Queries.Dir != filepath.Join(dir, "mine") {
		t.Fatalf("queries dir %q", cfg.Queries.Dir)
	}
	os.WriteFile(p, []byte("queries:\n  dir: /abs/q\n"), 0o644)
	if cfg, _ = Load(p, false); cfg.Queries.Dir != "/abs/q" {
		t.Fatalf("absolute queries dir %q", cfg.Queries.Dir)
	}
}

func TestAPIValidateErrors(t *testing.T) {
	cfg := Default()
	cfg.API.Addr = "8080"
	cfg.API.QueryTimeout = 0
	cfg.API.MaxRows = 0
	cfg.API.MaxRequestBytes = 10
	cfg.API.Tokens = []APIToken{{Name: "a", SHA256: "secret-token"}, {Name: "a", SHA256: strings.Repeat("a", 64)}, {SHA256: strings.Repeat("b", 64)}}
	cfg.API.TLS.KeyFile = "key.pem"
	err := cfg.Validate()
	if err == nil {
		t.Fatal("invalid api config accepted")
	}
	for _, want := range []string{"api.addr", "api.query_timeout", "api.max_rows", "api.max_request_bytes", "api.tokens[0].sha256", "used twice", "api.tokens[2].name is empty", "api.tls"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	if strings.Contains(err.Error(), "secret-token") {
		t.Error("validation error repeats what may be a plain token")
	}
}

// TestAPITLSFromEnv: the certificate files come from the YAML tree's
// CAIRN_* variables like any setting.
func TestAPITLSFromEnv(t *testing.T) {
	cfg := Default()
	env := map[string]string{"CAIRN_API_TLS_CERT_FILE": "/etc/cairn/cert.pem", "CAIRN_API_TLS_KEY_FILE": "/etc/cairn/key.pem"}
	if err := cfg.ApplyEnv(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if cfg.API.TLS != (TLS{CertFile: "/etc/cairn/cert.pem", KeyFile: "/etc/cairn/key.pem"}) || !cfg.API.TLS.Enabled() {
		t.Fatalf("api.tls %+v", cfg.API.TLS)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
}
