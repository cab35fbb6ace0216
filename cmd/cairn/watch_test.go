package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/awstest"
	"github.com/cairn-sec/cairn/emulator"
	"github.com/cairn-sec/cairn/emulator/emutest"
)

// watchSetup is Cairn's wiring in the emulator plus a trail in the
// CloudTrail double, a CLI configured to watch it, and a baseline where
// watch finds nothing.
type watchSetup struct {
	t *testing.T
	e *emulator.Emulator
	c *cli
	d *awsDouble
	w emulator.Wiring
}

const watchTrail = "cairn-trail"

func newWatchSetup(t *testing.T, e *emulator.Emulator) *watchSetup {
	t.Helper()
	s := &watchSetup{t: t, e: e, c: newCLI(t), d: newAWSDouble(t, e), w: emutest.Wire(t, e, 5, time.Minute)}
	s.d.CloudTrail.AddTrail(awstest.Trail{Name: watchTrail, S3BucketName: s.w.Bucket, SNSTopicARN: s.w.TopicARN,
		MultiRegion: true, LogFileValidation: true, Logging: true})
	cfg := fmt.Sprintf("aws:\n  region: us-east-1\n  endpoint_url: %s\nqueues:\n  - url: %s\nwatch:\n  topic_arn: %s\n", s.d.URL, s.w.QueueURL, s.w.TopicARN)
	if err := os.WriteFile(filepath.Join(s.c.work, "cairn.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	// Provisioning sets no policies: the first repair applies them.
	r := s.c.run("watch", "--once", "--repair")
	if r.code != 0 || !strings.Contains(r.stdout, "topic-policy") || !strings.Contains(r.stdout, "queue-policy") {
		t.Fatalf("baseline repair:\n%s", r)
	}
	s.clean()
	return s
}

// clean runs watch --once and fails unless it finds nothing.
func (s *watchSetup) clean() {
	s.t.Helper()
	r := s.c.run("watch", "--once")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "ok:") {
		s.t.Fatalf("want no drift:\n%s", r)
	}
}

func (s *watchSetup) ctx() context.Context { return awsCtx(s.t) }

func (s *watchSetup) sns() *sns.Client { return sns.NewFromConfig(s.e.Config()) }
func (s *watchSetup) sqs() *sqs.Client { return sqs.NewFromConfig(s.e.Config()) }

// snapshot is everything watch could change, to prove a report changed
// nothing.
func (s *watchSetup) snapshot(extraTopics ...string) string {
	s.t.Helper()
	var b strings.Builder
	tr, ok := s.d.CloudTrail.Trail(watchTrail)
	fmt.Fprintf(&b, "trail %v %+v\n", ok, tr)
	for _, topic := range append([]string{s.w.TopicARN}, extraTopics...) {
		a, err := s.sns().GetTopicAttributes(s.ctx(), &sns.GetTopicAttributesInput{TopicArn: aws.String(topic)})
		if err == nil {
			fmt.Fprintf(&b, "topic %s policy %s\n", topic, a.Attributes["Policy"])
		} else {
			fmt.Fprintf(&b, "topic %s missing\n", topic)
		}
		subs, _ := s.sns().ListSubscriptionsByTopic(s.ctx(), &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic)})
		if subs != nil {
			var eps []string
			for _, x := range subs.Subscriptions {
				eps = append(eps, aws.ToString(x.Endpoint))
			}
			sort.Strings(eps)
			fmt.Fprintf(&b, "subs %v\n", eps)
		}
	}
	for _, q := range []string{s.w.QueueURL, s.w.DLQURL} {
		a, err := s.sqs().GetQueueAttributes(s.ctx(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(q),
			AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNamePolicy, sqstypes.QueueAttributeNameRedrivePolicy}})
		if err == nil {
			fmt.Fprintf(&b, "queue %s %v\n", q, a.Attributes)
		} else {
			fmt.Fprintf(&b, "queue %s missing\n", q)
		}
	}
	return b.String()
}

func (s *watchSetup) createTopic(name string) string {
	out, err := s.sns().CreateTopic(s.ctx(), &sns.CreateTopicInput{Name: aws.String(name)})
	if err != nil {
		s.t.Fatal(err)
	}
	return aws.ToString(out.TopicArn)
}

