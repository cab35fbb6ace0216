package ingest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cairn-sec/cairn/ingest"
	"github.com/cairn-sec/cairn/simulate"
)

// Every notification shape, through the emulator: all events stored once,
// the queue and its DLQ empty at the end.
func TestCollectorNotificationShapes(t *testing.T) {
	e := newEnv(t, 3)
	var ids []string
	files := func(n int) []simulate.File {
		var fs []simulate.File
		for range n {
			f := e.put()
			ids = append(ids, f.EventIDs...)
			fs = append(fs, f)
		}
		return fs
	}
	now := time.Now().UTC()
	s3obj := func(f simulate.File) simulate.S3Object {
		return simulate.S3Object{Key: f.Key, Size: int64(len(f.Body)), ETag: "x"}
	}
	// CloudTrail's own message, several keys, through SNS (enveloped).
	fs := files(3)
	e.publish(simulate.CloudTrailMessage(e.w.Bucket, fs[0].Key, fs[1].Key, fs[2].Key))
	// CloudTrail's message delivered raw.
	fs = files(2)
	e.send(simulate.CloudTrailMessage(e.w.Bucket, fs[0].Key, fs[1].Key))
	// S3 event notification with several records, through SNS.
	fs = files(2)
	e.publish(simulate.S3EventMessage(e.w.Bucket, "us-east-1", now, s3obj(fs[0]), s3obj(fs[1])))
	// S3 event notification raw.
	fs = files(1)
	e.send(simulate.S3EventMessage(e.w.Bucket, "us-east-1", now, s3obj(fs[0])))
	// S3 event wrapped in an SNS envelope, sent straight to SQS.
	fs = files(1)
	e.send(simulate.SNSEnvelope("arn:aws:sns:us-east-1:000000000000:x", "Amazon S3 Notification", simulate.S3EventMessage(e.w.Bucket, "us-east-1", now, s3obj(fs[0])), now))
	// EventBridge Object Created.
	fs = files(1)
	e.send(simulate.EventBridgeMessage("000000000000", e.w.Bucket, "us-east-1", now, s3obj(fs[0])))
	// A key that needs URL decoding: a space and a plus.
	f, _ := e.gen.NextFile()
	key := strings.Replace(f.Key, ".json.gz", " copy+1.json.gz", 1)
	e.putBody(key, f.Body)
	ids = append(ids, f.EventIDs...)
	e.send(simulate.S3EventMessage(e.w.Bucket, "us-east-1", now, simulate.S3Object{Key: key, Size: int64(len(f.Body))}))
	// The same object announced twice (redelivery, or trail + S3 event).
	e.send(simulate.CloudTrailMessage(e.w.Bucket, fs[0].Key))
	// Ignored: S3 test event (raw and via SNS) and a subscription confirmation.
	e.send(simulate.S3TestEvent(e.w.Bucket, now))
	e.publish(simulate.S3TestEvent(e.w.Bucket, now))
	e.send([]byte(`{"Type":"SubscriptionConfirmation","MessageId":"m","Token":"t","TopicArn":"arn:aws:sns:us-east-1:000000000000:x","Message":"You have chosen to subscribe","SubscribeURL":"https://example.com","Timestamp":"2026-01-01T00:00:00Z","SignatureVersion":"1","Signature":"x","SigningCertURL":"https://example.com"}`))

	s := e.collect(ingest.CollectorOptions{Workers: 4})
	e.assertExactlyOnce(ids)
	if s.Ignored != 3 {
		t.Errorf("ignored %d messages, want 3", s.Ignored)
	}
	if s.Skipped != 1 {
		t.Errorf("skipped %d objects, want 1 (the object announced twice)", s.Skipped)
	}
	if n := e.count(`SELECT count(*) FROM events WHERE s3_key = ?`, key); n != int64(len(f.EventIDs)) {
		t.Errorf("URL-decoded key: %d events", n)
	}
	if v, f := e.depth(e.w.QueueURL); v+f != 0 {
		t.Errorf("queue not empty: %d visible, %d in flight", v, f)
	}
	if v, f := e.depth(e.w.DLQURL); v+f != 0 {
		t.Errorf("DLQ not empty: %d", v+f)
	}
	if n := e.count(`SELECT count(*) FROM ingest_errors`); n != 0 {
		t.Errorf("%d ingest errors", n)
	}
}

// Digest files are recorded in the ledger but not parsed; Insights files
// are stored as events.
func TestCollectorDigestAndInsight(t *testing.T) {
	e := newEnv(t, 3)
	log := e.put()
	ins, err := e.gen.InsightFile()
	if err != nil {
		t.Fatal(err)
	}
	e.putBody(ins.Key, ins.Body)
	dig, err := e.gen.DigestFile([]string{log.Key})
	if err != nil {
		t.Fatal(err)
	}
	e.putBody(dig.Key, dig.Body)
	e.publish(simulate.CloudTrailMessage(e.w.Bucket, log.Key, ins.Key, dig.Key))
	e.collect(ingest.CollectorOptions{})
	e.assertExactlyOnce(append(append([]string{}, log.EventIDs...), ins.EventIDs...))
	if n := e.count(`SELECT count(*) FROM objects WHERE kind = 'cloudtrail-digest' AND key = ?`, dig.Key); n != 1 {
		t.Errorf("digest not recorded: %d", n)
	}
	if n := e.count(`SELECT count(*) FROM events WHERE event_type = 'AwsCloudTrailInsight'`); n != int64(len(ins.EventIDs)) || n == 0 {
		t.Errorf("insight events stored %d, want %d", n, len(ins.EventIDs))
	}
}

// A large object streams through its own transaction in chunks.
func TestCollectorLargeObjectStreams(t *testing.T) {
	e := newEnv(t, 3)
	big := simulate.NewGenerator(simulate.Options{Seed: time.Now().UnixNano(), EventsPerFile: 3000, Bucket: e.w.Bucket})
	f, err := big.NextFile()
	if err != nil {
		t.Fatal(err)
	}
	e.putBody(f.Key, f.Body)
	small := e.put()
	e.publish(simulate.CloudTrailMessage(e.w.Bucket, f.Key, small.Key))
	col := ingest.NewCollector([]ingest.Source{{Queue: e.queue(), Processor: e.processor(256 << 10)}},
		ingest.CollectorOptions{Drain: true, RetryBackoff: time.Second}, e.m, e.log)
	if err := col.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	e.assertExactlyOnce(append(append([]string{}, f.EventIDs...), small.EventIDs...))
	if n := e.count(`SELECT events FROM objects WHERE key = ?`, f.Key); n != 3000 {
		t.Errorf("ledger events %d", n)
	}
}
