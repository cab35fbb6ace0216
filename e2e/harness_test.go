package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/cairn-sec/cairn/emulator"
	"github.com/cairn-sec/cairn/emulator/emutest"
	"github.com/cairn-sec/cairn/sqs"
)

// visibility is the queue's visibility timeout and the one the collector
// asks for: a killed collector's messages come back this soon.
const visibility = 5 * time.Second

var (
	buildOnce sync.Once
	binDir    string
	binPath   string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// cairnBinary builds the cairn command once per test binary.
func cairnBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			buildErr = fmt.Errorf("go tool not found: %w", err)
			return
		}
		if binDir, err = os.MkdirTemp("", "cairn-e2e-"); err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(binDir, "cairn")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		start := time.Now()
		out, err := exec.CommandContext(ctx, goTool, "build", "-o", binPath, "github.com/cairn-sec/cairn/cmd/cairn").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		t.Logf("built %s in %v", binPath, time.Since(start).Round(time.Millisecond))
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// testSeed is CAIRN_E2E_SEED or a fresh seed, logged so a failure can be
// replayed.
func testSeed(t *testing.T) uint64 {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("CAIRN_E2E_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("CAIRN_E2E_SEED=%q: %v", s, err)
		}
		seed = v
	}
	t.Logf("seed %d (CAIRN_E2E_SEED=%d replays it)", seed, seed)
	return seed
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }

// env is one emulator, its wiring, a store directory and the cairn
// processes run against them.
type env struct {
	t      *testing.T
	bin    string
	emu    *emulator.Emulator
	w      emulator.Wiring
	cfg    aws.Config
	store  string
	logDir string
	work   string // working directory of every subprocess (no cairn.yaml)
	penv   []string

	mu    sync.Mutex
	procs []*proc
}

func newEnv(t *testing.T, maxReceive int) *env {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test: skipped with -short")
	}
	emu := emutest.Start(t)
	e := &env{t: t, bin: cairnBinary(t), emu: emu, cfg: emu.Config()}
	e.w = emutest.Wire(t, emu, maxReceive, visibility)
	root := t.TempDir()
	e.store = filepath.Join(root, "store")
	e.logDir = filepath.Join(root, "logs")
	e.work = filepath.Join(root, "work")
	for _, d := range []string{e.logDir, e.work} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// The subprocesses see neither the caller's AWS nor its Cairn
	// settings: fixed emulator keys, no shared config, no IMDS.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "CAIRN_") {
			e.penv = append(e.penv, kv)
		}
	}
	e.penv = append(e.penv, "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_REGION=us-east-1",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE="+filepath.Join(root, "no-aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(root, "no-aws-credentials"))
	// Registered after emutest.Start, so it runs before the emulator stops.
	t.Cleanup(func() {
		e.mu.Lock()
		procs := append([]*proc(nil), e.procs...)
		e.mu.Unlock()
		for _, p := range procs {
			if !p.exited() {
				p.cmd.Process.Kill()
				select {
				case <-p.done:
				case <-time.After(10 * time.Second):
					t.Errorf("%s (pid %d) did not die after SIGKILL", p.name, p.cmd.Process.Pid)
				}
			}
		}
		if t.Failed() {
			e.dumpLogs(procs)
		}
	})
	t.Logf("emulator %s, queue %s, store %s", emu.Endpoint, e.w.QueueURL, e.store)
	return e
}

// collectArgs are the arguments of cairn collect against this env.
func (e *env) collectArgs(extra ...string) []string {
	return append([]string{"collect", "--queue-url", e.w.QueueURL, "--endpoint-url", e.emu.Endpoint, "--store", e.store,
		"--visibility-timeout", visibility.String(), "--retry-backoff", "1s", "--log-format", "json"}, extra...)
}

// proc is one cairn subprocess whose output goes to a log file.
type proc struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	started time.Time
	done    chan struct{}
	err     error // Wait's result, once done is closed
}

