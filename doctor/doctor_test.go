package doctor

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const qURL, qARN = "https://sqs.us-east-1.amazonaws.com/111/q", "arn:aws:sqs:us-east-1:111:q"

// fake implements every interface from maps; block makes a call wait for
// its context.
type fake struct {
	attrs    map[string]string
	probed   int
	trails   []Trail
	trailErr error
	objects  map[string]time.Time // key → LastModified
	lists    []string
	block    string
	newest   time.Time
}

func (f *fake) wait(ctx context.Context, op string) error {
	if f.block == op {
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

func (f *fake) CallerIdentity(ctx context.Context) (Caller, error) {
	return Caller{Account: "111", ARN: "arn:aws:sts::111:assumed-role/reader/cairn"}, f.wait(ctx, "CallerIdentity")
}

func (f *fake) QueueAttributes(ctx context.Context, url string) (map[string]string, error) {
	if err := f.wait(ctx, "QueueAttributes"); err != nil {
		return nil, err
	}
	return f.attrs, nil
}

func (f *fake) ProbeReceive(ctx context.Context, url string) error {
	f.probed++
	return f.wait(ctx, "ProbeReceive")
}

func (f *fake) Trails(ctx context.Context, names []string) ([]Trail, error) {
	return f.trails, f.trailErr
}

func (f *fake) TrailStatus(ctx context.Context, trail string) (TrailStatus, error) {
	return TrailStatus{Logging: true}, f.wait(ctx, "TrailStatus")
}

func (f *fake) BucketRegion(ctx context.Context, bucket string) (string, error) {
	return "us-east-1", nil
}
func (f *fake) BucketNotification(ctx context.Context, bucket string) (Notification, error) {
	return Notification{}, nil
}
func (f *fake) BucketLifecycle(ctx context.Context, bucket string) ([]LifecycleRule, error) {
	return nil, nil
}

// List lists the fake's keys one level below prefix.
func (f *fake) List(ctx context.Context, bucket, prefix string) (Listing, error) {
	f.lists = append(f.lists, prefix)
	var l Listing
	seen := map[string]bool{}
	for k, t := range f.objects {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		if dir, _, found := strings.Cut(rest, "/"); found {
			if !seen[dir] {
				seen[dir] = true
				l.Prefixes = append(l.Prefixes, prefix+dir+"/")
			}
			continue
		}
		l.Objects = append(l.Objects, Object{Key: k, LastModified: t})
	}
	return l, nil
}

func (f *fake) ReadObject(ctx context.Context, bucket, key string) error { return nil }

func (f *fake) NewestObject(ctx context.Context) (time.Time, bool, error) {
	return f.newest, !f.newest.IsZero(), nil
}

func healthyAttrs() map[string]string {
	return map[string]string{"QueueArn": qARN, "ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0",
		"VisibilityTimeout": "300", "MessageRetentionPeriod": "345600",
		"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:111:q-dlq","maxReceiveCount":5}`}
}

func options(f *fake) Options {
	return Options{Source: Source{QueueURL: qURL}, Identity: f, Queues: f, Trails: f, Buckets: f, Ledger: f, Timeout: 50 * time.Millisecond}
}

func get(rs []Result, check string) Result {
	for _, r := range rs {
		if r.Check == check {
			return r
		}
	}
	return Result{Check: check, Detail: "(missing)", Status: -1}
}

// A call that never answers ends at the per-call timeout: doctor never hangs.
func TestTimeouts(t *testing.T) {
	for _, op := range []string{"CallerIdentity", "QueueAttributes", "ProbeReceive", "TrailStatus"} {
		t.Run(op, func(t *testing.T) {
			f := &fake{attrs: healthyAttrs(), block: op, trails: []Trail{{Name: "t", ARN: "arn:aws:cloudtrail:us-east-1:111:trail/t", MultiRegion: true, Validation: true}}}
			done := make(chan []Result)
			go func() { done <- Run(context.Background(), options(f)) }()
			select {
			case rs := <-done:
				var hit *Result
				for i, r := range rs {
					if strings.Contains(r.Detail, "no answer within 50ms") {
						hit = &rs[i]
					}
				}
				if hit == nil || hit.Status == OK {
					t.Fatalf("no timeout reported: %+v", rs)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("Run hung")
			}
		})
	}
}

// Without permission for a check, the result is a warning naming it.
func TestMissingPermissionWarns(t *testing.T) {
	f := &fake{attrs: healthyAttrs(), trailErr: fmt.Errorf("cloudtrail DescribeTrails: %w", cairn.ErrAccessDenied)}
	rs := Run(context.Background(), options(f))
	r := get(rs, "trail")
	if r.Status != Warn || !strings.Contains(r.Fix, "allow cloudtrail:DescribeTrails on * to arn:aws:iam::111:role/reader") || Failed(rs) {
		t.Fatalf("%+v\n%+v", r, rs)
	}
}

// A receive is tried only on an empty queue: on one with messages it would
// count against their maxReceiveCount.
func TestReceiveOnlyOnEmptyQueue(t *testing.T) {
	f := &fake{attrs: healthyAttrs()}
	Run(context.Background(), options(f))
	f.attrs["ApproximateNumberOfMessages"] = "3"
	rs := Run(context.Background(), options(f))
	if f.probed != 1 || !strings.Contains(get(rs, "queue.receive").Detail, "not tried") {
		t.Fatalf("probed %d: %+v", f.probed, get(rs, "queue.receive"))
	}
}

// The newest object is found by following only the largest date prefix
// at date levels, every account and region otherwise, skipping digests.
func TestNewestObject(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	f := &fake{objects: map[string]time.Time{}}
	for _, region := range []string{"eu-west-1", "us-east-1", "us-west-2"} {
		for _, day := range []string{"2025/12/31", "2026/10/31", "2026/11/09", "2026/11/21"} {
			d, _ := time.Parse("2006/01/02", day)
			f.objects["AWSLogs/111/CloudTrail/"+region+"/"+day+"/a.json.gz"] = d
		}
	}
	f.objects["AWSLogs/111/CloudTrail/eu-west-1/2026/11/22/newest.json.gz"] = now.Add(-time.Minute)
	f.objects["AWSLogs/111/CloudTrail-Digest/us-east-1/2026/11/22/digest.json.gz"] = now
	r := &run{o: Options{Buckets: f, Timeout: time.Second}}
	o, ok, err := r.newest(context.Background(), "b", "AWSLogs/")
	if err != nil || !ok || o.Key != "AWSLogs/111/CloudTrail/eu-west-1/2026/11/22/newest.json.gz" {
		t.Fatalf("%v %v %+v", err, ok, o)
	}
	// AWSLogs/, 111/, CloudTrail/, then 3 regions × (the region, its newest year, month, day).
	if len(f.lists) != 3+3*4 {
		t.Fatalf("%d listings: %v", len(f.lists), f.lists)
	}
}

func TestLedger(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		newest time.Time
		status Status
		want   string
	}{
		{now.Add(-5 * time.Minute), OK, "5m0s ago"},
		{now.Add(-3 * time.Hour), Warn, "3h0m0s ago"},
		{time.Time{}, Warn, "no objects"},
	} {
		f := &fake{attrs: healthyAttrs(), newest: tc.newest}
		o := options(f)
		o.Now = func() time.Time { return now }
		r := get(Run(context.Background(), o), "store.recent")
		if r.Status != tc.status || !strings.Contains(r.Detail, tc.want) {
			t.Errorf("%v: %+v", tc.newest, r)
		}
	}
}

func TestReportGolden(t *testing.T) {
	rs := []Result{
		{Source: qURL, Check: "credentials", Status: OK, Detail: "working; calls are made as arn:aws:sts::111:assumed-role/reader/cairn"},
		{Source: qURL, Check: "queue.dlq", Status: Fail, Detail: "no dead-letter queue", Fix: "set a RedrivePolicy"},
		{Source: qURL, Check: "trail.validation", Status: Warn, Detail: "log file validation is off", Fix: "aws cloudtrail update-trail --enable-log-file-validation"},
		{Source: qURL + "2", Check: "credentials", Status: OK, Detail: "working <&>"},
	}
	for _, tc := range []struct {
		format string
		write  func(*bytes.Buffer) error
	}{
		{"table", func(b *bytes.Buffer) error { return WriteTable(b, rs) }},
		{"json", func(b *bytes.Buffer) error { return WriteJSON(b, rs) }},
	} {
		var b bytes.Buffer
		if err := tc.write(&b); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", tc.format, "mixed", "output")
		if *update {
			os.MkdirAll(filepath.Dir(path), 0o755)
			if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b.Bytes(), want) {
			t.Errorf("%s:\n%s\nwant:\n%s", tc.format, b.String(), want)
		}
	}
	if !Failed(rs) || Failed(rs[2:]) || Summary(rs) != "1 check failed: queue.dlq" {
		t.Fatal(Summary(rs))
	}
}
