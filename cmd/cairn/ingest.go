package main

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/awsauth"
	"github.com/cairn-sec/cairn/config"
	"github.com/cairn-sec/cairn/ingest"
	"github.com/cairn-sec/cairn/localfs"
	"github.com/cairn-sec/cairn/s3"
)

type ingestOptions struct {
	aws         awsFlags
	since       string
	until       string
	concurrency int
	progress    string
	format      string
}

func newIngestCommand(g *globals) *cobra.Command {
	o := &ingestOptions{}
	cmd := &cobra.Command{
		Use:   "ingest PATH|s3://bucket/prefix ...",
		Short: "Backfill local files or directories (gzip or plain) or an S3 prefix through the pipeline",
		Long: `Backfill local files or directories (gzip or plain) or S3 prefixes into the store.
Objects already ingested are skipped, so a re-run only reads what is new.
--since/--until select CloudTrail keys by the date in their path (YYYY/MM/DD).`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runIngest(cmd.Context(), g, o, args)
		},
	}
	o.aws.register(cmd)
	f := cmd.Flags()
	f.StringVar(&o.since, "since", "", "only keys dated on or after this day (YYYY-MM-DD)")
	f.StringVar(&o.until, "until", "", "only keys dated on or before this day (YYYY-MM-DD)")
	f.IntVar(&o.concurrency, "concurrency", 32, "objects processed at once")
	f.StringVar(&o.progress, "progress", "auto", "progress display: auto (a bar on a terminal), bar, log, none")
	f.StringVar(&o.format, "format", "", "format of every object (cloudtrail, vpcflow, route53resolver, cwlogs, application, ...); default: from formats: rules, the key layout, the first bytes")
	return cmd
}

// keyDate finds the YYYY/MM/DD of a CloudTrail key.
var keyDate = regexp.MustCompile(`/(\d{4})/(\d{2})/(\d{2})/`)

func dateFilter(since, until string) (func(key string) bool, error) {
	parse := func(s string) (string, error) {
		if s == "" {
			return "", nil
		}
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			return "", usageError("date %q: want YYYY-MM-DD", s)
		}
		return t.Format("20060102"), nil
	}
	from, err := parse(since)
	if err != nil {
		return nil, err
	}
	to, err := parse(until)
	if err != nil {
		return nil, err
	}
	return func(key string) bool {
		if from == "" && to == "" {
			return true
		}
		m := keyDate.FindStringSubmatch(key)
		if m == nil {
			return false
		}
		d := m[1] + m[2] + m[3]
		return (from == "" || d >= from) && (to == "" || d <= to)
	}, nil
}

func runIngest(ctx context.Context, g *globals, o *ingestOptions, args []string) error {
	keep, err := dateFilter(o.since, o.until)
	if err != nil {
		return err
	}
	cfg := g.cfg
	cfg.AWS = o.aws.merge(cfg.AWS)
	workers := max(o.concurrency, 1)
	if o.format != "" {
		if _, err := cairn.ParseFormat(o.format); err != nil {
			return usageError("--format: %v", err)
		}
	}
	p, err := openPipeline(ctx, cfg, g.log, workers)
	if err != nil {
		return err
	}
	defer p.Close()

	var local []string
	type s3src struct{ bucket, prefix string }
	var remote []s3src
	for _, a := range args {
		if rest, ok := strings.CutPrefix(a, "s3://"); ok {
			bucket, prefix, _ := strings.Cut(rest, "/")
			if bucket == "" {
				return usageError("%q: no bucket", a)
			}
			remote = append(remote, s3src{bucket, prefix})
		} else {
			local = append(local, a)
		}
	}
	var s3c *s3.Client
	if len(remote) > 0 {
		awsCfg, err := awsauth.Load(ctx, authOptions(cfg.AWS, config.Queue{}))
		if err != nil {
			return err
		}
		s3c = s3.New(awsCfg, s3.Options{PathStyle: cfg.AWS.PathStyle})
	}
	localProc := p.formatProcessor(localfs.Fetcher{}, workers, o.format)
	var s3Proc *ingest.Processor
	if s3c != nil {
		s3Proc = p.formatProcessor(s3c, workers, o.format)
	}

	// Listing runs ahead of processing; the total grows as it goes.
	var listed, listedBytes atomic.Int64
	refs := make(chan cairn.ObjectRef, 256)
	listErr := make(chan error, 1)
	go func() {
		defer close(refs)
		send := func(r cairn.ObjectRef) error {
			if !keep(r.Key) {
				return nil
			}
			listed.Add(1)
			listedBytes.Add(r.Size)
			select {
			case refs <- r:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if err := localfs.Walk(ctx, local, send); err != nil {
			listErr <- err
			return
		}
		for _, r := range remote {
			if err := s3c.List(ctx, r.bucket, r.prefix, "", send); err != nil {
				listErr <- err
				return
			}
		}
		listErr <- nil
	}()

	rep := newIngestReporter(o.progress, g, &listed, &listedBytes)
	start := time.Now()
	sum := ingest.Backfill(ctx, &routingProcessor{local: localProc, s3: s3Proc}, refs, workers, rep.object)
	rep.done()
	if err := <-listErr; err != nil {
		return err
	}
	el := time.Since(start).Seconds()
	fmt.Fprintf(os.Stderr, "ingested %d objects (%d skipped as already ingested, %d failed): %d events, %d rejected records, %.1f MB in %.1fs (%.0f events/s, %.1f MB/s)\n",
		sum.Objects, sum.Skipped, sum.Failed, sum.Events, sum.Rejected, float64(sum.Bytes)/1e6, el,
		float64(sum.Events)/el, float64(sum.Bytes)/1e6/el)
	if sum.Failed > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d objects failed; see the ingest_errors table: cairn sql \"SELECT * FROM ingest_errors ORDER BY time DESC\"", sum.Failed)}
	}
	return ctx.Err()
}

