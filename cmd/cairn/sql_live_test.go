package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cairn-sec/cairn/emulator/emutest"
)

// lockedBuffer is an output buffer a running process writes to.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestSQLWhileCollecting queries a store a running collector holds (the
// query goes over the collector's socket): results are those of the
// store, refusals hold there too, and the output is the same as when the
// store is opened directly once the collector has stopped on SIGTERM.
func TestSQLWhileCollecting(t *testing.T) {
	emu := emutest.Start(t)
	c := newCLI(t)
	w := emutest.Wire(t, emu, 5, 30*time.Second)
	aws := []string{"--endpoint-url", emu.Endpoint, "--region", "us-east-1"}

	var stderr lockedBuffer
	cmd := exec.Command(cairnBin, append([]string{"collect", "--queue-url", w.QueueURL, "--store", c.store}, aws...)...)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = c.work, c.env, &stderr, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{}) // closed once the collector has exited, with waitErr set
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill() // ErrProcessDone when it already exited
		<-exited
	})

	sim := parseSimulate(t, c.ok(append([]string{"simulate", "--bucket", w.Bucket, "--topic-arn", w.TopicARN, "--files", "5",
		"--events-per-file", "40", "--seed", strconv.FormatInt(time.Now().UnixNano(), 10), "--quiet"}, aws...)...))
	_, ids := bucketEventIDs(t, emu, w.Bucket)
	if len(ids) != sim.events {
		t.Fatalf("bucket has %d records, simulate reported %d", len(ids), sim.events)
	}

	// Wait until the collector has stored everything, asking it.
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case <-exited:
			t.Fatalf("the collector exited: %v\n%s", waitErr, stderr.String())
		default:
		}
		r := c.run("sql", "--format", "csv", `SELECT count(*) AS n FROM events`)
		if r.code == 0 && r.stdout == "n\n"+strconv.Itoa(sim.events)+"\n" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the store did not reach %d events while collecting; last query:\n%s\ncollector:\n%s", sim.events, r, stderr.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if _, err := os.Stat(filepath.Join(c.store, "cairn.sock")); err != nil {
		t.Fatalf("the collector serves no query socket: %v", err)
	}

	// Refusals hold on the socket path too.
	copyTo := filepath.Join(t.TempDir(), "x.csv")
	for _, q := range []string{`DELETE FROM objects`, `SELECT 1; DELETE FROM events_data`, `COPY (SELECT 1) TO '` + copyTo + `'`,
		`SELECT * FROM read_csv('/etc/passwd')`, `ATTACH '` + copyTo + `.db' AS x`, `SET enable_external_access = true`} {
		if r := c.run("sql", q); r.code == 0 || r.stdout != "" {
			t.Errorf("%s: accepted while collecting\n%s", q, r)
		}
	}
	for _, p := range []string{copyTo, copyTo + ".db"} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s was created (%v)", p, err)
		}
	}

	queries := []string{
		`SELECT event_id, time, read_only, record_index, s3_bucket FROM events ORDER BY event_id LIMIT 7`,
		`SELECT count(*) AS n, count(DISTINCT event_id) AS d, max(record_index) AS m FROM events`,
		`SELECT 9007199254740993::BIGINT AS big, 1.25::DECIMAL(5,2) AS dec, NULL AS z, [1, 2] AS l, {'a': 'b'} AS s, TIMESTAMP '2024-01-02 03:04:05.5' AS ts`,
		`SELECT kind, count(*) AS n FROM objects GROUP BY ALL`,
	}
	formats := []string{"json", "csv", "table"}
	live := map[string]string{}
	for _, q := range queries {
		for _, f := range formats {
			live[f+q] = c.ok("sql", "--format", f, q).stdout
		}
	}
	if !strings.Contains(live["csv"+queries[1]], strconv.Itoa(sim.events)+","+strconv.Itoa(sim.events)+",") {
		t.Errorf("live count: %s, want %d events, all distinct", live["csv"+queries[1]], sim.events)
	}

	// SIGTERM stops the collector cleanly; then the store opens directly.
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
		if waitErr != nil {
			t.Fatalf("collector exit after SIGTERM: %v\n%s", waitErr, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("the collector did not stop within 15s of SIGTERM\n%s", stderr.String())
	}
	if _, err := os.Stat(filepath.Join(c.store, "cairn.sock")); !os.IsNotExist(err) {
		t.Errorf("the query socket is left behind (%v)", err)
	}
	for _, q := range queries {
		for _, f := range formats {
			if direct := c.ok("sql", "--format", f, q).stdout; direct != live[f+q] {
				t.Errorf("--format %s %s\nwhile collecting:\n%s\nfrom the store:\n%s", f, q, live[f+q], direct)
			}
		}
	}
	if got := c.column(`SELECT event_id FROM events ORDER BY event_id`, "event_id"); strings.Join(got, ",") != strings.Join(ids, ",") {
		t.Errorf("stored events differ from the bucket's")
	}
}
