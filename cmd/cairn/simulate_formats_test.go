package main

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-sec/cairn/emulator/emutest"
	simpkg "github.com/cairn-sec/cairn/simulate"
	"github.com/cairn-sec/cairn/sqs"
)

// TestSimulateEveryFormat plays every format simulate knows, under each
// one's real key layout, through S3 → SNS → SQS of the emulator into
// collect --drain: every event arrives exactly once, in its source, with
// no ingest error; playing the same files again stores nothing twice.
func TestSimulateEveryFormat(t *testing.T) {
	emu := emutest.Start(t)
	c := newCLI(t)
	w := emutest.Wire(t, emu, 5, 30*time.Second)
	aws := []string{"--endpoint-url", emu.Endpoint, "--region", "us-east-1"}
	const perFile, rounds = 20, 2
	sources := map[string][]string{ // simulate format → the sources its events land in
		"cloudtrail": {"aws.cloudtrail"}, "vpcflow": {"aws.vpcflow"}, "route53resolver": {"aws.route53resolver"},
		"cwlogs-eks": {"aws.eks.audit", "aws.eks"}, "cwlogs": {"aws.cloudwatch_logs"}, "application": {"application"},
		"s3access": {"aws.s3access"}, "alb": {"aws.alb"},
	}
	files := rounds * len(sources)
	simulate := append([]string{"simulate", "--bucket", w.Bucket, "--topic-arn", w.TopicARN, "--shape", "s3", "--format", "all",
		"--files", strconv.Itoa(files), "--events-per-file", strconv.Itoa(perFile), "--keys-per-message", "3", "--seed", "4242", "--quiet"}, aws...)
	sim := parseSimulate(t, c.ok(simulate...))
	if sim.files != files || sim.events != files*perFile {
		t.Fatalf("simulate summary %+v, want %d files, %d events", sim, files, files*perFile)
	}
	c.ok(append([]string{"collect", "--drain", "--queue-url", w.QueueURL}, aws...)...)

	for format, srcs := range sources {
		q := `SELECT count(*) FROM events WHERE source IN (`
		for i, s := range srcs {
			if i > 0 {
				q += ", "
			}
			q += "'" + s + "'"
		}
		if n := c.count(q + `)`); n != rounds*perFile {
			t.Errorf("%s: %d events in %v, want %d", format, n, srcs, rounds*perFile)
		}
	}
	if n, d := c.count(`SELECT count(*) FROM events`), c.count(`SELECT count(DISTINCT event_id) FROM events`); n != int64(sim.events) || d != n {
		t.Errorf("%d events (%d distinct IDs), want %d", n, d, sim.events)
	}
	if n := c.count(`SELECT count(*) FROM ingest_errors`); n != 0 {
		t.Fatalf("%d ingest errors: %v", n, c.query(`SELECT key, reason, detail FROM ingest_errors`))
	}
	if n := c.count(`SELECT count(DISTINCT kind) FROM objects`); n != 7 {
		t.Errorf("%d object kinds in the ledger, want 7: %v", n, c.query(`SELECT kind, count(*) n FROM objects GROUP BY 1`))
	}
	// A few columns per format, to see each went through its own decoder.
	for what, q := range map[string]string{
		"eks audit":   `SELECT count(*) FROM events WHERE source = 'aws.eks.audit' AND cluster = 'prod-east' AND class_uid = 6003 AND event_name IS NOT NULL AND user_name IS NOT NULL`,
		"flow":        `SELECT count(*) FROM events WHERE source = 'aws.vpcflow' AND dst_port IS NOT NULL AND class_uid = 4001`,
		"dns":         `SELECT count(*) FROM events WHERE source = 'aws.route53resolver' AND query_name IS NOT NULL`,
		"application": `SELECT count(*) FROM events WHERE source = 'application' AND pod IS NOT NULL AND namespace = 'payments' AND message IS NOT NULL`,
		"alb":         `SELECT count(*) FROM events WHERE source = 'aws.alb' AND http_status IS NOT NULL AND class_uid = 4002`,
		"s3 access":   `SELECT count(*) FROM events WHERE source = 'aws.s3access' AND http_method IS NOT NULL AND user_arn IS NOT NULL`,
	} {
		if n := c.count(q); n == 0 {
			t.Errorf("%s: no event with its columns filled", what)
		}
	}

	// Every object announced again (a redelivered notification), and one
	// Firehose object written again under a new key (Firehose retries):
	// every message handled, nothing stored twice.
	before := c.count(`SELECT count(*) FROM events`)
	q := sqs.New(emu.Config(), w.QueueURL)
	var cwl string
	for key, body := range bucketObjects(t, emu, w.Bucket) {
		if strings.HasPrefix(key, "firehose/cwlogs-eks/") {
			cwl = key
		}
		if err := q.Publish(awsCtx(t), simpkg.S3EventMessage(w.Bucket, "us-east-1", time.Now(), simpkg.S3Object{Key: key, Size: int64(len(body))})); err != nil {
			t.Fatal(err)
		}
	}
	body := bucketObjects(t, emu, w.Bucket)[cwl]
	putObject(t, emu, w.Bucket, cwl+"-retry", body)
	if err := q.Publish(awsCtx(t), simpkg.S3EventMessage(w.Bucket, "us-east-1", time.Now(), simpkg.S3Object{Key: cwl + "-retry", Size: int64(len(body))})); err != nil {
		t.Fatal(err)
	}
	c.ok(append([]string{"collect", "--drain", "--queue-url", w.QueueURL}, aws...)...)
	if after := c.count(`SELECT count(*) FROM events`); after != before {
		t.Errorf("replay stored %d more events", after-before)
	}
	for _, q := range []string{w.QueueURL, w.DLQURL} {
		if v, f := queueDepth(t, emu, q); v != 0 || f != 0 {
			t.Errorf("%s not empty after the drain: %s", q, fmt.Sprint(v, " visible, ", f, " in flight"))
		}
	}
}