// start runs cairn with args in the background.
func (e *env) start(name string, args ...string) *proc {
	e.t.Helper()
	logPath := filepath.Join(e.logDir, name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		e.t.Fatal(err)
	}
	cmd := exec.Command(e.bin, args...)
	cmd.Dir, cmd.Env = e.work, e.penv
	cmd.Stdout, cmd.Stderr = f, f
	// Should the test binary die, the collector dies with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		f.Close()
		e.t.Fatalf("start %s: %v", name, err)
	}
	p := &proc{name: name, cmd: cmd, logPath: logPath, started: time.Now(), done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	e.mu.Lock()
	e.procs = append(e.procs, p)
	e.mu.Unlock()
	return p
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// wait waits up to timeout for the process to exit by itself.
func (p *proc) wait(timeout time.Duration) bool {
	select {
	case <-p.done:
		return true
	case <-time.After(timeout):
		return false
	}
}

// kill SIGKILLs the process and reaps it.
func (p *proc) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Fatalf("kill %s: %v", p.name, err)
	}
	if !p.wait(10 * time.Second) {
		t.Fatalf("%s (pid %d) still running 10s after SIGKILL", p.name, p.cmd.Process.Pid)
	}
}

// exitCode is the exit status (-1 when killed by a signal).
func (p *proc) exitCode() int { return p.cmd.ProcessState.ExitCode() }

func (p *proc) tail(n int) string { return tailFile(p.logPath, n, false) }

// tailFile returns the last n lines of a log, or with important only its
// warnings, errors and lines that are not JSON log records (panics).
func tailFile(path string, n int, important bool) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(%v)", err)
	}
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		l := sc.Text()
		if important && strings.HasPrefix(l, "{") && !strings.Contains(l, `"level":"WARN"`) && !strings.Contains(l, `"level":"ERROR"`) {
			continue
		}
		lines = append(lines, l)
	}
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("… (%d lines before)", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

// dumpLogs prints every log's warnings and errors and the tail of the
// last three.
func (e *env) dumpLogs(procs []*proc) {
	for i, p := range procs {
		var s string
		if i >= len(procs)-3 {
			s = tailFile(p.logPath, 40, false)
		} else {
			s = tailFile(p.logPath, 15, true)
		}
		if strings.TrimSpace(s) != "" {
			e.t.Logf("---- %s (%s) ----\n%s", p.name, p.logPath, s)
		}
	}
}

// sql runs cairn sql --format json and returns its rows; numbers are
// json.Number.
func (e *env) sql(query string) ([]map[string]any, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.bin, "sql", "--store", e.store, "--format", "json", "--max-rows", "0", query)
	cmd.Dir, cmd.Env = e.work, e.penv
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("cairn sql %q: %v: %s", query, err, strings.TrimSpace(stderr.String()))
	}
	dec := json.NewDecoder(&stdout)
	dec.UseNumber()
	var rows []map[string]any
	if err := dec.Decode(&rows); err != nil {
		return nil, fmt.Errorf("cairn sql %q: output is not a JSON array of objects: %v\n%s", query, err, stdout.String())
	}
	return rows, nil
}

func (e *env) mustSQL(query string) []map[string]any {
	e.t.Helper()
	rows, err := e.sql(query)
	if err != nil {
		e.t.Fatal(err)
	}
	return rows
}

// ints runs a query returning one row and reads the named columns as
// integers.
func (e *env) ints(query string, cols ...string) []int64 {
	e.t.Helper()
	rows := e.mustSQL(query)
	if len(rows) != 1 {
		e.t.Fatalf("%s: %d rows, want 1", query, len(rows))
	}
	out := make([]int64, len(cols))
	for i, c := range cols {
		v, err := asInt(rows[0][c])
		if err != nil {
			e.t.Fatalf("%s: column %s: %v", query, c, err)
		}
		out[i] = v
	}
	return out
}

func asInt(v any) (int64, error) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, fmt.Errorf("%v (%T) is not a number", v, v)
	}
	return n.Int64()
}

// strs runs a query and returns the named string column of every row.
func (e *env) strs(query, col string) []string {
	e.t.Helper()
	rows := e.mustSQL(query)
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		s, ok := r[col].(string)
		if !ok {
			e.t.Fatalf("%s: column %s is %v (%T), not a string", query, col, r[col], r[col])
		}
		out = append(out, s)
	}
	return out
}

func (e *env) depth(url string) (visible, inFlight int64) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	v, f, err := sqs.New(e.cfg, url).Depth(ctx)
	if err != nil {
		e.t.Fatalf("depth of %s: %v", url, err)
	}
	return v, f
}

