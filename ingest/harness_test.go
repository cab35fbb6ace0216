package ingest_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/cloudtrail"
	"github.com/cairn-sec/cairn/duckdb"
	"github.com/cairn-sec/cairn/emulator"
	"github.com/cairn-sec/cairn/emulator/emutest"
	"github.com/cairn-sec/cairn/ingest"
	"github.com/cairn-sec/cairn/s3"
	"github.com/cairn-sec/cairn/simulate"
	"github.com/cairn-sec/cairn/sns"
	"github.com/cairn-sec/cairn/sqs"
)

// env is one emulator-backed pipeline: wiring, store, committer.
type env struct {
	t     *testing.T
	emu   *emulator.Emulator
	w     emulator.Wiring
	store *duckdb.Store
	c     *ingest.Committer
	m     *ingest.Metrics
	s3    *s3.Client
	log   *slog.Logger
	logs  *syncBuffer
	gen   *simulate.Generator
	stop  context.CancelFunc
	wg    sync.WaitGroup

	formats []ingest.FormatRule // format overrides the processors get
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newEnv(t *testing.T, maxReceive int) *env {
	t.Helper()
	e := &env{t: t, emu: emutest.Start(t), logs: &syncBuffer{}}
	e.w = emutest.Wire(t, e.emu, maxReceive, 30*time.Second)
	var err error
	e.store, err = duckdb.Open(context.Background(), duckdb.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	e.log = slog.New(slog.NewTextHandler(io.MultiWriter(e.logs, testWriter{t}), &slog.HandlerOptions{Level: slog.LevelInfo}))
	e.m = ingest.NewMetrics(nil)
	e.c = ingest.NewCommitter(e.store, ingest.CommitterOptions{}, e.m, e.log)
	ctx, stop := context.WithCancel(context.Background())
	e.stop = stop
	e.wg.Add(1)
	go func() { defer e.wg.Done(); e.c.Run(ctx) }()
	e.s3 = s3.New(e.emu.Config(), s3.Options{PathStyle: true})
	e.gen = simulate.NewGenerator(simulate.Options{Seed: time.Now().UnixNano(), EventsPerFile: 20, Bucket: e.w.Bucket})
	t.Cleanup(func() {
		e.stop()
		e.wg.Wait()
		e.store.Close()
	})
	return e
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	if testing.Verbose() {
		os.Stderr.Write(p)
	}
	return len(p), nil
}

func (e *env) processor(chunkBytes int) *ingest.Processor {
	dec := cloudtrail.Decoder{}
	return ingest.NewProcessor(e.s3, e.store, e.c, ingest.ProcessorOptions{ChunkBytes: chunkBytes, Formats: e.formats,
		Decoders: map[cairn.ObjectKind]ingest.Decoder{cairn.KindCloudTrail: dec, cairn.KindCloudTrailInsight: dec}}, e.m, e.log)
}

func (e *env) queue() *sqs.Queue { return sqs.New(e.emu.Config(), e.w.QueueURL) }

// collect runs a collector over the queue until it drains.
func (e *env) collect(opts ingest.CollectorOptions) ingest.Summary {
	e.t.Helper()
	opts.Drain = true
	if opts.RetryBackoff == 0 {
		opts.RetryBackoff = time.Second
	}
	col := ingest.NewCollector([]ingest.Source{{Queue: e.queue(), Processor: e.processor(0)}}, opts, e.m, e.log)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := col.Run(ctx); err != nil {
		e.t.Fatalf("collector: %v", err)
	}
	if ctx.Err() != nil {
		e.t.Fatalf("collector did not drain in time; logs:\n%s", e.logs.String())
	}
	return col.Summary()
}

// put uploads a generated file and returns it.
func (e *env) put() simulate.File {
	e.t.Helper()
	f, err := e.gen.NextFile()
	if err != nil {
		e.t.Fatal(err)
	}
	e.putBody(f.Key, f.Body)
	return f
}

func (e *env) putBody(key string, body []byte) {
	e.t.Helper()
	if _, err := e.s3.PutObject(context.Background(), e.w.Bucket, key, body); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) publish(body []byte) {
	e.t.Helper()
	if err := sns.New(e.emu.Config(), e.w.TopicARN).Publish(context.Background(), body); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) send(body []byte) {
	e.t.Helper()
	if err := e.queue().Publish(context.Background(), body); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) count(query string, args ...any) int64 {
	e.t.Helper()
	var n int64
	if err := e.store.DB().QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	return n
}

func (e *env) depth(url string) (int64, int64) {
	e.t.Helper()
	v, f, err := sqs.New(e.emu.Config(), url).Depth(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return v, f
}

// assertExactlyOnce checks that exactly the given event IDs are stored once.
func (e *env) assertExactlyOnce(ids []string) {
	e.t.Helper()
	if n := e.count(`SELECT count(*) FROM events`); n != int64(len(ids)) {
		e.t.Fatalf("events stored %d, want %d; logs:\n%s", n, len(ids), e.logs.String())
	}
	if n := e.count(`SELECT count(DISTINCT event_id) FROM events`); n != int64(len(ids)) {
		e.t.Fatalf("distinct event ids %d, want %d", n, len(ids))
	}
	rows, err := e.store.DB().Query(`SELECT event_id FROM events`)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	have := map[string]bool{}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		have[id] = true
	}
	for _, id := range ids {
		if !have[id] {
			e.t.Fatalf("event %s missing", id)
		}
	}
}
