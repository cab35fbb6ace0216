package simulate

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

type fakePutter struct {
	PutObjectFunc func(ctx context.Context, bucket, key string, body []byte) (string, error)
}

func (f *fakePutter) PutObject(ctx context.Context, bucket, key string, body []byte) (string, error) {
	return f.PutObjectFunc(ctx, bucket, key, body)
}

type fakePublisher struct {
	PublishFunc func(ctx context.Context, body []byte) error
}

func (f *fakePublisher) Publish(ctx context.Context, body []byte) error {
	return f.PublishFunc(ctx, body)
}

// memStore records puts and publishes.
type memStore struct {
	mu       sync.Mutex
	objects  map[string][]byte
	messages [][]byte
}

func newMemStore() (*memStore, *fakePutter, *fakePublisher) {
	s := &memStore{objects: map[string][]byte{}}
	put := &fakePutter{func(_ context.Context, bucket, key string, body []byte) (string, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.objects[bucket+"/"+key] = body
		return `"0123456789abcdef0123456789abcdef"`, nil
	}}
	pub := &fakePublisher{func(_ context.Context, body []byte) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.messages = append(s.messages, body)
		return nil
	}}
	return s, put, pub
}

func TestRunCloudTrailShape(t *testing.T) {
	s, put, pub := newMemStore()
	g := NewGenerator(Options{Seed: 20, Start: t0, EventsPerFile: 10})
	ids := map[string]bool{}
	var progress []Stats
	st, err := Run(context.Background(), g, put, pub, RunOptions{
		Bucket: "b", Files: 7, KeysPerMessage: 3,
		OnFile: func(f File) {
			for _, id := range f.EventIDs {
				ids[id] = true
			}
		},
		Progress: func(st Stats) { progress = append(progress, st) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.Files != 7 || st.Events != 70 || st.Messages != 3 || len(ids) != 70 || st.Bytes <= 0 || st.RawBytes <= st.Bytes {
		t.Errorf("stats %+v, %d eventIDs", st, len(ids))
	}
	if len(progress) != 3 || progress[2].Messages != 3 {
		t.Errorf("progress %+v", progress)
	}
	var announced []string
	for i, msg := range s.messages {
		var m struct {
			S3Bucket    string   `json:"s3Bucket"`
			S3ObjectKey []string `json:"s3ObjectKey"`
		}
		if err := json.Unmarshal(msg, &m); err != nil {
			t.Fatal(err)
		}
		if want := []int{3, 3, 1}[i]; len(m.S3ObjectKey) != want || m.S3Bucket != "b" {
			t.Errorf("message %d: %s", i, msg)
		}
		announced = append(announced, m.S3ObjectKey...)
	}
	if len(announced) != 7 || len(s.objects) != 7 {
		t.Fatalf("announced %d keys, stored %d", len(announced), len(s.objects))
	}
	for _, k := range announced {
		if _, ok := s.objects["b/"+k]; !ok || !logKeyRE.MatchString(k) {
			t.Errorf("announced %q was not stored or is malformed", k)
		}
	}
}

func TestRunS3ShapeWrapped(t *testing.T) {
	s, put, pub := newMemStore()
	g := NewGenerator(Options{Seed: 21, EventsPerFile: 5, Prefix: "with space"})
	topic := "arn:aws:sns:us-west-2:111122223333:logs"
	st, err := Run(context.Background(), g, put, pub, RunOptions{Bucket: "b", Shape: ShapeS3Event, Files: 4, KeysPerMessage: 2, WrapSNS: true, TopicARN: topic})
	if err != nil {
		t.Fatal(err)
	}
	if st.Messages != 2 || len(s.messages) != 2 {
		t.Fatalf("stats %+v", st)
	}
	for _, msg := range s.messages {
		var env map[string]string
		if err := json.Unmarshal(msg, &env); err != nil {
			t.Fatal(err)
		}
		if env["Type"] != "Notification" || env["TopicArn"] != topic {
			t.Errorf("envelope %v", env)
		}
		var ev struct {
			Records []struct {
				S3 struct {
					Object struct {
						Key  string
						ETag string
						Size int64
					}
				}
			}
		}
		if err := json.Unmarshal([]byte(env["Message"]), &ev); err != nil {
			t.Fatal(err)
		}
		if len(ev.Records) != 2 {
			t.Fatalf("%d records in S3 event", len(ev.Records))
		}
		for _, r := range ev.Records {
			o := r.S3.Object
			if !strings.HasPrefix(o.Key, "with+space/AWSLogs/") || o.ETag != "0123456789abcdef0123456789abcdef" {
				t.Errorf("object %+v", o)
			}
			key := "with space/" + strings.TrimPrefix(o.Key, "with+space/")
			if body, ok := s.objects["b/"+key]; !ok || int64(len(body)) != o.Size {
				t.Errorf("object %q not stored with size %d", key, o.Size)
			}
		}
	}
}

func TestRunEventBridgeShape(t *testing.T) {
	s, put, pub := newMemStore()
	g := NewGenerator(Options{Seed: 22, EventsPerFile: 5})
	st, err := Run(context.Background(), g, put, pub, RunOptions{Bucket: "b", Shape: ShapeEventBridge, Files: 3, KeysPerMessage: 2})
	if err != nil || st.Messages != 3 {
		t.Fatalf("stats %+v, %v", st, err)
	}
	var m struct {
		DetailType string `json:"detail-type"`
		Detail     struct {
			Object struct{ Key string } `json:"object"`
		} `json:"detail"`
	}
	if err := json.Unmarshal(s.messages[0], &m); err != nil || m.DetailType != "Object Created" || !logKeyRE.MatchString(m.Detail.Object.Key) {
		t.Errorf("message %s (%v)", s.messages[0], err)
	}
}

func TestRunCancel(t *testing.T) {
	s, put, pub := newMemStore()
	g := NewGenerator(Options{Seed: 23, EventsPerFile: 5})
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	inner := put.PutObjectFunc
	put.PutObjectFunc = func(ctx context.Context, bucket, key string, body []byte) (string, error) {
		if n++; n == 3 {
			cancel()
		}
		return inner(ctx, bucket, key, body)
	}
	start := time.Now()
	st, err := Run(ctx, g, put, pub, RunOptions{Bucket: "b", Duration: time.Hour, Rate: 1000, KeysPerMessage: 10})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if time.Since(start) > 5*time.Second || st.Files != 3 {
		t.Errorf("stats %+v after %v", st, time.Since(start))
	}
	// The files already stored are still announced.
	if len(s.messages) != 1 || !strings.Contains(string(s.messages[0]), "CloudTrail") {
		t.Errorf("messages %q", s.messages)
	}

	// Cancelling while paced to a slow rate returns promptly too.
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start = time.Now()
	_, err = Run(ctx, g, put, pub, RunOptions{Bucket: "b", Files: 100, Rate: 0.01})
	if !errors.Is(err, context.Canceled) || time.Since(start) > 5*time.Second {
		t.Errorf("err %v after %v", err, time.Since(start))
	}
}

func TestRunDurationAndRate(t *testing.T) {
	_, put, pub := newMemStore()
	g := NewGenerator(Options{Seed: 24, EventsPerFile: 2})
	st, err := Run(context.Background(), g, put, pub, RunOptions{Bucket: "b", Duration: 300 * time.Millisecond, Rate: 20})
	if err != nil {
		t.Fatal(err)
	}
	if st.Files < 3 || st.Files > 8 {
		t.Errorf("%d files in 300ms at 20/s", st.Files)
	}
}

func TestRunErrors(t *testing.T) {
	_, put, pub := newMemStore()
	g := NewGenerator(Options{Seed: 25, EventsPerFile: 2})
	for _, o := range []RunOptions{{Files: 1}, {Bucket: "b"}, {Bucket: "b", Files: 1, Shape: "kinesis"}, {Bucket: "b", Files: -1}} {
		if _, err := Run(context.Background(), g, put, pub, o); err == nil {
			t.Errorf("options %+v accepted", o)
		}
	}
	boom := errors.New("boom")
	bad := &fakePutter{func(context.Context, string, string, []byte) (string, error) { return "", boom }}
	_, err := Run(context.Background(), g, bad, pub, RunOptions{Bucket: "b", Files: 1})
	if !errors.Is(err, boom) || !strings.HasPrefix(err.Error(), "put s3://b/AWSLogs/") {
		t.Errorf("put error %v", err)
	}
	badPub := &fakePublisher{func(context.Context, []byte) error { return boom }}
	st, err := Run(context.Background(), g, put, badPub, RunOptions{Bucket: "b", Files: 3})
	if !errors.Is(err, boom) || st.Files != 1 || st.Messages != 0 {
		t.Errorf("publish error %v, stats %+v", err, st)
	}
}
