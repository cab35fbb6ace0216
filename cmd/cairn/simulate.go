package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/cairn-sec/cairn/awsauth"
	"github.com/cairn-sec/cairn/config"
	"github.com/cairn-sec/cairn/s3"
	"github.com/cairn-sec/cairn/simulate"
	"github.com/cairn-sec/cairn/sns"
	"github.com/cairn-sec/cairn/sqs"
)

type simulateOptions struct {
	aws            awsFlags
	bucket         string
	topicARN       string
	queueURL       string
	shape          string
	wrapSNS        bool
	files          int
	duration       time.Duration
	rate           float64
	eventsPerFile  int
	keysPerMessage int
	accounts       []string
	regions        []string
	orgID          string
	prefix         string
	seed           int64
	quiet          bool
	format         string
}

func newSimulateCommand(g *globals) *cobra.Command {
	o := &simulateOptions{}
	cmd := &cobra.Command{
		Use:   "simulate --bucket B (--topic-arn T | --queue-url Q)",
		Short: "Play realistic log files (CloudTrail and other formats) and their notifications against S3 and SNS/SQS",
		Long: `Write log files under their real key layouts to a bucket (CloudTrail by default;
--format picks others or a mix: VPC flow logs, Route 53 Resolver query logs,
CloudWatch Logs via Firehose (EKS or Lambda), Fluent Bit application logs, S3 access
logs, ALB access logs) and publish the notification AWS would send for each: CloudTrail's own SNS message (--shape cloudtrail),
an S3 event notification (--shape s3) or an EventBridge "Object Created" event
(--shape eventbridge), to an SNS topic or straight to an SQS queue.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSimulate(cmd.Context(), g, o)
		},
	}
	o.aws.register(cmd)
	f := cmd.Flags()
	f.StringVar(&o.bucket, "bucket", "", "bucket to write log files to (required)")
	f.StringVar(&o.topicARN, "topic-arn", "", "publish notifications to this SNS topic")
	f.StringVar(&o.queueURL, "queue-url", "", "send notifications straight to this SQS queue")
	f.StringVar(&o.shape, "shape", "cloudtrail", "notification shape: cloudtrail, s3, eventbridge")
	f.BoolVar(&o.wrapSNS, "wrap-sns", false, "with --queue-url: wrap each message in an SNS envelope, as SNS→SQS delivery does")
	f.IntVar(&o.files, "files", 0, "stop after this many files (default 20 when no --duration)")
	f.DurationVar(&o.duration, "duration", 0, "stop after this long")
	f.Float64Var(&o.rate, "rate", 0, "files per second (0: as fast as possible)")
	f.IntVar(&o.eventsPerFile, "events-per-file", 100, "records per log file (file size)")
	f.IntVar(&o.keysPerMessage, "keys-per-message", 1, "log files announced per notification")
	f.StringSliceVar(&o.accounts, "accounts", nil, "account IDs (default: three generated)")
	f.StringSliceVar(&o.regions, "regions", nil, "regions (default us-east-1,us-west-2,eu-west-1,ap-southeast-2)")
	f.StringVar(&o.orgID, "org-id", "", "organization ID: write organization-trail keys AWSLogs/<o-id>/<acct>/...")
	f.StringVar(&o.prefix, "prefix", "", "key prefix before AWSLogs/")
	f.Int64Var(&o.seed, "seed", 0, "random seed (default: from the clock; the same seed repeats the same events)")
	f.BoolVar(&o.quiet, "quiet", false, "print only the final summary")
	f.StringVar(&o.format, "format", "cloudtrail", "formats to write, in turn (comma-separated): cloudtrail, vpcflow, route53resolver, cwlogs-eks, cwlogs, application, s3access, alb, or all")
	return cmd
}

func runSimulate(ctx context.Context, g *globals, o *simulateOptions) error {
	if o.bucket == "" {
		return usageError("--bucket is required")
	}
	if (o.topicARN == "") == (o.queueURL == "") {
		return usageError("give exactly one of --topic-arn and --queue-url")
	}
	shape := simulate.Shape(o.shape)
	switch shape {
	case simulate.ShapeCloudTrail, simulate.ShapeS3Event, simulate.ShapeEventBridge:
	default:
		return usageError("--shape %q: want cloudtrail, s3 or eventbridge", o.shape)
	}
	formats, err := simulate.ParseFormats(o.format)
	if err != nil {
		return usageError("--format: %v", err)
	}
	if o.files == 0 && o.duration == 0 {
		o.files = 20
	}
	cfg := o.aws.merge(g.cfg.AWS)
	awsCfg, err := awsauth.Load(ctx, authOptions(cfg, config.Queue{URL: o.queueURL}))
	if err != nil {
		return err
	}
	var pub simulate.Publisher
	if o.topicARN != "" {
		pub = sns.New(awsCfg, o.topicARN)
	} else {
		pub = sqs.New(awsCfg, o.queueURL)
	}
	seed := o.seed
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	// A fixed number of files ends now; a timed run starts now.
	start := time.Now().UTC()
	if o.duration == 0 {
		start = start.Add(-time.Duration(o.files) * 5 * time.Minute)
	}
	gen := simulate.NewGenerator(simulate.Options{Seed: seed, Accounts: o.accounts, Regions: o.regions, OrgID: o.orgID,
		Prefix: o.prefix, EventsPerFile: o.eventsPerFile, Bucket: o.bucket, Start: start, Formats: formats})
	run := simulate.RunOptions{Bucket: o.bucket, Shape: shape, Files: o.files, Duration: o.duration, Rate: o.rate,
		KeysPerMessage: o.keysPerMessage, WrapSNS: o.wrapSNS, Region: awsCfg.Region}
	if !o.quiet {
		last := time.Now()
		run.Progress = func(s simulate.Stats) {
			if time.Since(last) >= time.Second {
				last = time.Now()
				fmt.Fprintf(os.Stderr, "simulate: %d files, %d events, %d messages, %.1f MB\n", s.Files, s.Events, s.Messages, float64(s.Bytes)/1e6)
			}
		}
	}
	st, err := simulate.Run(ctx, gen, s3.New(awsCfg, s3.Options{PathStyle: cfg.PathStyle}), pub, run)
	target := o.topicARN
	if target == "" {
		target = o.queueURL
	}
	fmt.Fprintf(os.Stderr, "simulate: wrote %d files (%d events, %.1f MB gzip) to s3://%s and published %d %s notifications to %s in %s\n",
		st.Files, st.Events, float64(st.Bytes)/1e6, o.bucket, st.Messages, shape, target, st.Elapsed.Round(time.Millisecond))
	if err != nil && ctx.Err() == nil {
		return err
	}
	return nil
}
