package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-sec/cairn/emulator"
	"github.com/cairn-sec/cairn/emulator/emutest"
)

var simulateRE = regexp.MustCompile(`simulate: wrote (\d+) files \((\d+) events, [0-9.]+ MB gzip\) to s3://(\S+) and published (\d+) (\S+) notifications to (\S+) in `)

// simSummary is simulate's final line.
type simSummary struct {
	files, events, messages int
	bucket, shape, target   string
}

func parseSimulate(t *testing.T, r result) simSummary {
	t.Helper()
	m := simulateRE.FindStringSubmatch(r.stderr)
	if m == nil {
		t.Fatalf("no simulate summary in the output\n%s", r)
	}
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	return simSummary{files: atoi(m[1]), events: atoi(m[2]), messages: atoi(m[4]), bucket: m[3], shape: m[5], target: m[6]}
}

// logRecord finds the first JSON log record with msg in stderr.
func logRecord(t *testing.T, r result, msg string) map[string]any {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(r.stderr))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var rec map[string]any
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec["msg"] == msg {
			return rec
		}
	}
	t.Fatalf("no %q log record\n%s", msg, r)
	return nil
}

// bucketEventIDs reads every log file in the bucket: the number of files
// and the sorted event IDs in them.
func bucketEventIDs(t *testing.T, emu *emulator.Emulator, bucket string) (files int, ids []string) {
	t.Helper()
	for key, body := range bucketObjects(t, emu, bucket) {
		if !strings.Contains(key, "/CloudTrail/") || !strings.HasSuffix(key, ".json.gz") {
			t.Fatalf("unexpected object s3://%s/%s", bucket, key)
		}
		files++
		ids = append(ids, eventIDs(t, gunzip(t, body))...)
	}
	sort.Strings(ids)
	return files, ids
}

