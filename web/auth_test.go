package web

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

func TestAuth(t *testing.T) {
	var compares atomic.Int64
	orig := compare
	compare = func(x, y []byte) int {
		compares.Add(1)
		return orig(x, y)
	}
	t.Cleanup(func() { compare = orig })

	ts := newTestServer(t, buildStore(t), nil)
	cases := []struct {
		name, header string
		status       int
		challenge    string
	}{
		{"no token", "", 401, `Bearer realm="cairn"`},
		{"wrong token", "Bearer not-the-token", 401, `error="invalid_token"`},
		{"token of another scheme", "Basic " + tokenA, 401, `error="invalid_token"`},
		{"empty bearer", "Bearer ", 401, `error="invalid_token"`},
		{"prefix of the token", "Bearer " + tokenA[:10], 401, `error="invalid_token"`},
		{"first token", "Bearer " + tokenA, 200, ""},
		{"second token", "bearer " + tokenB, 200, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			compares.Store(0)
			req, _ := http.NewRequest("GET", ts.URL+"/api/v1/queries", nil)
			if c.header != "" {
				req.Header.Set("Authorization", c.header)
			}
			resp, err := ts.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, c.status)
			}
			if c.status == 401 && !strings.Contains(resp.Header.Get("WWW-Authenticate"), c.challenge) {
				t.Fatalf("WWW-Authenticate %q, want %q", resp.Header.Get("WWW-Authenticate"), c.challenge)
			}
			// A presented token is compared, in constant time, with every
			// configured hash: no early exit on the first match.
			if strings.HasPrefix(strings.ToLower(c.header), "bearer ") && strings.TrimSpace(c.header[7:]) != "" && compares.Load() != 2 {
				t.Fatalf("%d constant-time comparisons, want one per configured token (2)", compares.Load())
			}
		})
	}
	// Every API route needs the token; health does not.
	for _, r := range []struct{ method, path string }{
		{"POST", "/api/v1/search"}, {"POST", "/api/v1/sql"}, {"GET", "/api/v1/fields"},
		{"GET", "/api/v1/queries"}, {"GET", "/api/v1/queries/console-logins"}, {"GET", "/api/v1/nope"},
	} {
		var e errResp
		if resp := ts.do(t, r.method, r.path, "", `{}`, &e); resp.StatusCode != 401 || !strings.Contains(e.Error, "unauthorized") {
			t.Errorf("%s %s without a token: %d %q", r.method, r.path, resp.StatusCode, e.Error)
		}
	}
	if resp := ts.do(t, "GET", "/healthz", "", nil, nil); resp.StatusCode != 200 {
		t.Errorf("healthz: %d", resp.StatusCode)
	}
	logs := ts.finish()
	for _, want := range []string{`reason="missing bearer token"`, `reason="invalid token"`, "reason=\"malformed Authorization header", "path=/api/v1/queries", "remote=127.0.0.1", "token=alpha", "token=bravo"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %s:\n%s", want, logs)
		}
	}
	for _, secret := range []string{"not-the-token", tokenA[:10]} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain the presented token %q", secret)
		}
	}
}

func TestNoTokensConfiguredRefusesAll(t *testing.T) {
	ts := newTestServer(t, buildStore(t), func(o *Options) { o.Tokens = nil })
	if resp := ts.do(t, "GET", "/api/v1/queries", tokenA, nil, nil); resp.StatusCode != 401 {
		t.Fatalf("status %d with no configured tokens", resp.StatusCode)
	}
}

func TestParseToken(t *testing.T) {
	if HashToken("test") != "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" {
		t.Fatal("HashToken is not hex SHA-256")
	}
	if _, err := ParseToken("x", "abc"); err == nil {
		t.Fatal("short hash accepted")
	}
	if _, err := ParseToken("x", strings.ToUpper(HashToken("test"))); err != nil {
		t.Fatal(err)
	}
}
