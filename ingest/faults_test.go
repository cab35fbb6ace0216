package ingest_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-sec/cairn/emulator"
	"github.com/cairn-sec/cairn/ingest"
	"github.com/cairn-sec/cairn/simulate"
)

func gz(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// Bad objects are recorded in ingest_errors, their messages are never
// deleted (they reach the DLQ through the redrive policy), and good objects
// around them are stored.
func TestCollectorBadObjects(t *testing.T) {
	e := newEnv(t, 2)
	good := e.put()
	ids := append([]string{}, good.EventIDs...)
	e.publish(simulate.CloudTrailMessage(e.w.Bucket, good.Key))

	base, _ := e.gen.NextFile()
	cases := map[string][]byte{
		"corrupt-gzip":   append([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}, bytes.Repeat([]byte{0xde, 0xad}, 500)...),
		"truncated-gzip": base.Body[:len(base.Body)/2],
		"not-json":       gz([]byte("this is not a CloudTrail log\n")),
		"no-records":     gz([]byte(`{"foo":[1,2,3]}`)),
	}
	want := map[string]string{"corrupt-gzip": "corrupt", "truncated-gzip": "corrupt", "not-json": "corrupt", "no-records": "corrupt", "missing": "not_found"}
	for name, body := range cases {
		key := "AWSLogs/111111111111/CloudTrail/us-east-1/2026/01/01/" + name + ".json.gz"
		e.putBody(key, body)
		e.publish(simulate.CloudTrailMessage(e.w.Bucket, key))
	}
	e.publish(simulate.CloudTrailMessage(e.w.Bucket, "AWSLogs/111111111111/CloudTrail/us-east-1/2026/01/01/missing.json.gz"))

	// One bad record inside a good object: stored as an error, the rest commits.
	mixed, _ := e.gen.NextFile()
	zr, _ := gzip.NewReader(bytes.NewReader(mixed.Body))
	var raw bytes.Buffer
	raw.ReadFrom(zr)
	body := strings.Replace(raw.String(), `"Records":[`, `"Records":[{"eventVersion":"1.08","eventName":12 ,"bad":},"not a record",`, 1)
	e.putBody(mixed.Key, gz([]byte(body)))
	e.publish(simulate.CloudTrailMessage(e.w.Bucket, mixed.Key))
	ids = append(ids, mixed.EventIDs...)

	s := e.collect(ingest.CollectorOptions{RetryBackoff: time.Second})
	e.assertExactlyOnce(ids)
	for name, reason := range want {
		if n := e.count(`SELECT count(*) FROM ingest_errors WHERE key LIKE ? AND reason = ? AND record_index = -1`, "%/"+name+".json.gz", reason); n < 1 {
			t.Errorf("%s: no ingest error with reason %s; logs:\n%s", name, reason, e.logs.String())
		}
	}
	if n := e.count(`SELECT count(*) FROM ingest_errors WHERE key = ? AND reason = 'bad_record'`, mixed.Key); n != 2 {
		t.Errorf("bad records in a good object: %d errors, want 2", n)
	}
	if n := e.count(`SELECT count(*) FROM objects WHERE key LIKE '%2026/01/01/%'`); n != 0 {
		t.Errorf("%d bad objects in the ledger", n)
	}
	// Five bad messages, each received twice, then moved to the DLQ.
	if v, f := e.depth(e.w.DLQURL); v != 5 {
		t.Errorf("DLQ holds %d visible (%d in flight), want the 5 bad messages", v, f)
	}
	if s.Deleted != 2 || s.Released < 10 {
		t.Errorf("deleted %d (want 2), released %d (want ≥ 10)", s.Deleted, s.Released)
	}
}

// A message of an unknown shape is left for the DLQ with an error naming
// the shape; it never stops the collector.
func TestCollectorUnknownNotification(t *testing.T) {
	e := newEnv(t, 2)
	e.send([]byte(`{"hello":"world","n":1}`))
	e.send([]byte(`not json at all`))
	good := e.put()
	e.send(simulate.CloudTrailMessage(e.w.Bucket, good.Key))
	e.collect(ingest.CollectorOptions{RetryBackoff: time.Second})
	e.assertExactlyOnce(good.EventIDs)
	if v, _ := e.depth(e.w.DLQURL); v != 2 {
		t.Errorf("DLQ holds %d, want 2", v)
	}
	logs := e.logs.String()
	for _, want := range []string{"unknown notification shape", "hello", "not JSON"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs do not mention %q:\n%s", want, logs)
		}
	}
}

// The emulator stops mid-run: the collector backs off without crashing or
// losing anything, and carries on when it returns.
func TestCollectorSurvivesEmulatorRestart(t *testing.T) {
	e := newEnv(t, 5)
	q := e.queue()
	col := ingest.NewCollector([]ingest.Source{{Queue: q, Processor: e.processor(0)}},
		ingest.CollectorOptions{WaitTime: time.Second, RetryBackoff: time.Second}, e.m, e.log)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	var runErr error
	go func() { defer wg.Done(); runErr = col.Run(ctx) }()
	defer func() { cancel(); wg.Wait() }()

	var ids []string
	batch := func() {
		for range 5 {
			f := e.put()
			ids = append(ids, f.EventIDs...)
			e.publish(simulate.CloudTrailMessage(e.w.Bucket, f.Key))
		}
	}
	waitFor := func(n int) {
		deadline := time.Now().Add(60 * time.Second)
		for e.count(`SELECT count(*) FROM events`) < int64(n) {
			if time.Now().After(deadline) {
				t.Fatalf("stored %d of %d events; logs:\n%s", e.count(`SELECT count(*) FROM events`), n, e.logs.String())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	batch()
	waitFor(len(ids))

	if err := e.emu.Stop(); err != nil {
		t.Fatal(err)
	}
	// The collector sees connection errors and backs off.
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(e.logs.String(), "receive failed; backing off"); {
		if time.Now().After(deadline) {
			t.Fatalf("no back-off logged while the emulator was down; logs:\n%s", e.logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := e.emu.Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	// fauxqs keeps its state in memory: recreate the same wiring.
	if _, err := emulator.Provision(context.Background(), e.emu.Config(), emulator.WiringOptions{
		Bucket: e.w.Bucket, Topic: strings.TrimPrefix(e.w.TopicARN[strings.LastIndex(e.w.TopicARN, ":")+1:], ""),
		Queue: e.w.QueueURL[strings.LastIndex(e.w.QueueURL, "/")+1:], MaxReceiveCount: 5, Visibility: 30 * time.Second,
	}); err != nil {
		t.Fatal(err)
	}
	batch()
	waitFor(len(ids))
	cancel()
	wg.Wait()
	if runErr != nil {
		t.Fatalf("collector returned %v", runErr)
	}
	e.assertExactlyOnce(ids)
}
