package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/cairn-sec/cairn/emulator"
	"github.com/cairn-sec/cairn/ingest"
	"github.com/cairn-sec/cairn/output"
	"github.com/cairn-sec/cairn/s3"
	"github.com/cairn-sec/cairn/simulate"
	"github.com/cairn-sec/cairn/sns"
	"github.com/cairn-sec/cairn/sqs"
)

type demoOptions struct {
	files         int
	eventsPerFile int
	rate          float64
}

func newDemoCommand(g *globals) *cobra.Command {
	o := &demoOptions{}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the whole pipeline on a local emulator: S3 + SNS + SQS + DLQ, simulate, collect, query",
		Long: `Start the pinned SNS/SQS/S3 emulator (fauxqs) on loopback, create the wiring a
real deployment has (bucket, SNS topic, SQS queue subscribed to it, dead-letter
queue with a redrive policy), play CloudTrail into it with simulate while the
collector stores it, and show example queries. Needs Node.js and npm; the
emulator is installed on first use.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDemo(cmd.Context(), g, o)
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.files, "files", 200, "log files to simulate")
	f.IntVar(&o.eventsPerFile, "events-per-file", 100, "records per log file")
	f.Float64Var(&o.rate, "rate", 40, "files per second")
	return cmd
}

func runDemo(ctx context.Context, g *globals, o *demoOptions) error {
	out := os.Stdout
	fmt.Fprintln(out, "▶ starting the SNS/SQS/S3 emulator (fauxqs "+emulator.Version+") on loopback")
	script, err := emulator.Install(ctx, os.Stderr)
	if err != nil {
		return fmt.Errorf("%w (install Node.js 20+ and npm, or set CAIRN_FAUXQS)", err)
	}
	emu, err := emulator.Start(ctx, script, io.Discard)
	if err != nil {
		return err
	}
	defer emu.Stop()
	awsCfg := emu.Config()
	w, err := emulator.Provision(ctx, awsCfg, emulator.WiringOptions{Bucket: "cairn-demo-trail", Topic: "cairn-demo-cloudtrail", Queue: "cairn-demo", Visibility: time.Minute})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "  endpoint %s\n  bucket   s3://%s\n  topic    %s\n  queue    %s (dead-letter queue %s after 5 receives)\n",
		emu.Endpoint, w.Bucket, w.TopicARN, w.QueueURL, w.DLQURL)

	cfg := g.cfg
	workers := cfg.Collector.Workers
	p, err := openPipeline(ctx, cfg, g.log, workers)
	if err != nil {
		return err
	}
	defer p.Close()
	queue := sqs.New(awsCfg, w.QueueURL)
	col := ingest.NewCollector([]ingest.Source{{Queue: queue, Processor: p.processor(s3.New(awsCfg, s3.Options{PathStyle: true}), workers)}},
		ingest.CollectorOptions{Workers: workers, Visibility: time.Minute, WaitTime: time.Second, RetryBackoff: time.Second}, p.metrics, g.log)
	fmt.Fprintf(out, "▶ collecting into %s while simulate plays %d CloudTrail files (%d events each) through SNS → SQS\n",
		p.store.Path(), o.files, o.eventsPerFile)

	colCtx, stopCol := context.WithCancel(ctx)
	defer stopCol()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		col.Run(colCtx)
	}()

	var simStats simulate.Stats
	var simMu sync.Mutex
	simDone := make(chan error, 1)
	gen := simulate.NewGenerator(simulate.Options{Seed: time.Now().UnixNano(), EventsPerFile: o.eventsPerFile, Bucket: w.Bucket,
		Start: time.Now().UTC().Add(-time.Duration(o.files) * 5 * time.Minute)})
	go func() {
		st, err := simulate.Run(ctx, gen, s3.New(awsCfg, s3.Options{PathStyle: true}), sns.New(awsCfg, w.TopicARN), simulate.RunOptions{
			Bucket: w.Bucket, Shape: simulate.ShapeCloudTrail, Files: o.files, Rate: o.rate,
			Progress: func(s simulate.Stats) { simMu.Lock(); simStats = s; simMu.Unlock() },
		})
		simMu.Lock()
		simStats = st
		simMu.Unlock()
		simDone <- err
	}()

	start := time.Now()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	simFinished := false
	for {
		select {
		case err := <-simDone:
			if err != nil {
				return fmt.Errorf("simulate: %w", err)
			}
			simFinished = true
		case <-tick.C:
		case <-ctx.Done():
			stopCol()
			wg.Wait()
			return nil
		}
		simMu.Lock()
		st := simStats
		simMu.Unlock()
		s := col.Summary()
		el := time.Since(start).Seconds()
		fmt.Fprintf(out, "  %5.1fs  simulated %4d files %7d events │ collected %4d messages %4d objects %7d events (%6.0f events/s)\n",
			el, st.Files, st.Events, s.Messages, s.Objects, s.Events, float64(s.Events)/el)
		if simFinished {
			visible, inFlight, err := queue.Depth(ctx)
			if err == nil && visible == 0 && inFlight == 0 && s.Deleted+s.Ignored >= int64(st.Messages) {
				break
			}
		}
		if simFinished && time.Since(start) > 10*time.Minute {
			return fmt.Errorf("demo: the queue did not drain")
		}
	}
	stopCol()
	wg.Wait()
	s := col.Summary()
	fmt.Fprintf(out, "▶ done: %d events from %d objects stored, %d messages deleted, queue empty\n\n", s.Events, s.Objects, s.Deleted)

	for _, ex := range demoQueries {
		fmt.Fprintf(out, "▶ %s\n  cairn sql \"%s\"\n", ex.title, ex.sql)
		res, err := p.store.Query(ctx, ex.sql, 20)
		if err != nil {
			return fmt.Errorf("example query %q: %w", ex.title, err)
		}
		output.Write(out, "table", res)
		fmt.Fprintln(out)
	}
	fmt.Fprintf(out, "The store stays in %s; query it any time with cairn sql (--store %s).\n", cfg.Store.Dir, cfg.Store.Dir)
	return nil
}

var demoQueries = []struct{ title, sql string }{
	{"Events by source and type", `SELECT event_source, count(*) AS events, count(*) FILTER (WHERE status = 'Failure') AS failures FROM events GROUP BY ALL ORDER BY events DESC LIMIT 10`},
	{"Failed console logins", `SELECT time, user_name, source_ip, error_message FROM events WHERE event_name = 'ConsoleLogin' AND status = 'Failure' ORDER BY time DESC LIMIT 5`},
	{"Root account usage", `SELECT time, event_name, source_ip, aws_region FROM events WHERE user_type = 'Root' ORDER BY time DESC LIMIT 5`},
	{"IAM changes", `SELECT time, event_name, user_name, request_parameters->>'$.userName' AS target FROM events WHERE event_source = 'iam.amazonaws.com' AND NOT read_only ORDER BY time DESC LIMIT 5`},
	{"Unauthorized API calls by principal", `SELECT user_arn, count(*) AS denied, list(DISTINCT event_name)[1:3] AS calls FROM events WHERE error_code IN ('AccessDenied','Client.UnauthorizedOperation','UnauthorizedOperation') GROUP BY ALL ORDER BY denied DESC LIMIT 5`},
	{"Alerts the shipped rule pack raised (cairn alerts list)", `SELECT severity, title, count(*) AS alerts, sum(count) AS matches FROM alerts GROUP BY severity, title ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END, matches DESC LIMIT 8`},
}