// routingProcessor sends S3 objects and local files to their processors.
type routingProcessor struct {
	local, s3 *ingest.Processor
}

func (r *routingProcessor) Process(ctx context.Context, ref cairn.ObjectRef) (ingest.ObjectResult, error) {
	if ref.Bucket != "" {
		return r.s3.Process(ctx, ref)
	}
	return r.local.Process(ctx, ref)
}

// ingestReporter shows progress: a bar on a terminal, log lines otherwise.
type ingestReporter struct {
	g                    *globals
	bar                  *progressbar.ProgressBar
	mode                 string
	listed, listedBytes  *atomic.Int64
	objects, events, byt atomic.Int64
	lastLog              atomic.Int64
	start                time.Time
}

func newIngestReporter(mode string, g *globals, listed, listedBytes *atomic.Int64) *ingestReporter {
	if mode == "auto" {
		mode = "log"
		if term.IsTerminal(int(os.Stderr.Fd())) {
			mode = "bar"
		}
	}
	r := &ingestReporter{g: g, mode: mode, listed: listed, listedBytes: listedBytes, start: time.Now()}
	if mode == "bar" {
		r.bar = progressbar.NewOptions64(-1, progressbar.OptionSetWriter(os.Stderr), progressbar.OptionSetDescription("ingest"),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("objects"),
			progressbar.OptionSetPredictTime(true), progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionClearOnFinish())
	}
	return r
}

func (r *ingestReporter) object(res ingest.ObjectResult, err error) {
	n := r.objects.Add(1)
	ev := r.events.Add(res.Events)
	b := r.byt.Add(res.Bytes)
	if err != nil {
		r.g.log.Error("object failed", "object", res.Ref.String(), "reason", cairn.Reason(err), "err", err)
	}
	el := time.Since(r.start).Seconds()
	switch r.mode {
	case "bar":
		r.bar.ChangeMax64(r.listed.Load())
		r.bar.Describe(fmt.Sprintf("ingest: %d events, %.1f MB, %.0f events/s", ev, float64(b)/1e6, float64(ev)/el))
		r.bar.Set64(n)
	case "log":
		now := time.Now().UnixNano()
		last := r.lastLog.Load()
		if now-last < int64(5*time.Second) || !r.lastLog.CompareAndSwap(last, now) {
			return
		}
		eta := "unknown"
		if rate := float64(n) / el; rate > 0 {
			eta = (time.Duration(float64(r.listed.Load()-n)/rate) * time.Second).Round(time.Second).String()
		}
		r.g.log.Info("ingest progress", "objects", n, "listed", r.listed.Load(), "events", ev, "mb", fmt.Sprintf("%.1f", float64(b)/1e6),
			"events_per_s", fmt.Sprintf("%.0f", float64(ev)/el), "eta", eta)
	}
}

func (r *ingestReporter) done() {
	if r.bar != nil {
		r.bar.Finish()
	}
}
