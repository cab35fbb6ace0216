package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-sec/cairn/queries"
)

// Tokens the tests use; the logs must never show them.
const (
	tokenA = "cairn-test-token-alpha-4f1c9d"
	tokenB = "cairn-test-token-bravo-77e2aa"
)

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type testServer struct {
	*httptest.Server
	srv     *Server
	logs    *syncBuffer
	backend *StoreBackend
}

func mustTokens(t testing.TB) []Token {
	a, err := ParseToken("alpha", HashToken(tokenA))
	if err != nil {
		t.Fatal(err)
	}
	b, err := ParseToken("bravo", HashToken(tokenB))
	if err != nil {
		t.Fatal(err)
	}
	return []Token{a, b}
}

// newTestServer serves the API over a real listener on a store built from
// the fixture. edit adjusts the options.
func newTestServer(t testing.TB, dir string, edit func(*Options)) *testServer {
	t.Helper()
	logs := &syncBuffer{}
	lib, err := queries.Load(queries.Options{})
	if err != nil {
		t.Fatal(err)
	}
	backend := NewStoreBackend(StoreOptions{Dir: dir})
	opts := Options{
		Querier: backend,
		Compile: testCompile,
		Fields:  testFields,
		Library: lib,
		Tokens:  mustTokens(t),
		Log:     slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		// The fixture's events are from 2024-03-02 08:01-08:31 UTC.
		Now: func() time.Time { return time.Date(2024, 3, 2, 12, 0, 0, 0, time.UTC) },
	}
	if edit != nil {
		edit(&opts)
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		backend.Close()
		if strings.Contains(logs.String(), tokenA) || strings.Contains(logs.String(), tokenB) {
			t.Errorf("a token appears in the logs:\n%s", logs)
		}
	})
	return &testServer{Server: ts, srv: srv, logs: logs, backend: backend}
}

// finish closes the server, waiting for the requests in flight (whose
// log lines are written after their responses), and returns the logs.
func (ts *testServer) finish() string {
	ts.Close()
	return ts.logs.String()
}

// do sends a request with an optional bearer token and JSON body, and
// decodes the JSON answer into out (when not nil).
func (ts *testServer) do(t testing.TB, method, path, token string, body any, out any) *http.Response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, ts.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); strings.HasPrefix(path, "/api/") && !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("%s %s: content type %q, body %s", method, path, ct, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, raw, err)
		}
	}
	return resp
}

type errResp struct {
	Error    string `json:"error"`
	Position *int   `json:"position"`
}

// column returns the values of one column.
func column(t testing.TB, r QueryResponse, name string) []any {
	t.Helper()
	for i, c := range r.Columns {
		if c.Name == name {
			var out []any
			for _, row := range r.Rows {
				out = append(out, row[i])
			}
			return out
		}
	}
	t.Fatalf("no column %s in %+v", name, r.Columns)
	return nil
}
