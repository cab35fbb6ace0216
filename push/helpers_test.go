package push

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/duckdb"
	"github.com/cairn-sec/cairn/web"
)

const (
	testKey   = "fh-key-0123456789abcdef"
	testToken = "cairn_logs-token-42"
)

var testNow = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// env is a push server over HTTP in front of a real store.
type env struct {
	t     *testing.T
	store *duckdb.Store
	srv   *httptest.Server
	h     *Handler
}

type envOption func(*Options)

func newEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	st, err := duckdb.Open(context.Background(), duckdb.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	key, _ := web.ParseToken("firehose-test", web.HashToken(testKey))
	tok, _ := web.ParseToken("forwarder", web.HashToken(testToken))
	o := Options{Store: Begin(st.BeginTx), FirehoseKeys: []web.Token{key}, LogsTokens: []web.Token{tok},
		Now: func() time.Time { return testNow }}
	for _, f := range opts {
		f(&o)
	}
	h, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	h.Register(mux.Handle)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &env{t: t, store: st, srv: srv, h: h}
}

// post sends body to path with headers.
func (e *env) post(path string, body []byte, headers map[string]string) (int, http.Header, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// firehose sends a delivery the way Firehose does.
func (e *env) firehose(path, requestID string, body []byte, extra map[string]string) (int, http.Header, []byte) {
	h := map[string]string{HeaderRequestID: requestID, HeaderAccessKey: testKey, "Content-Type": "application/json",
		"X-Amz-Firehose-Protocol-Version": "1.0"}
	for k, v := range extra {
		h[k] = v
	}
	return e.post(path, body, h)
}

// count runs a count(*) query.
func (e *env) count(q string, args ...any) int64 {
	e.t.Helper()
	res, err := e.store.Query(context.Background(), q, 0, args...)
	if err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
	return toInt(res.Rows[0][0])
}

// rows runs a query and returns its rows.
func (e *env) rows(q string, args ...any) [][]any {
	e.t.Helper()
	res, err := e.store.Query(context.Background(), q, 0, args...)
	if err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
	return res.Rows
}

func toInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int32:
		return int64(x)
	case int:
		return int64(x)
	}
	panic(fmt.Sprintf("not an integer: %T %v", v, v))
}

// delivery builds a Firehose request body with the records' data.
func delivery(requestID string, ts int64, records ...[]byte) []byte {
	var recs []map[string]string
	for _, r := range records {
		recs = append(recs, map[string]string{"data": base64.StdEncoding.EncodeToString(r)})
	}
	b, _ := json.Marshal(map[string]any{"requestId": requestID, "timestamp": ts, "records": recs})
	return b
}

func gz(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// wantFirehose checks a response is exactly Firehose's shape.
func wantFirehose(t *testing.T, status int, hdr http.Header, body []byte, wantStatus int, requestID, errPart string) {
	t.Helper()
	if status != wantStatus {
		t.Fatalf("status %d, want %d: %s", status, wantStatus, body)
	}
	if hdr.Get("Content-Type") != "application/json" || hdr.Get("Content-Encoding") != "" || hdr.Get("Content-Length") != fmt.Sprint(len(body)) {
		t.Fatalf("headers %v for a body of %d bytes", hdr, len(body))
	}
	if errPart == "" {
		want := fmt.Sprintf(`{"requestId":%q,"timestamp":%d}`, requestID, testNow.UnixMilli())
		if string(body) != want {
			t.Fatalf("body\n%s\nwant\n%s", body, want)
		}
		return
	}
	var r map[string]any
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("body %s: %v", body, err)
	}
	if len(r) != 3 || r["requestId"] != requestID || r["timestamp"] != float64(testNow.UnixMilli()) ||
		!strings.Contains(fmt.Sprint(r["errorMessage"]), errPart) {
		t.Fatalf("error body %s: want requestId %q, timestamp, errorMessage containing %q", body, requestID, errPart)
	}
}

// failingStore wraps a real store's transactions, failing one step.
type failingStore struct {
	st     *duckdb.Store
	failAt string // "begin", "append", "reject", "mark", "commit"
}

func (f *failingStore) BeginPush(ctx context.Context) (Tx, error) {
	if f.failAt == "begin" {
		return nil, fmt.Errorf("injected: begin failed")
	}
	tx, err := f.st.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	return &failingTx{Tx: tx, failAt: f.failAt}, nil
}

type failingTx struct {
	*duckdb.Tx
	failAt string
}

func (t *failingTx) Append(ctx context.Context, evs []*cairn.Event) error {
	if t.failAt == "append" {
		return fmt.Errorf("injected: append failed")
	}
	return t.Tx.Append(ctx, evs)
}

func (t *failingTx) Reject(ctx context.Context, errs []cairn.IngestError) error {
	if t.failAt == "reject" {
		return fmt.Errorf("injected: quarantine failed")
	}
	return t.Tx.Reject(ctx, errs)
}

func (t *failingTx) MarkRequest(ctx context.Context, r cairn.PushRequest) error {
	if t.failAt == "mark" {
		return fmt.Errorf("injected: ledger write failed")
	}
	return t.Tx.MarkRequest(ctx, r)
}

func (t *failingTx) Commit(ctx context.Context) (cairn.CommitResult, error) {
	if t.failAt == "commit" {
		t.Tx.Rollback()
		return cairn.CommitResult{}, fmt.Errorf("injected: commit failed")
	}
	return t.Tx.Commit(ctx)
}

// asTime reads a time from a query result (RFC 3339 text).
func asTime(t *testing.T, v any) time.Time {
	t.Helper()
	s, _ := v.(string)
	tt, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("time %v: %v", v, err)
	}
	return tt
}
