package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cairn-sec/cairn/queryapi"
)

// shutdownGrace is the collector's default shutdown grace.
const shutdownGrace = 30 * time.Second

// TestGracefulShutdown sends SIGTERM to a collector while files flow: it
// must exit 0 well within the shutdown grace, and a drain afterwards must
// leave every event stored exactly once.
func TestGracefulShutdown(t *testing.T) {
	e := newEnv(t, 5)
	seed := testSeed(t)
	pr := e.produce(seed, flow{files: 40, eventsPerFile: 50, maxKeys: 3, over: 6 * time.Second})

	p := e.start("collect", e.collectArgs()...)
	time.Sleep(3 * time.Second)
	if p.exited() {
		t.Fatalf("the collector exited by itself (%v); log tail:\n%s", p.err, p.tail(40))
	}
	before := e.mustSQL(`SELECT count(*) AS n FROM events`)
	sent := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	if !p.wait(shutdownGrace + 5*time.Second) {
		p.kill(t)
		t.Fatalf("the collector did not exit within %v of SIGTERM; log tail:\n%s", shutdownGrace+5*time.Second, p.tail(40))
	}
	took := time.Since(sent)
	if p.err != nil || p.exitCode() != 0 {
		t.Fatalf("the collector exited with %v (code %d) after SIGTERM, want 0; log tail:\n%s", p.err, p.exitCode(), p.tail(40))
	}
	if took >= shutdownGrace {
		t.Errorf("the collector took %v to stop, not less than the grace %v", took, shutdownGrace)
	}
	log, _ := os.ReadFile(p.logPath)
	if !strings.Contains(string(log), `"msg":"collector stopped"`) {
		t.Errorf("no \"collector stopped\" summary in the log:\n%s", p.tail(20))
	}
	if _, err := os.Stat(queryapi.SocketPath(e.store)); err == nil {
		t.Errorf("the query socket %s is left behind after a clean exit", queryapi.SocketPath(e.store))
	}
	visible, inFlight := e.depth(e.w.QueueURL)
	t.Logf("SIGTERM → exit 0 in %v (%v events stored when sent); queue then %d visible, %d in flight",
		took.Round(time.Millisecond), before[0]["n"], visible, inFlight)

	pr.wait(e, time.Minute)
	e.drain("drain", 3*time.Minute)
	e.assertExactlyOnce(pr)
}

// TestQueryWhileCollecting queries the store while a collector holds it:
// reads go to the collector over its Unix socket and see its commits;
// anything that writes is refused.
func TestQueryWhileCollecting(t *testing.T) {
	e := newEnv(t, 5)
	seed := testSeed(t)
	pr := e.produce(seed, flow{files: 30, eventsPerFile: 50, maxKeys: 2, over: 5 * time.Second})

	p := e.start("collect", e.collectArgs()...)
	sock := queryapi.SocketPath(e.store)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		if p.exited() || time.Now().After(deadline) {
			t.Fatalf("no query socket %s (collector exited: %v); log tail:\n%s", sock, p.exited(), p.tail(40))
		}
		time.Sleep(50 * time.Millisecond)
	}

	// Every query while the collector runs and files flow must succeed,
	// and the count must only grow until it reaches everything produced.
	var n, want, queries int64 = 0, -1, 0
	start := time.Now()
	deadline = start.Add(2 * time.Minute)
	for n != want {
		if time.Now().After(deadline) {
			t.Fatalf("the running collector's count is %d of %d events after 2 minutes", n, want)
		}
		if want < 0 && pr.finished() {
			pr.wait(e, time.Second)
			ids, _ := pr.snapshot()
			want = int64(len(ids))
		}
		got := e.ints(`SELECT count(*) AS n FROM events`, "n")[0]
		queries++
		if got < n {
			t.Fatalf("count(*) went down from %d to %d", n, got)
		}
		n = got
		if p.exited() {
			t.Fatalf("the collector exited (%v); log tail:\n%s", p.err, p.tail(40))
		}
		if n != want {
			time.Sleep(100 * time.Millisecond)
		}
	}
	t.Logf("%d queries over the socket while collecting; all %d events visible after %v", queries, n, time.Since(start).Round(time.Millisecond))
	// Reads that the store file alone could not answer while it is locked
	// by the writer: this must have come over the socket.
	rows := e.mustSQL(`SELECT event_source, count(*) AS n FROM events GROUP BY ALL ORDER BY n DESC LIMIT 3`)
	if len(rows) == 0 {
		t.Errorf("GROUP BY over a running collector returned no rows")
	}

	// Every write must fail with a non-zero exit. Statements on base
	// tables must be stopped by the read-only guard itself; on the events
	// view DuckDB's binder may refuse them first, which is as good.
	objectsBefore := e.ints(`SELECT count(*) AS n FROM objects`, "n")[0]
	for _, w := range []struct {
		stmt  string
		guard bool // refused as not read-only
	}{
		{`DELETE FROM events`, false},
		{`UPDATE events SET event_name = 'x'`, false},
		{`DROP TABLE events`, false},
		{`DROP VIEW events`, true},
		{`DELETE FROM events_data`, false},
		{`DELETE FROM objects`, true},
		{`INSERT INTO objects SELECT * FROM objects`, true},
		{`SELECT 1; DELETE FROM objects`, true},
		{`CHECKPOINT`, true},
		{`ATTACH '` + filepath.Join(e.work, "x.duckdb") + `' AS x`, false},
	} {
		res, err := e.sql(w.stmt)
		if err == nil {
			t.Errorf("%q was accepted (returned %v), want it refused", w.stmt, res)
			continue
		}
		if w.guard && !strings.Contains(err.Error(), "read-only") {
			t.Errorf("%q refused, but not by the read-only guard: %v", w.stmt, err)
		}
		t.Logf("refused as expected: %v", err)
	}
	if after := e.ints(`SELECT count(*) AS n FROM objects`, "n")[0]; after != objectsBefore {
		t.Errorf("objects has %d rows after the refused writes, want %d", after, objectsBefore)
	}
	if after := e.ints(`SELECT count(*) AS n FROM events`, "n")[0]; after != n {
		t.Errorf("count(*) is %d after the refused writes, want %d", after, n)
	}
	if p.exited() {
		t.Fatalf("the collector exited (%v); log tail:\n%s", p.err, p.tail(40))
	}

	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	if !p.wait(shutdownGrace + 5*time.Second) {
		t.Fatalf("the collector did not exit after SIGTERM; log tail:\n%s", p.tail(40))
	}
	if p.err != nil {
		t.Fatalf("the collector exited with %v; log tail:\n%s", p.err, p.tail(40))
	}
	// Without a collector, cairn sql opens the store read-only itself.
	if got := e.ints(`SELECT count(*) AS n FROM events`, "n")[0]; got != n {
		t.Errorf("read-only open sees %d events, the collector saw %d", got, n)
	}
	e.drain("drain", 3*time.Minute)
	e.assertExactlyOnce(pr)
}