// drain runs cairn collect --drain to completion.
func (e *env) drain(name string, timeout time.Duration) {
	e.t.Helper()
	start := time.Now()
	p := e.start(name, e.collectArgs("--drain")...)
	if !p.wait(timeout) {
		p.kill(e.t)
		e.t.Fatalf("collect --drain did not finish within %v; log tail:\n%s", timeout, p.tail(40))
	}
	if p.err != nil {
		e.t.Fatalf("collect --drain: %v; log tail:\n%s", p.err, p.tail(40))
	}
	e.t.Logf("drain finished in %v:\n%s", time.Since(start).Round(time.Millisecond), p.tail(8))
}

// assertExactlyOnce checks the store against everything produced: each
// event stored once, each file in the ledger once, nothing left on the
// queue or its dead-letter queue.
func (e *env) assertExactlyOnce(pr *production) {
	t := e.t
	t.Helper()
	ids, files := pr.snapshot()
	c := e.ints(`SELECT count(*) AS n, count(DISTINCT event_id) AS d, count(event_id) AS nn FROM events`, "n", "d", "nn")
	n, distinct, nonNull := c[0], c[1], c[2]
	t.Logf("produced %d events in %d files (%d messages); stored %d events, %d distinct", len(ids), len(files), pr.messages(), n, distinct)
	if n != int64(len(ids)) {
		t.Errorf("events stored: %d, want %d (lost or duplicated events)", n, len(ids))
	}
	if distinct != n || nonNull != n {
		t.Errorf("count(DISTINCT event_id) = %d, count(event_id) = %d, count(*) = %d: duplicates or NULL ids", distinct, nonNull, n)
		for _, r := range e.mustSQL(`SELECT event_id, count(*) AS copies, list(DISTINCT s3_key) AS keys, list(ingested_at) AS ingested
				FROM events GROUP BY event_id HAVING count(*) > 1 ORDER BY copies DESC LIMIT 10`) {
			t.Errorf("duplicated: %v", r)
		}
	}
	have := map[string]bool{}
	for _, id := range e.strs(`SELECT event_id FROM events WHERE event_id IS NOT NULL`, "event_id") {
		have[id] = true
	}
	var missing []string
	missingFiles := map[string]int{}
	for id, key := range ids {
		if !have[id] {
			missing = append(missing, id)
			missingFiles[key]++
		}
		delete(have, id)
	}
	if len(missing) > 0 {
		t.Errorf("%d produced events are not stored (first: %v); by file: %v", len(missing), missing[:min(5, len(missing))], missingFiles)
	}
	if len(have) > 0 {
		t.Errorf("%d stored events were never produced", len(have))
	}

	rows := e.mustSQL(`SELECT key, events FROM objects`)
	seen := map[string]int{}
	for _, r := range rows {
		key, _ := r["key"].(string)
		seen[key]++
		want, ok := files[key]
		if !ok {
			t.Errorf("objects has %s, which was never produced", key)
			continue
		}
		if got, err := asInt(r["events"]); err != nil || got != int64(want) {
			t.Errorf("objects says %s has %v events, want %d", key, r["events"], want)
		}
	}
	if len(rows) != len(files) {
		t.Errorf("objects has %d rows, want one per file: %d", len(rows), len(files))
	}
	for key := range files {
		if seen[key] != 1 {
			t.Errorf("file %s is in objects %d times, want 1", key, seen[key])
		}
	}
	if v, f := e.depth(e.w.QueueURL); v != 0 || f != 0 {
		t.Errorf("queue still holds %d visible and %d in-flight messages", v, f)
	}
	if v, f := e.depth(e.w.DLQURL); v != 0 || f != 0 {
		t.Errorf("dead-letter queue holds %d visible and %d in-flight messages", v, f)
	}
	if errs := e.ints(`SELECT count(*) AS n FROM ingest_errors`, "n")[0]; errs > 0 {
		t.Logf("note: %d ingest_errors rows: %v", errs, e.mustSQL(`SELECT reason, count(*) AS n, any_value(detail) AS example FROM ingest_errors GROUP BY reason`))
	}
}
