package awsprobe_test

import (
	"context"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/cairn-sec/cairn/awsauth"
	"github.com/cairn-sec/cairn/awstest"
	"github.com/cairn-sec/cairn/doctor"
	"github.com/cairn-sec/cairn/doctor/awsprobe"
	"github.com/cairn-sec/cairn/emulator"
	"github.com/cairn-sec/cairn/emulator/emutest"
)

// env is one healthy source behind one endpoint: the emulator for
// S3/SNS/SQS, the doubles for STS, KMS, CloudTrail and the S3 extras.
type env struct {
	t   *testing.T
	emu *emulator.Emulator
	st  *awstest.Stack
	url string
	h   awstest.Healthy
}

func newEnv(t *testing.T, emu *emulator.Emulator, o awstest.HealthyOptions) *env {
	t.Helper()
	next, err := awstest.Proxy(emu.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	st := awstest.NewStack(next)
	srv := httptest.NewServer(st)
	t.Cleanup(srv.Close)
	w := emutest.Wire(t, emu, 5, 5*time.Minute)
	h, err := st.WireHealthy(context.Background(), emu.Config(), w, o)
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, emu: emu, st: st, url: srv.URL, h: h}
}

// run runs doctor with the reader role, as cairn collect would.
func (e *env) run(src doctor.Source) []doctor.Result {
	e.t.Helper()
	ctx := context.Background()
	cfg, err := awsauth.Load(ctx, awsauth.Options{Region: "us-east-1", EndpointURL: e.url, AccessKeyID: "AKIDADMIN", SecretAccessKey: "secret",
		RoleARN: e.h.RoleARN, ExternalID: e.h.ExternalID})
	if err != nil {
		e.t.Fatal(err)
	}
	if src.QueueURL == "" {
		src.QueueURL = e.h.Wiring.QueueURL
	}
	p := awsprobe.New(cfg, awsprobe.Options{PathStyle: true})
	return doctor.Run(ctx, doctor.Options{Source: src, Identity: p, Queues: p, Topics: p, Buckets: p, Keys: p, Trails: p, Timeout: 5 * time.Second})
}

func (e *env) setQueue(attrs map[string]string) {
	e.t.Helper()
	if _, err := sqs.NewFromConfig(e.emu.Config()).SetQueueAttributes(context.Background(),
		&sqs.SetQueueAttributesInput{QueueUrl: aws.String(e.h.Wiring.QueueURL), Attributes: attrs}); err != nil {
		e.t.Fatal(err)
	}
}

func dump(rs []doctor.Result) string {
	var b strings.Builder
	doctor.WriteTable(&b, rs)
	return b.String()
}

func find(rs []doctor.Result, check string) (doctor.Result, bool) {
	for _, r := range rs {
		if r.Check == check {
			return r, true
		}
	}
	return doctor.Result{}, false
}

var healthyChecks = []string{"credentials", "queue", "queue.receive", "queue.dlq", "queue.visibility", "queue.depth", "trail", "trail.logging",
	"trail.multi-region", "trail.validation", "delivery", "queue.policy", "bucket.region", "bucket.read", "bucket.recent", "bucket.retention",
	"kms.key", "kms.policy"}

