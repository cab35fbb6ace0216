package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/cairn-sec/cairn/awsauth"
	"github.com/cairn-sec/cairn/config"
	"github.com/cairn-sec/cairn/doctor"
	"github.com/cairn-sec/cairn/doctor/awsprobe"
	"github.com/cairn-sec/cairn/duckdb"
)

type doctorOptions struct {
	aws     awsFlags
	bucket  string
	prefix  string
	trail   string
	format  string
	timeout time.Duration
}

func newDoctorCommand(g *globals) *cobra.Command {
	o := &doctorOptions{}
	cmd := &cobra.Command{
		Use:   "doctor [--queue-url URL ...] [--bucket B] [--trail NAME]",
		Short: "Check that each configured source is wired the way cairn collect needs it, and say how to fix what is not",
		Long: `Check every queue (from --queue-url, queues: in cairn.yaml or CAIRN_QUEUE_URLS),
with the credentials cairn collect would use for it: that the credentials
work and whose they are; that the queue exists, can be received from, has a
dead-letter queue and a sensible visibility timeout; that the trail's SNS
topic (or the bucket's event notification) delivers to the queue and the
queue policy lets it; that the bucket is in the queue's region, can be
listed and read (telling S3 and KMS denials apart), keeps logs at least 7
days and has recent log files; that the trail's KMS key is customer-managed
and its key policy lets the reader decrypt; that the trail is logging,
multi-region and validating log files; and, when a store exists, that
objects were stored recently.

Prints ✓ (ok), ! (warning) or ✗ (failure) per check, each failure with its
fix. Exits 1 when any check fails; warnings alone exit 0. A check doctor has
no permission to make is a warning naming the permission.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDoctor(cmd.Context(), cmd.OutOrStdout(), g, o)
		},
	}
	o.aws.register(cmd)
	f := cmd.Flags()
	f.StringArrayVar(&o.aws.queueURLs, "queue-url", nil, "SQS queue URL (repeatable; default: the configured queues)")
	f.StringVar(&o.bucket, "bucket", "", "the log bucket (default: the trail's)")
	f.StringVar(&o.prefix, "prefix", "", "the trail's S3 key prefix (default: the trail's)")
	f.StringVar(&o.trail, "trail", "", "the trail's name or ARN (default: found from the bucket or the queue's subscriptions)")
	f.StringVar(&o.format, "format", "table", "output format: table or json")
	f.DurationVar(&o.timeout, "timeout", 15*time.Second, "time limit per AWS call")
	return cmd
}

func runDoctor(ctx context.Context, stdout io.Writer, g *globals, o *doctorOptions) error {
	if o.format != "table" && o.format != "json" {
		return usageError("--format %q: want table or json", o.format)
	}
	cfg := g.cfg
	cfg.AWS = o.aws.merge(cfg.AWS)
	queues := cfg.Queues
	if len(o.aws.queueURLs) > 0 {
		queues = nil
		for _, u := range o.aws.queueURLs {
			queues = append(queues, config.Queue{URL: u})
		}
	}
	if len(queues) == 0 {
		return usageError("no queue: give --queue-url, queues: in cairn.yaml, or CAIRN_QUEUE_URLS")
	}
	var ledger doctor.Ledger
	if _, err := os.Stat(filepath.Join(cfg.Store.Dir, duckdb.FileName)); err == nil {
		ledger = storeLedger{dir: cfg.Store.Dir}
	}
	var results []doctor.Result
	for _, q := range queues {
		src := doctor.Source{QueueURL: q.URL, Bucket: o.bucket, Prefix: o.prefix, Trail: o.trail}
		awsCfg, err := awsauth.Load(ctx, authOptions(cfg.AWS, q))
		if err != nil {
			results = append(results, doctor.Result{Source: q.URL, Check: "credentials", Status: doctor.Fail,
				Detail: "cannot load the AWS configuration: " + err.Error(), Fix: "fix the aws: section of cairn.yaml or the AWS flags"})
			continue
		}
		p := awsprobe.New(awsCfg, awsprobe.Options{PathStyle: cfg.AWS.PathStyle})
		results = append(results, doctor.Run(ctx, doctor.Options{Source: src, Identity: p, Queues: p, Topics: p, Buckets: p,
			Keys: p, Trails: p, Ledger: ledger, Timeout: o.timeout})...)
		ledger = nil // the store is shared: report it once
	}
	var err error
	if o.format == "json" {
		err = doctor.WriteJSON(stdout, results)
	} else {
		err = doctor.WriteTable(stdout, results)
	}
	if err != nil {
		return err
	}
	if doctor.Failed(results) {
		return &exitError{code: 1, err: fmt.Errorf("doctor: %s", doctor.Summary(results))}
	}
	return nil
}

// storeLedger reads the newest stored object from the store (through a
// running collector's socket, else read-only).
type storeLedger struct{ dir string }

func (l storeLedger) NewestObject(ctx context.Context) (time.Time, bool, error) {
	res, err := runQuery(ctx, l.dir, "SELECT max(ingested_at) FROM objects", 1)
	if err != nil {
		return time.Time{}, false, err
	}
	if len(res.Rows) == 0 || len(res.Rows[0]) == 0 || res.Rows[0][0] == nil {
		return time.Time{}, false, nil
	}
	switch v := res.Rows[0][0].(type) {
	case time.Time:
		return v, true, nil
	case string:
		t, err := time.Parse(time.RFC3339Nano, v)
		return t, err == nil, err
	}
	return time.Time{}, false, fmt.Errorf("objects.ingested_at: unexpected %T", res.Rows[0][0])
}