func TestWatch(t *testing.T) {
	e := emutest.Start(t)
	for _, tc := range []struct {
		name  string
		code  string
		brk   func(s *watchSetup) (topics []string)
		check func(s *watchSetup, repairOut string)
	}{
		{name: "trail stopped", code: "trail-stopped", brk: func(s *watchSetup) []string {
			s.d.CloudTrail.UpdateTrail(watchTrail, func(t *awstest.Trail) { t.Logging = false })
			return nil
		}},
		{name: "trail deleted", code: "trail-deleted", brk: func(s *watchSetup) []string {
			s.d.CloudTrail.DeleteTrail(watchTrail)
			return nil
		}, check: func(s *watchSetup, _ string) {
			tr, ok := s.d.CloudTrail.Trail(watchTrail)
			if !ok || !tr.MultiRegion || !tr.LogFileValidation || !tr.Logging || tr.S3BucketName != s.w.Bucket || tr.SNSTopicARN != s.w.TopicARN {
				t.Errorf("re-created trail: %+v", tr)
			}
		}},
		{name: "log file validation off", code: "log-validation-off", brk: func(s *watchSetup) []string {
			s.d.CloudTrail.UpdateTrail(watchTrail, func(t *awstest.Trail) { t.LogFileValidation = false })
			return nil
		}},
		{name: "bucket reassigned", code: "trail-bucket-changed", brk: func(s *watchSetup) []string {
			createBucket(t, s.e, "cairn-archive-"+strings.ToLower(s.w.Bucket[:4]))
			s.d.CloudTrail.UpdateTrail(watchTrail, func(t *awstest.Trail) { t.S3BucketName = "cairn-archive-" + strings.ToLower(s.w.Bucket[:4]) })
			return nil
		}, check: func(s *watchSetup, out string) {
			if !strings.Contains(out, "cairn-archive-") {
				t.Errorf("repair does not name the new bucket:\n%s", out)
			}
		}},
		{name: "topic changed", code: "trail-topic-changed", brk: func(s *watchSetup) []string {
			nt := s.createTopic("cairn-cloudtrail-2-" + strings.ToLower(s.w.Bucket[:4]))
			s.d.CloudTrail.UpdateTrail(watchTrail, func(t *awstest.Trail) { t.SNSTopicARN = nt })
			return []string{nt}
		}, check: func(s *watchSetup, _ string) {
			tr, _ := s.d.CloudTrail.Trail(watchTrail)
			subs, err := s.sns().ListSubscriptionsByTopic(s.ctx(), &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(tr.SNSTopicARN)})
			if err != nil || len(subs.Subscriptions) != 1 || aws.ToString(subs.Subscriptions[0].Endpoint) != s.w.QueueARN {
				t.Errorf("queue not subscribed to the new topic: %v %+v", err, subs)
			}
		}},
		{name: "subscription removed", code: "queue-unsubscribed", brk: func(s *watchSetup) []string {
			subs, err := s.sns().ListSubscriptionsByTopic(s.ctx(), &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(s.w.TopicARN)})
			if err != nil || len(subs.Subscriptions) == 0 {
				t.Fatalf("subscriptions: %v", err)
			}
			if _, err := s.sns().Unsubscribe(s.ctx(), &sns.UnsubscribeInput{SubscriptionArn: subs.Subscriptions[0].SubscriptionArn}); err != nil {
				t.Fatal(err)
			}
			return nil
		}},
		{name: "topic policy lost", code: "topic-policy", brk: func(s *watchSetup) []string {
			_, err := s.sns().SetTopicAttributes(s.ctx(), &sns.SetTopicAttributesInput{TopicArn: aws.String(s.w.TopicARN), AttributeName: aws.String("Policy"),
				AttributeValue: aws.String(`{"Version":"2012-10-17","Statement":[{"Sid":"Audit","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sns:GetTopicAttributes","Resource":"*"}]}`)})
			if err != nil {
				t.Fatal(err)
			}
			return nil
		}, check: func(s *watchSetup, _ string) {
			a, _ := s.sns().GetTopicAttributes(s.ctx(), &sns.GetTopicAttributesInput{TopicArn: aws.String(s.w.TopicARN)})
			if p := a.Attributes["Policy"]; !strings.Contains(p, `"Audit"`) || !strings.Contains(p, "cloudtrail.amazonaws.com") {
				t.Errorf("topic policy after repair: %s", p)
			}
		}},
		{name: "queue policy lost", code: "queue-policy", brk: func(s *watchSetup) []string {
			_, err := s.sqs().SetQueueAttributes(s.ctx(), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(s.w.QueueURL),
				Attributes: map[string]string{"Policy": `{"Version":"2012-10-17","Statement":[{"Sid":"Ops","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sqs:GetQueueAttributes","Resource":"*"}]}`}})
			if err != nil {
				t.Fatal(err)
			}
			return nil
		}, check: func(s *watchSetup, _ string) {
			a, _ := s.sqs().GetQueueAttributes(s.ctx(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(s.w.QueueURL),
				AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNamePolicy}})
			if p := a.Attributes["Policy"]; !strings.Contains(p, `"Ops"`) || !strings.Contains(p, s.w.TopicARN) {
				t.Errorf("queue policy after repair: %s", p)
			}
		}},
		{name: "queue deleted", code: "queue-deleted", brk: func(s *watchSetup) []string {
			if _, err := s.sqs().DeleteQueue(s.ctx(), &sqs.DeleteQueueInput{QueueUrl: aws.String(s.w.QueueURL)}); err != nil {
				t.Fatal(err)
			}
			return nil
		}, check: func(s *watchSetup, _ string) {
			a, err := s.sqs().GetQueueAttributes(s.ctx(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(s.w.QueueURL),
				AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameRedrivePolicy}})
			if err != nil || !strings.Contains(a.Attributes["RedrivePolicy"], "-dlq") {
				t.Errorf("re-created queue: %v %v", err, a)
			}
		}},
		{name: "dlq deleted", code: "dlq-deleted", brk: func(s *watchSetup) []string {
			if _, err := s.sqs().DeleteQueue(s.ctx(), &sqs.DeleteQueueInput{QueueUrl: aws.String(s.w.DLQURL)}); err != nil {
				t.Fatal(err)
			}
			return nil
		}},
		{name: "topic deleted", code: "topic-deleted", brk: func(s *watchSetup) []string {
			if _, err := s.sns().DeleteTopic(s.ctx(), &sns.DeleteTopicInput{TopicArn: aws.String(s.w.TopicARN)}); err != nil {
				t.Fatal(err)
			}
			return nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newWatchSetup(t, e)
			topics := tc.brk(s)
			before := s.snapshot(topics...)
			r := s.c.fails(1, "watch", "--once")
			if !strings.Contains(r.stdout, tc.code) {
				t.Errorf("report does not find %s:\n%s", tc.code, r)
			}
			if after := s.snapshot(topics...); after != before {
				t.Errorf("a report changed the wiring:\nbefore %s\nafter  %s", before, after)
			}
			r = s.c.run("watch", "--once", "--repair")
			if r.code != 0 || !strings.Contains(r.stdout, tc.code) || !strings.Contains(r.stdout, "repaired") {
				t.Fatalf("repair of %s:\n%s", tc.code, r)
			}
			if tc.check != nil {
				tc.check(s, r.stdout)
			}
			s.clean()
			// Every finding and repair is an alert.
			rows := s.c.query("SELECT rule_id, kind, status FROM alerts WHERE rule_id LIKE 'watch." + tc.code + "%' ORDER BY rule_id")
			if len(rows) != 2 || rows[0]["kind"] != "drift" || rows[1]["rule_id"] != "watch."+tc.code+".repair" {
				t.Errorf("alerts: %v", rows)
			}
		})
	}
}

