package main

// CLI-level tests: the cairn binary is built once per test process and run
// as a user runs it, each test with its own store, HOME and working
// directory, and none of the caller's AWS_*, CAIRN_* or XDG_* settings.

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cairnBin is the binary under test, built by TestMain.
var cairnBin string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "cairn-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cairnBin = filepath.Join(dir, "cairn")
	start := time.Now()
	out, err := exec.Command("go", "build", "-o", cairnBin, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "go build -o %s .: %v\n%s", cairnBin, err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	if testing.Verbose() {
		fmt.Fprintf(os.Stderr, "built %s in %v\n", cairnBin, time.Since(start).Round(time.Millisecond))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// cli runs the cairn binary for one test.
type cli struct {
	t     *testing.T
	home  string // HOME of every run
	work  string // working directory of every run (no cairn.yaml unless a test writes one)
	store string // appended as --store unless empty
	env   []string
}

func newCLI(t *testing.T) *cli {
	t.Helper()
	root := t.TempDir()
	c := &cli{t: t, home: filepath.Join(root, "home"), work: filepath.Join(root, "work"), store: filepath.Join(root, "store")}
	for _, d := range []string{c.home, c.work} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k == "HOME" || strings.HasPrefix(k, "AWS_") || strings.HasPrefix(k, "CAIRN_") || strings.HasPrefix(k, "XDG_") {
			continue
		}
		c.env = append(c.env, kv)
	}
	c.env = append(c.env, "HOME="+c.home,
		"AWS_ACCESS_KEY_ID=dummy-key", "AWS_SECRET_ACCESS_KEY=dummy-secret", "AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE="+filepath.Join(root, "no-aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(root, "no-aws-credentials"))
	return c
}

// setenv adds (or replaces) one variable of the subprocess environment.
func (c *cli) setenv(k, v string) {
	out := c.env[:0:0]
	for _, kv := range c.env {
		if !strings.HasPrefix(kv, k+"=") {
			out = append(out, kv)
		}
	}
	c.env = append(out, k+"="+v)
}

// result is one finished run.
type result struct {
	args    []string
	stdout  string
	stderr  string
	code    int
	elapsed time.Duration
}

func (r result) String() string {
	return fmt.Sprintf("cairn %s: exit %d after %v\n--- stdout:\n%s\n--- stderr:\n%s",
		strings.Join(r.args, " "), r.code, r.elapsed.Round(time.Millisecond), clip(r.stdout, 4000), clip(r.stderr, 4000))
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n/2] + "\n[…]\n" + s[len(s)-n/2:]
}

// run runs cairn with args (and --store when set) and returns whatever
// happened; it fails the test only when the binary cannot be run or hangs.
func (c *cli) run(args ...string) result {
	c.t.Helper()
	return c.runTimeout(2*time.Minute, args...)
}

func (c *cli) runTimeout(timeout time.Duration, args ...string) result {
	c.t.Helper()
	if c.store != "" {
		args = append(args, "--store", c.store)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, cairnBin, args...)
	cmd.Dir, cmd.Env = c.work, c.env
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := result{args: args, stdout: stdout.String(), stderr: stderr.String(), elapsed: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		c.t.Fatalf("timed out after %v\n%s", timeout, r)
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		c.t.Fatalf("run cairn: %v", err)
	}
	return r
}

// ok runs cairn and fails the test unless it exits 0.
func (c *cli) ok(args ...string) result {
	c.t.Helper()
	r := c.run(args...)
	if r.code != 0 {
		c.t.Fatalf("want exit 0\n%s", r)
	}
	return r
}

// fails runs cairn and fails the test unless it exits with code.
func (c *cli) fails(code int, args ...string) result {
	c.t.Helper()
	r := c.run(args...)
	if r.code != code {
		c.t.Fatalf("want exit %d\n%s", code, r)
	}
	return r
}

// query runs cairn sql --format json and decodes its rows.
func (c *cli) query(q string) []map[string]any {
	c.t.Helper()
	r := c.ok("sql", "--format", "json", q)
	rows, err := decodeRows(r.stdout)
	if err != nil {
		c.t.Fatalf("%s: %v\n%s", q, err, r)
	}
	return rows
}

// decodeRows reads exactly one JSON array of objects, numbers as json.Number.
func decodeRows(s string) ([]map[string]any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var rows []map[string]any
	if err := dec.Decode(&rows); err != nil {
		return nil, fmt.Errorf("output is not a JSON array of objects: %w", err)
	}
	if rows == nil {
		return nil, errors.New("output is JSON null, not an array")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("more than one JSON value in the output (next: %v)", err)
	}
	return rows, nil
}

// count runs a query returning one integer.
func (c *cli) count(q string) int64 {
	c.t.Helper()
	rows := c.query(q)
	if len(rows) != 1 || len(rows[0]) != 1 {
		c.t.Fatalf("%s: want one row with one column, got %v", q, rows)
	}
	for _, v := range rows[0] {
		n, ok := v.(json.Number)
		if !ok {
			c.t.Fatalf("%s: %v (%T) is not a number", q, v, v)
		}
		i, err := n.Int64()
		if err != nil {
			c.t.Fatalf("%s: %v", q, err)
		}
		return i
	}
	panic("unreachable")
}

// column returns one column of a query's rows as text (NULL as "<nil>").
func (c *cli) column(q string, col string) []string {
	c.t.Helper()
	var out []string
	for _, row := range c.query(q) {
		v, ok := row[col]
		if !ok {
			c.t.Fatalf("%s: no column %q in %v", q, col, row)
		}
		out = append(out, fmt.Sprint(v))
	}
	return out
}

// record is one CloudTrail record written by a test.
type record map[string]any

// logFile renders records as a CloudTrail log file.
func logFile(t *testing.T, recs ...record) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"Records": recs})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gzipBytes(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func writeFile(t *testing.T, path string, b []byte) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// eventIDs returns the eventIDs of a (decompressed) log file.
func eventIDs(t *testing.T, body []byte) []string {
	t.Helper()
	var f struct {
		Records []struct {
			EventID string `json:"eventID"`
		}
	}
	if err := json.Unmarshal(body, &f); err != nil {
		t.Fatalf("not a CloudTrail log file: %v", err)
	}
	ids := make([]string, len(f.Records))
	for i, r := range f.Records {
		ids[i] = r.EventID
	}
	return ids
}
