package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cairn-sec/cairn/config"
	"github.com/cairn-sec/cairn/web"
)

// fixtureEvents is the CloudTrail file the saved-query tests use.
const fixtureEvents = "../../queries/testdata/events.json"

// execute runs the cairn command tree in this process.
func execute(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	root := newRootCommand()
	var out, errb bytes.Buffer
	root.SetArgs(args)
	root.SetIn(strings.NewReader(stdin))
	root.SetOut(&out)
	root.SetErr(&errb)
	err = root.ExecuteContext(context.Background())
	return out.String(), errb.String(), err
}

// isolate keeps the caller's configuration out of in-process runs.
func isolate(t *testing.T) {
	t.Helper()
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "CAIRN_") {
			t.Setenv(k, "")
		}
	}
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Chdir(t.TempDir()) // no cairn.yaml
}

func TestServeEndToEnd(t *testing.T) {
	fixture, _ := filepath.Abs(fixtureEvents)
	isolate(t)
	store := t.TempDir()
	if _, _, err := execute(t, "", "ingest", fixture, "--store", store, "--progress", "none"); err != nil {
		t.Fatal(err)
	}
	const token = "cairn_e2e-token-9b7c1"
	t.Setenv(envToken, token)
	qdir := t.TempDir()
	os.WriteFile(filepath.Join(qdir, "mine.yaml"), []byte("- name: my-query\n  title: Mine\n  query: user_type:Root\n"), 0o644)

	var logs bytes.Buffer
	g := &globals{cfg: config.Default(), log: slog.New(slog.NewTextHandler(&logs, nil))}
	cfg := g.cfg
	cfg.Store.Dir, cfg.Queries.Dir = store, qdir
	cfg.API.MaxRows = 3
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runServe(ctx, g, cfg, l) }()
	base := "http://" + l.Addr().String()

	call := func(method, path, tok, body string) (int, []byte) {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	if code, _ := call("GET", "/healthz", "", ""); code != 200 {
		t.Fatalf("healthz %d", code)
	}
	if code, _ := call("GET", "/api/v1/queries", "", ""); code != 401 {
		t.Fatalf("no token: %d", code)
	}
	code, body := call("POST", "/api/v1/sql", token, `{"sql":"SELECT event_id FROM events ORDER BY event_id"}`)
	var r web.QueryResponse
	if err := json.Unmarshal(body, &r); err != nil || code != 200 || len(r.Rows) != 3 || !r.Truncated {
		t.Fatalf("sql: %d %s", code, body)
	}
	code, body = call("POST", "/api/v1/search", token, `{"saved":"my-query"}`)
	if err := json.Unmarshal(body, &r); err != nil || code != 200 || len(r.Rows) != 2 {
		t.Fatalf("saved search: %d %s", code, body)
	}
	code, body = call("POST", "/api/v1/search", token, `{"query":"event_name:ConsoleLogin AND (status:Failure","last":"7d"}`)
	if code != 400 || !strings.Contains(string(body), `^"`) || !strings.Contains(string(body), `"position":`) {
		t.Fatalf("search error: %d %s", code, body)
	}
	code, body = call("GET", "/api/v1/queries/my-query", token, "")
	if code != 200 || !strings.Contains(string(body), "mine.yaml") {
		t.Fatalf("user query: %d %s", code, body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
	if strings.Contains(logs.String(), token) {
		t.Fatalf("token in the logs:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "tokens=env") || !strings.Contains(logs.String(), "token=env") {
		t.Fatalf("logs:\n%s", logs.String())
	}
}

func TestServeRefusesWithoutToken(t *testing.T) {
	isolate(t)
	_, _, err := execute(t, "", "serve", "--store", t.TempDir(), "--addr", "127.0.0.1:0")
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 2 || !strings.Contains(err.Error(), "cairn token new") {
		t.Fatalf("serve without a token: %v", err)
	}
}

func TestServeBadConfig(t *testing.T) {
	isolate(t)
	t.Setenv(envToken, "x")
	t.Setenv("CAIRN_API_MAX_ROWS", "0")
	_, _, err := execute(t, "", "serve", "--store", t.TempDir(), "--addr", "127.0.0.1:0")
	if err == nil || !strings.Contains(err.Error(), "api.max_rows") {
		t.Fatalf("bad config: %v", err)
	}
}

func TestServeBadSavedQueryFile(t *testing.T) {
	isolate(t)
	t.Setenv(envToken, "x")
	qdir := t.TempDir()
	bad := filepath.Join(qdir, "broken.yaml")
	os.WriteFile(bad, []byte("- name: x\n  title: [\n"), 0o644)
	t.Setenv("CAIRN_QUERIES_DIR", qdir)
	_, _, err := execute(t, "", "serve", "--store", t.TempDir(), "--addr", "127.0.0.1:0")
	if err == nil || !strings.Contains(err.Error(), bad) {
		t.Fatalf("bad saved query file: %v", err)
	}
}

func TestServeRefusesBrokenSavedQuery(t *testing.T) {
	isolate(t)
	t.Setenv(envToken, "x")
	qdir := t.TempDir()
	os.WriteFile(filepath.Join(qdir, "q.yaml"), []byte("name: broken\ntitle: Broken\nquery: 'event_name:('\n"), 0o644)
	t.Setenv("CAIRN_QUERIES_DIR", qdir)
	_, _, err := execute(t, "", "serve", "--store", t.TempDir(), "--addr", "127.0.0.1:0")
	if err == nil || !strings.Contains(err.Error(), `saved query "broken"`) || !strings.Contains(err.Error(), "^") {
		t.Fatalf("broken saved query: %v", err)
	}
	// queries list still lists it, with a warning.
	out, stderr, err := execute(t, "", "queries", "list")
	if err != nil || !strings.Contains(out, "broken") || !strings.Contains(stderr, "does not compile") {
		t.Fatalf("list with a broken query: %v\n%s\n%s", err, out, stderr)
	}
}

func TestTokenCommands(t *testing.T) {
	isolate(t)
	want := web.HashToken("s3cret")
	for _, args := range [][]string{{"token", "hash"}, {"serve", "--print-token-hash"}} {
		out, _, err := execute(t, "s3cret\n", args...)
		if err != nil || strings.TrimSpace(out) != want {
			t.Fatalf("%v: %q %v", args, out, err)
		}
	}
	if _, _, err := execute(t, "", "token", "hash"); err == nil {
		t.Fatal("empty stdin accepted")
	}
	out, _, err := execute(t, "", "token", "new", "ci")
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Fields(out)
	var tok, hash string
	for i, f := range fields {
		if strings.HasPrefix(f, "cairn_") {
			tok = f
		}
		if f == "sha256:" && i+1 < len(fields) {
			hash = fields[i+1]
		}
	}
	if tok == "" || len(tok) < 40 || hash != web.HashToken(tok) || !strings.Contains(out, "name: ci") {
		t.Fatalf("token new:\n%s", out)
	}
}
