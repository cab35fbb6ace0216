package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/cloudtrail"
	"github.com/cairn-sec/cairn/detect"
	"github.com/cairn-sec/cairn/duckdb"
	"github.com/cairn-sec/cairn/ingest"
	"github.com/cairn-sec/cairn/localfs"
	"github.com/cairn-sec/cairn/sigma"
)

// flaky fails the first n transactions it sees, then defers to the engine.
type flaky struct {
	mu   sync.Mutex
	n    int
	next ingest.Detector
}

func (f *flaky) Detect(ctx context.Context, tx cairn.WriteTx) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n > 0 {
		f.n--
		return errors.New("detector unavailable")
	}
	return f.next.Detect(ctx, tx)
}

const failedLoginRule = `title: Console login failure
id: detector-test-login-failure
logsource: {product: aws, service: cloudtrail}
detection:
  sel: {eventName: ConsoleLogin, responseElements.ConsoleLogin: Failure}
  condition: sel
level: medium
`

// trailFile writes n failed console logins (IDs prefix-0…) as a local
// CloudTrail file.
func trailFile(t *testing.T, dir, name, prefix string, n int) cairn.ObjectRef {
	t.Helper()
	var recs []string
	t0 := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
	for i := range n {
		recs = append(recs, fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/bob","accountId":"111122223333"},`+
			`"eventTime":"%s","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.9",`+
			`"responseElements":{"ConsoleLogin":"Failure"},"eventID":"%s-%d","recipientAccountId":"111122223333"}`, t0.Add(time.Duration(i)*time.Second).Format(time.RFC3339), prefix, i))
	}
	p := filepath.Join(dir, "AWSLogs", "111122223333", "CloudTrail", "us-east-1", "2026", "10", "01", name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(`{"Records":[`+strings.Join(recs, ",")+`]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return cairn.ObjectRef{Key: p, ETag: localfs.ETag(st)}
}

// The committer runs the detector inside every transaction, small objects
// (group commits) and large ones (chunk by chunk): when it fails, nothing
// of the object is stored and the object is not done; when it succeeds,
// events and alerts commit together; a redelivered copy of the events
// raises nothing.
func TestCommitterRunsDetector(t *testing.T) {
	for _, chunk := range []int{0, 4 << 10} {
		t.Run(fmt.Sprintf("chunk=%d", chunk), func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			store, err := duckdb.Open(ctx, duckdb.Options{Dir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			rules, errs := sigma.Parse([]byte(failedLoginRule), "rule.yml", nil)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			eng, err := detect.New(detect.Options{Rules: rules})
			if err != nil {
				t.Fatal(err)
			}
			det := &flaky{n: 1, next: eng}
			log := slog.New(slog.DiscardHandler)
			m := ingest.NewMetrics(nil)
			c := ingest.NewCommitter(store, ingest.CommitterOptions{Detector: det}, m, log)
			cctx, stop := context.WithCancel(ctx)
			var wg sync.WaitGroup
			wg.Add(1)
			go func() { defer wg.Done(); c.Run(cctx) }()
			t.Cleanup(func() { stop(); wg.Wait(); store.Close() })
			dec := cloudtrail.Decoder{}
			p := ingest.NewProcessor(localfs.Fetcher{}, store, c, ingest.ProcessorOptions{ChunkBytes: chunk,
				Decoders: map[cairn.ObjectKind]ingest.Decoder{cairn.KindCloudTrail: dec}}, m, log)

			ref := trailFile(t, dir, "111122223333_CloudTrail_us-east-1_20261001T1200Z_a.json", "e", 40)
			if _, err := p.Process(ctx, ref); err == nil || !strings.Contains(err.Error(), "detector unavailable") {
				t.Fatalf("first attempt: %v", err)
			}
			st, err := store.Stats(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if done, _ := store.Done(ctx, ref); done || st.Events != 0 {
				t.Fatalf("after a failed detector: done %v, %d events", done, st.Events)
			}
			if _, err := p.Process(ctx, ref); err != nil {
				t.Fatalf("retry: %v", err)
			}
			as, err := store.ListAlerts(ctx, cairn.AlertFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(as) != 1 || as[0].Count != 40 {
				t.Fatalf("alerts after the retry: %+v", as)
			}
			// The same events in another object: duplicates, not evaluated.
			dup := trailFile(t, dir, "111122223333_CloudTrail_us-east-1_20261001T1200Z_b.json", "e", 40)
			if _, err := p.Process(ctx, dup); err != nil {
				t.Fatal(err)
			}
			if as, _ := store.ListAlerts(ctx, cairn.AlertFilter{}); len(as) != 1 || as[0].Count != 40 {
				t.Fatalf("alerts after duplicates: %+v", as)
			}
		})
	}
}
