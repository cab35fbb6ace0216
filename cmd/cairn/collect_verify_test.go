package main

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/cairn-sec/cairn/awstest"
	"github.com/cairn-sec/cairn/digest"
	"github.com/cairn-sec/cairn/digest/digesttest"
	"github.com/cairn-sec/cairn/emulator/emutest"
)

// TestCollectVerifiesDigests delivers signed digest chains and their log
// files through S3 → SQS to cairn collect with collect.verify_digests on,
// with one log file modified, one deleted before delivery, one digest with
// a bad signature and one whose chain link is wrong, and checks the
// alerts raised — and that nothing valid raised one.
func TestCollectVerifiesDigests(t *testing.T) {
	e := emutest.Start(t)
	w := emutest.Wire(t, e, 5, time.Minute)
	d := newAWSDouble(t, e)
	c := newCLI(t)
	key := digesttest.NewKey(t)
	now := time.Now().UTC().Truncate(time.Minute)
	d.CloudTrail.AddKey("us-east-1", awstest.PublicKey{DER: x509.MarshalPKCS1PublicKey(&key.Private.PublicKey), Fingerprint: key.Fingerprint,
		Start: now.AddDate(0, -1, 0), End: now.AddDate(0, 1, 0)})
	sq := sqs.NewFromConfig(e.Config())
	notify := func(k string) {
		body, _ := json.Marshal(map[string]any{"Records": []any{map[string]any{"eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
			"eventName": "ObjectCreated:Put", "s3": map[string]any{"bucket": map[string]any{"name": w.Bucket}, "object": map[string]any{"key": k}}}}})
		if _, err := sq.SendMessage(awsCtx(t), &sqs.SendMessageInput{QueueUrl: aws.String(w.QueueURL), MessageBody: aws.String(string(body))}); err != nil {
			t.Fatal(err)
		}
	}
	var keys []string
	put := func(k string, body []byte, meta map[string]string) {
		putObjectMeta(t, e, w.Bucket, k, body, meta)
		keys = append(keys, k)
	}
	a := &digesttest.Trail{Bucket: w.Bucket, Account: "111111111111", Region: "us-east-1", Name: "main", Key: key, Put: put}
	var logs []string
	for i := range 3 {
		end := now.Add(time.Duration(i-3) * time.Hour)
		l := []string{a.LogFile(end.Add(-40 * time.Minute)), a.LogFile(end.Add(-10 * time.Minute))}
		logs = append(logs, l...)
		a.Digest(end, nil, l...)
	}
	// The fourth digest's link to the third is wrong (signed as is).
	l4 := a.LogFile(now.Add(-5 * time.Minute))
	broken := a.Digest(now, func(d *digest.Digest) { bad := strings.Repeat("ab", 256); d.PreviousDigestSignature = &bad }, l4)
	// Someone rewrites a log file after CloudTrail digested it.
	modified := logs[2]
	putObjectMeta(t, e, w.Bucket, modified, digesttest.Gzip([]byte(`{"Records":[]}`)), nil)

	// Another trail: a digest long past listing a log file that was
	// deleted before Cairn saw it, and a digest whose signature is forged.
	b := &digesttest.Trail{Bucket: w.Bucket, Account: "222222222222", Region: "us-east-1", Name: "other", Key: key, Put: put}
	gone := b.LogFile(now.Add(-201 * time.Hour))
	b.Digest(now.Add(-200*time.Hour), nil, gone)
	deleteObject(t, e, w.Bucket, gone)
	keys = slices.DeleteFunc(keys, func(k string) bool { return k == gone })
	b.Break()
	kept := b.LogFile(now.Add(-70 * time.Minute))
	forged := b.Digest(now.Add(-time.Hour), nil, kept)
	putObjectMeta(t, e, w.Bucket, forged, bucketObjects(t, e, w.Bucket)[forged], map[string]string{"signature": strings.Repeat("00", 256), "signature-algorithm": "SHA256withRSA"})
	for _, k := range keys {
		notify(k)
	}

	cfg := fmt.Sprintf("aws:\n  region: us-east-1\n  endpoint_url: %s\nqueues:\n  - url: %s\ncollect:\n  verify_digests: true\n  verify_grace: 100h\n", d.URL, w.QueueURL)
	if err := os.WriteFile(filepath.Join(c.work, "cairn.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	r := c.ok("collect", "--drain")
	rows := c.query("SELECT rule_id, group_key FROM alerts WHERE kind = 'integrity' ORDER BY rule_id, group_key")
	var got []string
	for _, row := range rows {
		got = append(got, fmt.Sprintf("%v %v", row["rule_id"], row["group_key"]))
	}
	s3url := func(k string) string { return "s3://" + w.Bucket + "/" + k }
	want := []string{
		"digest.broken-chain " + s3url(broken),
		"digest.invalid-digest " + s3url(forged),
		"digest.missing-log " + s3url(gone),
		"digest.modified-log " + s3url(modified),
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("integrity alerts:\n%s\nwant:\n%s\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), r)
	}
	st := c.query("SELECT status, count(*) AS n FROM digest_checks GROUP BY ALL ORDER BY status")
	if fmt.Sprint(st) != "[map[n:1 status:invalid] map[n:3 status:problems] map[n:2 status:valid]]" {
		t.Errorf("digest checks: %v", st)
	}
	if n := c.count("SELECT count(*) FROM objects WHERE kind = 'cloudtrail' AND length(sha256) = 64"); n != int64(len(logs)+2) {
		t.Errorf("%d log files with a SHA-256 in the ledger, want %d", n, len(logs)+2)
	}

	// A digest that arrives before its log file waits for it: no alert,
	// status pending; once the log file is ingested, it verifies.
	keys = nil
	late := a.LogFile(now.Add(-2 * time.Minute))
	a.Break()
	early := a.Digest(now.Add(time.Minute), nil, late)
	notify(early)
	c.ok("collect", "--drain")
	if st := c.query("SELECT status FROM digest_checks WHERE key = '" + early + "'"); fmt.Sprint(st) != "[map[status:pending]]" {
		t.Errorf("digest before its log file: %v", st)
	}
	notify(late)
	c.ok("collect", "--drain")
	if st := c.query("SELECT status FROM digest_checks WHERE key = '" + early + "'"); fmt.Sprint(st) != "[map[status:valid]]" {
		t.Errorf("digest after its log file: %v", st)
	}
	if n := c.count("SELECT count(*) FROM alerts WHERE kind = 'integrity'"); n != int64(len(want)+1) {
		t.Errorf("%d integrity alerts, want %d (the earlier ones and the chain gap)", n, len(want)+1)
	}
}
