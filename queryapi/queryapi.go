package queryapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/cairn-sec/cairn/duckdb"
)

// SocketName is the socket file inside the store directory.
const SocketName = "cairn.sock"

// ErrNoServer means no collector is serving the store.
var ErrNoServer = errors.New("no running collector serves this store")

// Querier runs read-only SQL with parameters.
type Querier interface {
	Query(ctx context.Context, sql string, maxRows int, args ...any) (*duckdb.Result, error)
}

// Request is a query. Args are bound to the '?' placeholders of SQL; on
// the wire each is a typed value (see Arg) so that a time stays a time and
// an integer an integer.
type Request struct {
	SQL     string `json:"sql"`
	MaxRows int    `json:"max_rows"`
	Args    []any  `json:"-"`
}

type wireRequest struct {
	SQL     string `json:"sql"`
	MaxRows int    `json:"max_rows"`
	Args    []Arg  `json:"args,omitempty"`
}

// MarshalJSON writes Args as typed values.
func (r Request) MarshalJSON() ([]byte, error) {
	w := wireRequest{SQL: r.SQL, MaxRows: r.MaxRows}
	for i, a := range r.Args {
		arg, err := EncodeArg(a)
		if err != nil {
			return nil, fmt.Errorf("argument %d: %w", i+1, err)
		}
		w.Args = append(w.Args, arg)
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads Args back into Go values.
func (r *Request) UnmarshalJSON(b []byte) error {
	var w wireRequest
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*r = Request{SQL: w.SQL, MaxRows: w.MaxRows}
	for i, a := range w.Args {
		v, err := a.Decode()
		if err != nil {
			return fmt.Errorf("argument %d: %w", i+1, err)
		}
		r.Args = append(r.Args, v)
	}
	return nil
}

// Arg is a query parameter on the wire: Type is null, string, bool, int,
// float or time; Value is the value as text (a time in RFC 3339 with
// nanoseconds, UTC), so that no JSON number loses precision.
type Arg struct {
	Type  string `json:"type"`
	Value string `json:"value,omitempty"`
}

// EncodeArg converts a Go parameter into an Arg.
func EncodeArg(v any) (Arg, error) {
	switch x := v.(type) {
	case nil:
		return Arg{Type: "null"}, nil
	case string:
		return Arg{Type: "string", Value: x}, nil
	case bool:
		return Arg{Type: "bool", Value: strconv.FormatBool(x)}, nil
	case int:
		return Arg{Type: "int", Value: strconv.Itoa(x)}, nil
	case int32:
		return Arg{Type: "int", Value: strconv.FormatInt(int64(x), 10)}, nil
	case int64:
		return Arg{Type: "int", Value: strconv.FormatInt(x, 10)}, nil
	case float64:
		return Arg{Type: "float", Value: strconv.FormatFloat(x, 'g', -1, 64)}, nil
	case time.Time:
		return Arg{Type: "time", Value: x.UTC().Format(time.RFC3339Nano)}, nil
	}
	return Arg{}, fmt.Errorf("unsupported parameter type %T", v)
}

// Decode converts an Arg back into the Go value EncodeArg was given
// (integers as int64).
func (a Arg) Decode() (any, error) {
	switch a.Type {
	case "null":
		return nil, nil
	case "string":
		return a.Value, nil
	case "bool":
		return strconv.ParseBool(a.Value)
	case "int":
		return strconv.ParseInt(a.Value, 10, 64)
	case "float":
		return strconv.ParseFloat(a.Value, 64)
	case "time":
		return time.Parse(time.RFC3339Nano, a.Value)
	}
	return nil, fmt.Errorf("unknown parameter type %q", a.Type)
}

type response struct {
	Result *duckdb.Result `json:"result,omitempty"`
	Error  string         `json:"error,omitempty"`
}

// SocketPath is the socket of the store in dir.
func SocketPath(dir string) string { return filepath.Join(dir, SocketName) }

// Listen creates the socket, replacing a stale one left by a crash.
func Listen(dir string) (net.Listener, error) {
	p := SocketPath(dir)
	if c, err := net.DialTimeout("unix", p, time.Second); err == nil {
		c.Close()
		return nil, fmt.Errorf("listen %s: another process serves this store", p)
	}
	os.Remove(p)
	old := syscall.Umask(0o177)
	l, err := net.Listen("unix", p)
	syscall.Umask(old)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", p, err)
	}
	return l, nil
}

// Serve answers queries on l until ctx ends.
func Serve(ctx context.Context, l net.Listener, q Querier, timeout time.Duration, log *slog.Logger) error {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/sql", func(w http.ResponseWriter, r *http.Request) {
		var req Request
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil {
			writeJSON(w, http.StatusBadRequest, response{Error: "bad request: " + err.Error()})
			return
		}
		qctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		res, err := q.Query(qctx, req.SQL, req.MaxRows, req.Args...)
		if err != nil {
			writeJSON(w, http.StatusUnprocessableEntity, response{Error: err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, response{Result: res})
	})
	registerAlerts(mux, q)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	select {
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
		<-done
		return nil
	case err := <-done:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		log.Error("query socket stopped", "err", err)
		return err
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// Query sends sql and its parameters to the collector serving the store in
// dir.
func Query(ctx context.Context, dir, sql string, maxRows int, args ...any) (*duckdb.Result, error) {
	p := SocketPath(dir)
	client := socketClient(dir)
	body, err := json.Marshal(Request{SQL: sql, MaxRows: maxRows, Args: args})
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", p, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://cairn/v1/sql", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		if isNoServer(err) {
			return nil, ErrNoServer
		}
		return nil, fmt.Errorf("query %s: %w", p, err)
	}
	defer resp.Body.Close()
	var out response
	dec := json.NewDecoder(resp.Body)
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("query %s: bad response: %w", p, err)
	}
	if out.Error != "" {
		return nil, errors.New(out.Error)
	}
	if out.Result == nil {
		return nil, fmt.Errorf("query %s: empty response (HTTP %d)", p, resp.StatusCode)
	}
	return out.Result, nil
}

// socketClient is an HTTP client for the socket of the store in dir.
func socketClient(dir string) *http.Client {
	p := SocketPath(dir)
	return &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", p)
	}}}
}

// isNoServer reports whether a request failed because nobody listens.
func isNoServer(err error) bool {
	return errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED)
}