func TestDoctorHealthyThenBroken(t *testing.T) {
	emu := emutest.Start(t)

	t.Run("healthy", func(t *testing.T) {
		e := newEnv(t, emu, awstest.HealthyOptions{})
		rs := e.run(doctor.Source{})
		for _, c := range healthyChecks {
			r, ok := find(rs, c)
			if !ok || r.Status != doctor.OK {
				t.Errorf("%s: %+v (present %v)", c, r, ok)
			}
		}
		if testing.Verbose() {
			t.Log("\n" + dump(rs))
		}
		if len(rs) != len(healthyChecks) || doctor.Failed(rs) {
			t.Errorf("results:\n%s", dump(rs))
		}
		if r, _ := find(rs, "credentials"); !strings.Contains(r.Detail, "assumed-role/cairn-reader/cairn") {
			t.Errorf("credentials: %s", r.Detail)
		}
		if r, _ := find(rs, "bucket.read"); !strings.Contains(r.Detail, e.h.LogKey) {
			t.Errorf("bucket.read did not read the newest log file: %s", r.Detail)
		}
		// The trail was found without naming it, and the same with --trail and --bucket.
		rs = e.run(doctor.Source{Trail: "cairn-trail", Bucket: e.h.Wiring.Bucket})
		if doctor.Failed(rs) || len(rs) != len(healthyChecks) {
			t.Errorf("named:\n%s", dump(rs))
		}
	})

	for _, tc := range []struct {
		name   string
		opts   awstest.HealthyOptions
		src    func(e *env) doctor.Source
		breaks func(e *env)
		check  string
		status doctor.Status
		want   string   // in the detail or fix
		also   []string // checks the break affects too
	}{
		{name: "no DLQ", breaks: func(e *env) { e.setQueue(map[string]string{"RedrivePolicy": ""}) },
			check: "queue.dlq", status: doctor.Fail, want: "RedrivePolicy"},
		{name: "messages in the DLQ", breaks: func(e *env) {
			if _, err := sqs.NewFromConfig(e.emu.Config()).SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(e.h.Wiring.DLQURL),
				MessageBody: aws.String("{}")}); err != nil {
				e.t.Fatal(err)
			}
		}, check: "queue.dlq", status: doctor.Warn, want: "start-message-move-task"},
		{name: "DLQ deleted", breaks: func(e *env) {
			if _, err := sqs.NewFromConfig(e.emu.Config()).DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: aws.String(e.h.Wiring.DLQURL)}); err != nil {
				e.t.Fatal(err)
			}
		}, check: "queue.dlq", status: doctor.Fail, want: "does not exist"},
		{name: "queue long-polls 20s", breaks: func(e *env) { e.setQueue(map[string]string{"ReceiveMessageWaitTimeSeconds": "20"}) },
			check: "queue.receive", status: doctor.OK, want: "ReceiveMessage works"},
		{name: "tiny visibility timeout", breaks: func(e *env) { e.setQueue(map[string]string{"VisibilityTimeout": "5"}) },
			check: "queue.visibility", status: doctor.Warn, want: "VisibilityTimeout=300"},
		{name: "queue policy without SendMessage", breaks: func(e *env) {
			e.setQueue(map[string]string{"Policy": strings.Replace(awstest.QueuePolicy(e.h.Wiring.QueueARN, "sns.amazonaws.com", e.h.Wiring.TopicARN),
				"sqs:SendMessage", "sqs:ReceiveMessage", 1)})
		}, check: "queue.policy", status: doctor.Fail, want: `"Action":"sqs:SendMessage"`},
		{name: "queue policy for another topic", breaks: func(e *env) {
			e.setQueue(map[string]string{"Policy": awstest.QueuePolicy(e.h.Wiring.QueueARN, "sns.amazonaws.com", e.h.Wiring.TopicARN+"-other")})
		}, check: "queue.policy", status: doctor.Fail, want: "aws:SourceArn"},
		{name: "no queue policy", breaks: func(e *env) { e.setQueue(map[string]string{"Policy": ""}) },
			check: "queue.policy", status: doctor.Fail, want: "no access policy"},
		{name: "topic not subscribed", breaks: func(e *env) {
			c := sns.NewFromConfig(e.emu.Config())
			subs, err := c.ListSubscriptionsByTopic(context.Background(), &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(e.h.Wiring.TopicARN)})
			if err != nil || len(subs.Subscriptions) != 1 {
				e.t.Fatalf("subscriptions: %v", err)
			}
			if _, err := c.Unsubscribe(context.Background(), &sns.UnsubscribeInput{SubscriptionArn: subs.Subscriptions[0].SubscriptionArn}); err != nil {
				e.t.Fatal(err)
			}
		}, check: "delivery", status: doctor.Fail, want: "aws sns subscribe --topic-arn"},
		{name: "two trails, the one feeding the queue found", breaks: func(e *env) {
			e.st.CloudTrail.AddTrail(awstest.Trail{Name: "other", S3BucketName: "elsewhere", SNSTopicARN: e.h.Wiring.TopicARN + "-other", Logging: true})
		}, check: "trail", status: doctor.OK, want: "trail/cairn-trail"},
		{name: "two trails, neither feeding the queue", breaks: func(e *env) {
			e.st.CloudTrail.AddTrail(awstest.Trail{Name: "other", S3BucketName: "elsewhere", SNSTopicARN: e.h.Wiring.TopicARN + "-other", Logging: true})
			e.st.CloudTrail.UpdateTrail("cairn-trail", func(t *awstest.Trail) { t.SNSTopicARN = e.h.Wiring.TopicARN + "-third" })
		}, check: "trail", status: doctor.Warn, want: "--trail NAME", also: []string{"delivery", "bucket"}},
		{name: "trail stopped", breaks: func(e *env) { e.st.CloudTrail.UpdateTrail("cairn-trail", func(t *awstest.Trail) { t.Logging = false }) },
			check: "trail.logging", status: doctor.Fail, want: "aws cloudtrail start-logging"},
		{name: "delivery error", breaks: func(e *env) {
			e.st.CloudTrail.UpdateTrail("cairn-trail", func(t *awstest.Trail) { t.LatestDeliveryError = "AccessDenied" })
		}, check: "trail.logging", status: doctor.Fail, want: "s3:PutObject"},
		{name: "validation off", breaks: func(e *env) {
			e.st.CloudTrail.UpdateTrail("cairn-trail", func(t *awstest.Trail) { t.LogFileValidation = false })
		}, check: "trail.validation", status: doctor.Warn, want: "--enable-log-file-validation"},
		{name: "single-region", breaks: func(e *env) {
			e.st.CloudTrail.UpdateTrail("cairn-trail", func(t *awstest.Trail) { t.MultiRegion = false })
		},
			check: "trail.multi-region", status: doctor.Warn, want: "--is-multi-region-trail"},
		{name: "AWS-managed KMS key", breaks: func(e *env) {
			k := e.st.KMS.AddKey(awstest.KMSKey{ID: "aws-s3-" + e.h.Wiring.Bucket, KeyManager: "AWS", Aliases: []string{"alias/aws/s3"}})
			e.st.CloudTrail.UpdateTrail("cairn-trail", func(t *awstest.Trail) { t.KMSKeyID = k.ARN() })
		}, check: "kms.key", status: doctor.Fail, want: "customer-managed key"},
		{name: "disabled KMS key", breaks: func(e *env) {
			k := e.h.Key
			k.KeyState = "Disabled"
			e.st.KMS.AddKey(k)
		}, check: "kms.key", status: doctor.Fail, want: "aws kms enable-key"},
		{name: "key policy without the role", breaks: func(e *env) {
			e.st.KMS.SetPolicy(e.h.Key.ID, awstest.KeyPolicy("arn:aws:iam::"+awstest.Account+":root", "arn:aws:iam::"+awstest.Account+":role/someone-else"))
		}, check: "kms.policy", status: doctor.Fail, want: `"Action":"kms:Decrypt"`},
		{name: "key policy delegating to IAM", breaks: func(e *env) {
			e.st.KMS.SetPolicy(e.h.Key.ID, `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+awstest.Account+`:root"},"Action":"kms:*","Resource":"*"}]}`)
		}, check: "kms.policy", status: doctor.OK, want: "IAM policies in account"},
		{name: "no kms:GetKeyPolicy", breaks: func(e *env) { e.st.KMS.Deny("GetKeyPolicy") },
			check: "kms.policy", status: doctor.Warn, want: "allow kms:GetKeyPolicy"},
		{name: "bucket in another region", breaks: func(e *env) {
			e.st.S3.UpdateBucket(e.h.Wiring.Bucket, func(b *awstest.Bucket) { b.Region = "eu-west-1" })
		}, check: "bucket.region", status: doctor.Warn, want: "eu-west-1"},
		{name: "bucket notifying a queue in another region", breaks: func(e *env) {
			e.st.CloudTrail.UpdateTrail("cairn-trail", func(t *awstest.Trail) { t.SNSTopicARN = "" })
			e.st.S3.UpdateBucket(e.h.Wiring.Bucket, func(b *awstest.Bucket) {
				b.Region = "eu-west-1"
				b.Notification.Queues = []awstest.NotificationTarget{{ARN: e.h.Wiring.QueueARN, Events: []string{"s3:ObjectCreated:*"}}}
			})
			e.setQueue(map[string]string{"Policy": awstest.QueuePolicy(e.h.Wiring.QueueARN, "s3.amazonaws.com", "arn:aws:s3:::"+e.h.Wiring.Bucket)})
		}, check: "bucket.region", status: doctor.Fail, want: "S3 can only notify a queue in the bucket's region"},
		{name: "bucket notification without the queue", breaks: func(e *env) {
			e.st.CloudTrail.UpdateTrail("cairn-trail", func(t *awstest.Trail) { t.SNSTopicARN = "" })
		}, check: "delivery", status: doctor.Fail, want: "put-bucket-notification-configuration", also: []string{"queue.policy"}},
		{name: "lifecycle 1 day", breaks: func(e *env) {
			e.st.S3.UpdateBucket(e.h.Wiring.Bucket, func(b *awstest.Bucket) {
				b.Lifecycle = []awstest.LifecycleRule{{ID: "short", Prefix: "", Enabled: true, ExpirationDays: 1}}
			})
		}, check: "bucket.retention", status: doctor.Fail, want: "at least 7 days"},
		{name: "GetObject denied by KMS", breaks: func(e *env) { e.st.S3.DenyKMS("GetObject", e.h.Key.ARN()) },
			check: "bucket.read", status: doctor.Fail, want: "KMS refused"},
		{name: "GetObject denied by S3", breaks: func(e *env) { e.st.S3.Deny("GetObject") },
			check: "bucket.read", status: doctor.Fail, want: "allow s3:GetObject"},
		{name: "ListBucket denied", breaks: func(e *env) { e.st.S3.Deny("ListObjectsV2") },
			check: "bucket.read", status: doctor.Fail, want: "allow s3:ListBucket"},
		{name: "no recent objects", opts: awstest.HealthyOptions{NoObject: true},
			check: "bucket.recent", status: doctor.Fail, want: "no log files", also: []string{"bucket.read"}},
		{name: "ReceiveMessage denied", breaks: func(e *env) { e.st.SQS.Deny("ReceiveMessage") },
			check: "queue.receive", status: doctor.Fail, want: "allow sqs:ReceiveMessage"},
		{name: "GetQueueAttributes denied", breaks: func(e *env) { e.st.SQS.Deny("GetQueueAttributes") },
			check: "queue", status: doctor.Fail, want: "allow sqs:GetQueueAttributes"},
		{name: "no sns:ListSubscriptionsByTopic", breaks: func(e *env) { e.st.SNS.Deny("ListSubscriptionsByTopic") },
			check: "delivery", status: doctor.Warn, want: "allow sns:ListSubscriptionsByTopic on " + "arn:aws:sns:"},
		{name: "no cloudtrail:GetTrailStatus", breaks: func(e *env) { e.st.CloudTrail.Deny("GetTrailStatus") },
			check: "trail.logging", status: doctor.Warn, want: "allow cloudtrail:GetTrailStatus"},
		{name: "queue encrypted with alias/aws/sqs", breaks: func(e *env) { e.setQueue(map[string]string{"KmsMasterKeyId": "alias/aws/sqs"}) },
			check: "queue.encryption", status: doctor.Fail, want: "SqsManagedSseEnabled"},
		{name: "queue key without SNS", breaks: func(e *env) {
			k := e.st.KMS.AddKey(awstest.KMSKey{ID: "q-" + e.h.Wiring.Bucket, Account: awstest.Account, Policy: awstest.KeyPolicy("arn:aws:iam::"+awstest.Account+":root", e.h.RoleARN)})
			e.setQueue(map[string]string{"KmsMasterKeyId": k.ARN()})
		}, check: "queue.encryption", status: doctor.Fail, want: `"Principal":{"Service":"sns.amazonaws.com"}`},
		{name: "queue key allowing SNS and the reader", breaks: func(e *env) {
			k := e.st.KMS.AddKey(awstest.KMSKey{ID: "q-" + e.h.Wiring.Bucket, Account: awstest.Account, Policy: `{"Statement":[` +
				`{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":["kms:GenerateDataKey*","kms:Decrypt"],"Resource":"*"},` +
				`{"Effect":"Allow","Principal":{"AWS":"` + e.h.RoleARN + `"},"Action":"kms:Decrypt","Resource":"*"}]}`})
			e.setQueue(map[string]string{"KmsMasterKeyId": k.ARN()})
		}, check: "queue.encryption", status: doctor.OK, want: "lets the senders encrypt and the reader decrypt"},
		{name: "wrong external ID", breaks: func(e *env) { e.h.ExternalID = "guess" },
			check: "credentials", status: doctor.Fail, want: "trust policy"},
		{name: "queue does not exist", src: func(e *env) doctor.Source {
			return doctor.Source{QueueURL: strings.TrimSuffix(e.h.Wiring.QueueURL, "/") + "-missing"}
		}, check: "queue", status: doctor.Fail, want: "does not exist"},
		{name: "trail not found", src: func(e *env) doctor.Source { return doctor.Source{Trail: "nope"} },
			check: "trail", status: doctor.Fail, want: "--trail", also: []string{"delivery", "bucket"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each case has its own queue, bucket, topic and doubles
			e := newEnv(t, emu, tc.opts)
			if tc.breaks != nil {
				tc.breaks(e)
			}
			var src doctor.Source
			if tc.src != nil {
				src = tc.src(e)
			}
			rs := e.run(src)
			r, ok := find(rs, tc.check)
			if !ok || r.Status != tc.status || !strings.Contains(r.Detail+" "+r.Fix, tc.want) {
				t.Fatalf("%s: got %+v, want %v with %q; all:\n%s", tc.check, r, tc.status, tc.want, dump(rs))
			}
			if tc.status != doctor.OK && tc.status == doctor.Fail && r.Fix == "" {
				t.Errorf("failure without a fix: %+v", r)
			}
			if got, want := doctor.Failed(rs), tc.status == doctor.Fail; got != want {
				t.Errorf("Failed = %v, want %v:\n%s", got, want, dump(rs))
			}
			// Only the broken thing is reported (a failed check may skip the ones after it).
			for _, o := range rs {
				if o.Status != doctor.OK && o.Check != tc.check && !slices.Contains(tc.also, o.Check) {
					t.Errorf("also %s: %+v", o.Check, o)
				}
			}
			if testing.Verbose() {
				t.Log("\n" + dump(rs))
			}
		})
	}
}

