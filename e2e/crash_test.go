package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestCrashRecovery runs the collector as a subprocess, SIGKILLs it at
// random moments at least 20 times while a stream of CloudTrail files flows,
// restarting it each time, then drains the queue and checks that no event
// was lost, none duplicated and no message left behind.
func TestCrashRecovery(t *testing.T) {
	const (
		minKills = 20
		maxKills = 60
		minDelay = 200 * time.Millisecond
		maxDelay = 1500 * time.Millisecond
	)
	// maxReceive is far above the number of kills: crashes alone must
	// never push a message to the dead-letter queue.
	e := newEnv(t, 100)
	seed := testSeed(t)
	rng := newRand(seed)
	start := time.Now()
	pr := e.produce(seed, flow{files: 120, eventsPerFile: 50, maxKeys: 3, over: 20 * time.Second})

	var kills, progressed, withWork int
	var last int64
	for i := 0; i < maxKills && (i < minKills || !pr.finished()); i++ {
		p := e.start(fmt.Sprintf("collect-%02d", i), e.collectArgs()...)
		if i == 0 {
			// The first life creates the store: kill it only once its schema
			// exists, so the consistency checks below have tables to read
			// (a slow machine can take longer than minDelay to migrate).
			for deadline := time.Now().Add(60 * time.Second); !strings.Contains(tailFile(p.logPath, 200, false), "collecting"); {
				if time.Now().After(deadline) || p.exited() {
					t.Fatalf("run 00: the collector never started collecting; log tail:\n%s", p.tail(40))
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		delay := minDelay + time.Duration(rng.Int64N(int64(maxDelay-minDelay)))
		if p.wait(delay) {
			t.Fatalf("run %02d: the collector exited by itself (%v) before the kill; log tail:\n%s", i, p.err, p.tail(40))
		}
		p.kill(t)
		kills++
		if p.exitCode() != -1 {
			t.Fatalf("run %02d: exit code %d after SIGKILL, want death by signal", i, p.exitCode())
		}
		// Between two lives the store must be consistent: every object's
		// events committed with its ledger row, nothing twice.
		c := e.ints(`SELECT count(*) AS n, count(DISTINCT event_id) AS d,
				(SELECT count(*) FROM objects) AS o, (SELECT coalesce(sum(events), 0) FROM objects) AS oe FROM events`,
			"n", "d", "o", "oe")
		n, distinct, objects, ledgerEvents := c[0], c[1], c[2], c[3]
		if distinct != n {
			t.Fatalf("run %02d: %d events stored but only %d distinct event IDs after the kill", i, n, distinct)
		}
		if ledgerEvents != n {
			t.Fatalf("run %02d: the objects ledger accounts for %d events but events holds %d: a commit was torn", i, ledgerEvents, n)
		}
		visible, inFlight := e.depth(e.w.QueueURL)
		if n > last {
			progressed++
		}
		if inFlight > 0 {
			withWork++
		}
		t.Logf("run %02d: killed after %4dms: %5d events (+%4d) in %3d objects; queue %3d visible, %2d in flight",
			i, delay.Milliseconds(), n, n-last, objects, visible, inFlight)
		last = n
	}
	pr.wait(e, 2*time.Minute)
	ids, files := pr.snapshot()
	t.Logf("%d kills in %v; %d runs made progress, %d kills left messages in flight; %d of %d events stored before the drain",
		kills, time.Since(start).Round(time.Millisecond), progressed, withWork, last, len(ids))
	if kills < minKills {
		t.Fatalf("only %d kills, want at least %d", kills, minKills)
	}
	if progressed == 0 {
		t.Fatalf("no collector run committed anything before being killed: the crash loop tested nothing")
	}
	if len(files) != 120 {
		t.Fatalf("producer made %d files, want 120", len(files))
	}

	e.drain("drain", 3*time.Minute)
	e.assertExactlyOnce(pr)
	t.Logf("total %v", time.Since(start).Round(time.Millisecond))
}
