package main

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/cloudtrail"
	"github.com/cairn-sec/cairn/config"
	"github.com/cairn-sec/cairn/duckdb"
	"github.com/cairn-sec/cairn/ingest"
)

// pipeline is the store, its single writer and the metrics every ingesting
// command shares.
type pipeline struct {
	store     *duckdb.Store
	committer *ingest.Committer
	metrics   *ingest.Metrics
	registry  *prometheus.Registry
	alerting  *alerting
	// detector evaluates every write transaction's events (the rules,
	// then IOC matching): the committer's and the push endpoints'.
	detector ingest.Detector
	cfg      config.Config
	log      *slog.Logger

	stop context.CancelFunc
	wg   sync.WaitGroup
}

// storeOptions opens the store as cfg configures it (store:).
func storeOptions(s config.Store) duckdb.Options {
	return duckdb.Options{Dir: s.Dir, MemoryLimit: s.MemoryLimit, Threads: s.Threads,
		Compression: s.Compression, CheckpointThreshold: s.CheckpointThreshold}
}

// writerThreads is the DuckDB thread count of a process that ingests:
// store.threads when set, else every core but one. DuckDB's threads
// compress and check in the background while ingest's workers decode
// and match rules; on two cores, a second DuckDB thread measured 13%
// more CPU with detection off and 21% more with the SigmaHQ rules, for
// no more throughput.
func writerThreads(configured int) int {
	if configured > 0 {
		return configured
	}
	return max(1, runtime.NumCPU()-1)
}

// openPipeline opens the store for writing and starts the committer.
func openPipeline(ctx context.Context, cfg config.Config, log *slog.Logger, workers int) (*pipeline, error) {
	if err := cfg.Validate(); err != nil {
		return nil, usageError("configuration: %v", err)
	}
	sopts := storeOptions(cfg.Store)
	sopts.Threads = writerThreads(cfg.Store.Threads)
	store, err := duckdb.Open(ctx, sopts)
	if err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := ingest.NewMetrics(reg)
	al, err := newAlerting(cfg, reg, log, store)
	if err != nil {
		store.Close()
		return nil, err
	}
	budget := int(cfg.Collector.MemoryBudget)
	// Workers each fill one chunk, the committer's queue holds one per
	// worker, and a commit group is a quarter of the budget.
	copts := ingest.CommitterOptions{GroupBytes: budget / 4, Linger: cfg.Collector.GroupLinger, Queue: workers}
	eng, err := newEngine(cfg.Detect, configuredRules(cfg.Detect), reg, log)
	if err != nil {
		store.Close()
		return nil, err
	}
	setGoMemoryLimit(inFlightBytes(budget, workers), eng != nil)
	if eng != nil {
		copts.Detector = eng // every transaction's events are evaluated before it commits
	}
	copts.Detector = al.chain(copts.Detector) // IOC matching after the rules, in the same transaction
	c := ingest.NewCommitter(store, copts, m, log)
	p := &pipeline{store: store, committer: c, metrics: m, registry: reg, alerting: al, detector: copts.Detector, cfg: cfg, log: log}
	cctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	p.stop = stop
	al.start(cctx, &p.wg)
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		c.Run(cctx)
	}()
	return p, nil
}

// minChunkBytes is the smallest chunk a worker fills: smaller ones would
// split ordinary objects into transactions of a few hundred events.
const minChunkBytes = 1 << 20

// chunkBytes is each worker's share of the memory budget, at least
// minChunkBytes.
func chunkBytes(budget, workers int) int {
	return max(budget/(2*workers+4), minChunkBytes)
}

// inFlightBytes bounds the events in memory at once: each worker fills
// one chunk and has at most one more waiting for its commit, and the
// committer gathers up to four. It is the budget unless the minimum chunk
// makes it more (many workers, small budget).
func inFlightBytes(budget, workers int) int {
	return chunkBytes(budget, workers) * (2*workers + 4)
}

func (p *pipeline) chunkBytes(workers int) int {
	return chunkBytes(int(p.cfg.Collector.MemoryBudget), workers)
}

// processor returns a processor reading through f.
func (p *pipeline) processor(f ingest.Fetcher, workers int) *ingest.Processor {
	return p.formatProcessor(f, workers, "")
}

// formatProcessor returns a processor reading through f that takes
// objects no formats: rule names to be of format (when not "").
func (p *pipeline) formatProcessor(f ingest.Fetcher, workers int, format string) *ingest.Processor {
	dec := cloudtrail.Decoder{}
	return ingest.NewProcessor(f, p.store, p.committer, ingest.ProcessorOptions{
		ChunkBytes: p.chunkBytes(workers),
		Formats:    formatRules(p.cfg, format),
		Decoders:   map[cairn.ObjectKind]ingest.Decoder{cairn.KindCloudTrail: dec, cairn.KindCloudTrailInsight: dec},
	}, p.metrics, p.log)
}

// Close stops the committer (after all processors are done) and closes the store.
func (p *pipeline) Close() error {
	p.alerting.flush(p.log, 10*time.Second)
	p.stop()
	p.wg.Wait()
	if err := p.store.Close(); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}