// The receive probe leaves a message it gets visible to the collector.
func TestProbeReceiveLeavesMessagesVisible(t *testing.T) {
	emu := emutest.Start(t)
	e := newEnv(t, emu, awstest.HealthyOptions{})
	c := sqs.NewFromConfig(emu.Config())
	ctx := context.Background()
	if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(e.h.Wiring.QueueURL), MessageBody: aws.String("{}")}); err != nil {
		t.Fatal(err)
	}
	cfg := emu.Config()
	p := awsprobe.New(cfg, awsprobe.Options{PathStyle: true})
	if err := p.ProbeReceive(ctx, e.h.Wiring.QueueURL); err != nil {
		t.Fatal(err)
	}
	out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(e.h.Wiring.QueueURL), MaxNumberOfMessages: 1, WaitTimeSeconds: 1})
	if err != nil || len(out.Messages) != 1 {
		t.Fatalf("message hidden by the probe: %v %+v", err, out)
	}
}

// BenchmarkRun is one full doctor run (about 20 AWS calls) against the
// emulator and the doubles.
func BenchmarkRun(b *testing.B) {
	emu := emutest.Start(b)
	next, err := awstest.Proxy(emu.Endpoint)
	if err != nil {
		b.Fatal(err)
	}
	st := awstest.NewStack(next)
	srv := httptest.NewServer(st)
	defer srv.Close()
	w := emutest.Wire(b, emu, 5, 5*time.Minute)
	ctx := context.Background()
	h, err := st.WireHealthy(ctx, emu.Config(), w, awstest.HealthyOptions{})
	if err != nil {
		b.Fatal(err)
	}
	cfg, err := awsauth.Load(ctx, awsauth.Options{Region: "us-east-1", EndpointURL: srv.URL, AccessKeyID: "AKIDADMIN", SecretAccessKey: "secret",
		RoleARN: h.RoleARN, ExternalID: h.ExternalID})
	if err != nil {
		b.Fatal(err)
	}
	p := awsprobe.New(cfg, awsprobe.Options{PathStyle: true})
	for b.Loop() {
		rs := doctor.Run(ctx, doctor.Options{Source: doctor.Source{QueueURL: w.QueueURL}, Identity: p, Queues: p, Topics: p, Buckets: p, Keys: p, Trails: p})
		if doctor.Failed(rs) {
			b.Fatal(dump(rs))
		}
	}
}
