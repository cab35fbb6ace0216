package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/cairn-sec/cairn/emulator"
	"github.com/cairn-sec/cairn/emulator/emutest"
)

// notifyObject puts a gzipped CloudTrail file in the bucket and sends the
// queue an S3 event notification for it.
func notifyObject(t *testing.T, e *emulator.Emulator, w emulator.Wiring, key string, body []byte) {
	t.Helper()
	out, err := s3Client(e).PutObject(awsCtx(t), &s3.PutObjectInput{Bucket: aws.String(w.Bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
	if err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
	msg := fmt.Sprintf(`{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1","eventTime":"2026-03-01T10:00:00.000Z",
		"eventName":"ObjectCreated:Put","s3":{"s3SchemaVersion":"1.0","bucket":{"name":%q,"arn":"arn:aws:s3:::%s"},
		"object":{"key":%q,"size":%d,"eTag":%q}}}]}`, w.Bucket, w.Bucket, key, len(body), strings.Trim(aws.ToString(out.ETag), `"`))
	if _, err := sqs.NewFromConfig(e.Config()).SendMessage(awsCtx(t), &sqs.SendMessageInput{QueueUrl: aws.String(w.QueueURL), MessageBody: aws.String(msg)}); err != nil {
		t.Fatalf("send notification: %v", err)
	}
}

// A running collector picks up a changed IOC list without a restart, and
// keeps the previous version of a list that became unreadable.
func TestCollectIOCListReload(t *testing.T) {
	emu := emutest.Start(t)
	c := newCLI(t)
	w := emutest.Wire(t, emu, 5, 30*time.Second)
	list := filepath.Join(t.TempDir(), "feed.json")
	bundle := func(ip string) []byte {
		return []byte(`{"type":"bundle","objects":[{"type":"indicator","id":"indicator--1","pattern":"[ipv4-addr:value = '` + ip + `']"}]}`)
	}
	writeFile(t, list, bundle("203.0.113.1"))
	writeFile(t, filepath.Join(c.work, "cairn.yaml"), []byte("ioc:\n  reload: 1s\n  lists:\n    - {name: feed, path: "+list+"}\n"))

	var stderr lockedBuffer
	cmd := exec.Command(cairnBin, "collect", "--queue-url", w.QueueURL, "--store", c.store, "--endpoint-url", emu.Endpoint, "--region", "us-east-1")
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = c.work, c.env, &stderr, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-exited })

	waitUntil := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for !cond() {
			select {
			case <-exited:
				t.Fatalf("the collector exited while waiting for %s\n%s", what, stderr.String())
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s\n%s", what, stderr.String())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	user := map[string]any{"type": "IAMUser", "arn": "arn:aws:iam::111111111111:user/alice", "accountId": "111111111111", "userName": "alice"}
	send := func(n int, ip string) {
		t.Helper()
		key := fmt.Sprintf("AWSLogs/111111111111/CloudTrail/us-east-1/2026/03/01/111111111111_CloudTrail_us-east-1_20260301T10%02dZ_f%d.json.gz", n, n)
		rec := ctRecord(fmt.Sprintf("reload-%d", n), "ListBuckets", "us-east-1", at.Add(time.Duration(n)*time.Minute), user,
			map[string]any{"sourceIPAddress": ip})
		notifyObject(t, emu, w, key, gzipBytes(t, logFile(t, rec)))
		waitUntil(fmt.Sprintf("event %d stored", n), func() bool {
			r := c.run("sql", "--format", "csv", fmt.Sprintf(`SELECT count(*) AS n FROM events WHERE event_id = 'reload-%d'`, n))
			return r.code == 0 && r.stdout == "n\n1\n"
		})
	}
	alerts := func() string {
		r := c.ok("sql", "--format", "csv", `SELECT group_key, count FROM alerts WHERE kind = 'ioc' ORDER BY group_key`)
		return strings.TrimPrefix(r.stdout, "group_key,count\n")
	}
	loaded := func() int { return strings.Count(stderr.String(), `msg="ioc list loaded" list=feed`) }

	send(1, "203.0.113.1")
	send(2, "203.0.113.2")
	if got := alerts(); got != "ipv4|203.0.113.1,1\n" {
		t.Fatalf("alerts before the change: %q", got)
	}
	// Change the list (a later modification time, whatever the file
	// system's resolution): the next event from the new address alerts.
	writeFile(t, list, bundle("203.0.113.2"))
	os.Chtimes(list, time.Now().Add(time.Minute), time.Now().Add(time.Minute))
	waitUntil("the list reloaded", func() bool { return loaded() >= 2 })
	send(3, "203.0.113.2")
	send(4, "203.0.113.1")
	if got := alerts(); got != "ipv4|203.0.113.1,1\nipv4|203.0.113.2,1\n" {
		t.Fatalf("alerts after the change: %q\n%s", got, stderr.String())
	}
	// Break the list: the error is logged, the previous version stays.
	writeFile(t, list, []byte(`{"type":"bundle","objects":[`))
	os.Chtimes(list, time.Now().Add(2*time.Minute), time.Now().Add(2*time.Minute))
	waitUntil("the reload error", func() bool {
		return strings.Contains(stderr.String(), "ioc list not reloaded; keeping the previous version")
	})
	send(5, "203.0.113.2")
	if got := alerts(); got != "ipv4|203.0.113.1,1\nipv4|203.0.113.2,2\n" {
		t.Fatalf("alerts after a broken list: %q\n%s", got, stderr.String())
	}
	if loaded() != 2 {
		t.Errorf("the broken list was loaded:\n%s", stderr.String())
	}
}