// TestWatchLeavesOthersAlone: the trail is moved to a topic that is not
// Cairn's (not configured, no cairn- prefix). Repair subscribes Cairn's
// queue to it (the subscription is the queue's) but never edits the
// foreign topic's policy, and says so.
func TestWatchLeavesOthersAlone(t *testing.T) {
	e := emutest.Start(t)
	s := newWatchSetup(t, e)
	foreign := s.createTopic("security-team-" + strings.ToLower(s.w.Bucket[:4]))
	policy := `{"Version":"2012-10-17","Statement":[{"Sid":"TeamOnly","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sns:Publish","Resource":"*"}]}`
	if _, err := s.sns().SetTopicAttributes(s.ctx(), &sns.SetTopicAttributesInput{TopicArn: aws.String(foreign), AttributeName: aws.String("Policy"), AttributeValue: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	s.d.CloudTrail.UpdateTrail(watchTrail, func(t *awstest.Trail) { t.SNSTopicARN = foreign })
	r := s.c.fails(1, "watch", "--once", "--repair")
	if !strings.Contains(r.stdout, "topic-policy") || !strings.Contains(r.stdout, "is not Cairn's") {
		t.Errorf("repair does not report the foreign topic as not Cairn's:\n%s", r)
	}
	a, err := s.sns().GetTopicAttributes(s.ctx(), &sns.GetTopicAttributesInput{TopicArn: aws.String(foreign)})
	if err != nil || a.Attributes["Policy"] != policy {
		t.Errorf("foreign topic policy changed: %v %s", err, a.Attributes["Policy"])
	}
	// Its own queue it did follow the trail with.
	if !strings.Contains(r.stdout, "queue-unsubscribed") {
		t.Errorf("queue not resubscribed to the trail's topic:\n%s", r)
	}
	rows := s.c.query("SELECT rule_id FROM alerts WHERE rule_id = 'watch.topic-policy' AND fields LIKE '%security-team%'")
	if len(rows) != 1 {
		t.Errorf("no alert for the foreign topic: %v", rows)
	}
}

// TestWatchLoop runs watch as a service: it repairs a trail stopped while
// it runs, on its next check, and exits 0 on SIGTERM.
func TestWatchLoop(t *testing.T) {
	e := emutest.Start(t)
	s := newWatchSetup(t, e)
	cmd := exec.Command(cairnBin, "watch", "--repair", "--interval", "10s", "--store", s.c.store)
	cmd.Dir, cmd.Env = s.c.work, s.c.env
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-exited
		}
	}()
	s.d.CloudTrail.UpdateTrail(watchTrail, func(t *awstest.Trail) { t.Logging = false })
	deadline := time.Now().Add(45 * time.Second)
	for {
		if tr, _ := s.d.CloudTrail.Trail(watchTrail); tr.Logging {
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("watch exited: %v\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the stopped trail was not restarted within 45s\n%s", stderr.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("watch exit after SIGTERM: %v\n%s", err, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("watch did not stop within 15s of SIGTERM\n%s", stderr.String())
	}
	if !strings.Contains(stderr.String(), "drift repaired") {
		t.Errorf("the repair is not logged:\n%s", stderr.String())
	}
}

// TestWatchRecordsThroughCollector: while a collector holds the store,
// watch --once still records its drift alert, through the collector's
// socket, and a second check updates that alert instead of raising
// another.
func TestWatchRecordsThroughCollector(t *testing.T) {
	e := emutest.Start(t)
	s := newWatchSetup(t, e)
	ctx := context.Background()
	st := holdStore(t, s.c.store) // like a collector

	s.d.CloudTrail.UpdateTrail(watchTrail, func(t *awstest.Trail) { t.Logging = false })
	for i := range 2 {
		r := s.c.fails(1, "watch", "--once")
		if !strings.Contains(r.stdout, "trail-stopped") || !strings.Contains(r.stderr, "recorded by the collector") {
			t.Fatalf("check %d:\n%s", i, r)
		}
	}
	as, err := st.ListAlerts(ctx, cairn.AlertFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var drift []cairn.Alert
	for _, a := range as {
		if a.Kind == cairn.AlertDrift && a.RuleID == "watch.trail-stopped" {
			drift = append(drift, a)
		}
	}
	if len(drift) != 1 || drift[0].Count != 2 {
		t.Fatalf("drift alerts recorded through the collector: %+v", drift)
	}
}