// TestSimulateCollectDrain plays every notification shape simulate knows
// through the emulator and drains the queue with collect --drain: every
// event in the bucket is stored once, every message is deleted, and the
// drain ends promptly once the queue is empty.
func TestSimulateCollectDrain(t *testing.T) {
	emu := emutest.Start(t)
	cases := []struct {
		name    string
		shape   string
		toTopic bool // publish to the SNS topic (subscribed by the queue) rather than the queue
		keys    int  // --keys-per-message
		extra   []string
	}{
		{"cloudtrail-via-sns", "cloudtrail", true, 3, nil},
		{"s3-event-via-sns", "s3", true, 2, nil},
		{"s3-event-to-queue", "s3", false, 1, nil},
		{"eventbridge-to-queue", "eventbridge", false, 2, nil},
		{"cloudtrail-sns-envelope-to-queue", "cloudtrail", false, 1, []string{"--wrap-sns"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newCLI(t)
			w := emutest.Wire(t, emu, 5, 30*time.Second)
			aws := []string{"--endpoint-url", emu.Endpoint, "--region", "us-east-1"}
			const files, perFile = 7, 25
			target := []string{"--queue-url", w.QueueURL}
			if tc.toTopic {
				target = []string{"--topic-arn", w.TopicARN}
			}
			args := append([]string{"simulate", "--bucket", w.Bucket, "--shape", tc.shape, "--files", strconv.Itoa(files),
				"--events-per-file", strconv.Itoa(perFile), "--keys-per-message", strconv.Itoa(tc.keys),
				"--seed", strconv.FormatUint(rand.Uint64()>>1|1, 10), "--quiet"}, target...)
			sim := parseSimulate(t, c.ok(append(append(args, tc.extra...), aws...)...))

			// What the simulator says it did, and what is really in the bucket.
			wantMessages := (files + tc.keys - 1) / tc.keys
			if tc.shape == "eventbridge" { // one object per event
				wantMessages = files
			}
			if sim.files != files || sim.events != files*perFile || sim.messages != wantMessages || sim.bucket != w.Bucket ||
				sim.shape != tc.shape || sim.target != target[1] {
				t.Fatalf("simulate summary %+v: want %d files, %d events, %d %s messages to %s", sim, files, files*perFile, wantMessages, tc.shape, target[1])
			}
			nFiles, ids := bucketEventIDs(t, emu, w.Bucket)
			if nFiles != sim.files || len(ids) != sim.events {
				t.Fatalf("the bucket holds %d files with %d records; simulate reported %d files, %d events", nFiles, len(ids), sim.files, sim.events)
			}
			if v, f := queueDepth(t, emu, w.QueueURL); v+f != sim.messages {
				t.Fatalf("queue holds %d+%d messages, simulate published %d", v, f, sim.messages)
			}

			r := c.ok(append([]string{"collect", "--drain", "--queue-url", w.QueueURL, "--log-format", "json"}, aws...)...)
			drain := r.elapsed
			if r.elapsed > 10*time.Second {
				t.Errorf("collect --drain took %v for %d small files, want well under 10s", r.elapsed, sim.files)
			}
			stopped := logRecord(t, r, "collector stopped")
			for k, want := range map[string]int{"messages": sim.messages, "deleted": sim.messages, "objects": sim.files, "events": sim.events, "failed": 0} {
				if got := fmt.Sprint(stopped[k]); got != strconv.Itoa(want) {
					t.Errorf("collector summary %s = %s, want %d (%v)", k, got, want, stopped)
				}
			}

			stored := c.column(`SELECT event_id FROM events ORDER BY event_id`, "event_id")
			if !slices.Equal(stored, ids) {
				t.Fatalf("stored %d events, the bucket holds %d: the sets differ", len(stored), len(ids))
			}
			if d := c.count(`SELECT count(DISTINCT event_id) FROM events`); d != int64(len(ids)) {
				t.Fatalf("%d distinct event IDs among %d events", d, len(ids))
			}
			if n := c.count(`SELECT count(*) FROM objects WHERE bucket = '` + w.Bucket + `'`); n != int64(sim.files) {
				t.Fatalf("ledger: %d objects, want %d", n, sim.files)
			}
			if n := c.count(`SELECT count(*) FROM ingest_errors`); n != 0 {
				t.Fatalf("%d ingest errors: %v", n, c.query(`SELECT * FROM ingest_errors`))
			}
			for _, q := range []string{w.QueueURL, w.DLQURL} {
				if v, f := queueDepth(t, emu, q); v != 0 || f != 0 {
					t.Fatalf("%s not empty after the drain: %d visible, %d in flight", q, v, f)
				}
			}

			// On an empty queue, a drain is one short receive.
			r = c.ok(append([]string{"collect", "--drain", "--queue-url", w.QueueURL}, aws...)...)
			empty := r.elapsed
			if empty > 5*time.Second {
				t.Errorf("collect --drain on an empty queue took %v, want a few seconds at most (a short poll)", r.elapsed)
			}
			t.Logf("drain of %d messages: %v; of an empty queue: %v", sim.messages, drain.Round(time.Millisecond), empty.Round(time.Millisecond))
		})
	}

	// The timing checks above only mean something if the emulator holds a
	// long poll open: an explicit --wait-time must be waited out.
	t.Run("emulator-long-polls", func(t *testing.T) {
		c := newCLI(t)
		w := emutest.Wire(t, emu, 5, 30*time.Second)
		r := c.ok("collect", "--drain", "--queue-url", w.QueueURL, "--wait-time", "3s", "--endpoint-url", emu.Endpoint, "--region", "us-east-1")
		if r.elapsed < 3*time.Second {
			t.Fatalf("collect --drain --wait-time 3s on an empty queue ended after %v: the emulator does not long-poll, so the drain timing checks prove nothing", r.elapsed)
		}
	})
}

// TestCollectUsage checks collect refuses to start without a usable queue.
func TestCollectUsage(t *testing.T) {
	c := newCLI(t)
	r := c.fails(2, "collect", "--drain")
	if !strings.Contains(r.stderr, "--queue-url") {
		t.Errorf("the error does not say how to name a queue\n%s", r)
	}
	c.fails(2, "collect", "--drain", "--queue-url", "not a url")
	c.fails(2, "collect", "--drain", "--queue-url", "http://127.0.0.1:1/q", "--wait-time", "21s")
}
