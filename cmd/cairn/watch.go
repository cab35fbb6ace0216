package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/spf13/cobra"

	"github.com/cairn-sec/cairn/awsauth"
	"github.com/cairn-sec/cairn/cloudtrailapi"
	"github.com/cairn-sec/cairn/config"
	"github.com/cairn-sec/cairn/s3"
	"github.com/cairn-sec/cairn/sns"
	"github.com/cairn-sec/cairn/sqs"
	"github.com/cairn-sec/cairn/watch"
)

type watchOptions struct {
	aws      awsFlags
	interval time.Duration
	repair   bool
	once     bool
	w        config.Watch
}

func newWatchCommand(g *globals) *cobra.Command {
	o := &watchOptions{}
	cmd := &cobra.Command{
		Use:   "watch [--interval 5m] [--repair] [--once]",
		Short: "Check (and with --repair fix) the AWS wiring Cairn created: trail, bucket, topic, queue, DLQ",
		Long: `Periodically checks the wiring Cairn created — the trail (logging, log file
validation, multi-region, its bucket and topic), the topic's policy and the
queue's subscription, the queue, its policy, redrive policy and DLQ, and the
bucket — and reports drift. With --repair it fixes what Cairn owns: it
re-creates a deleted trail or queue, restarts logging, turns validation back
on, follows a trail moved to another bucket or topic (resubscribing the
queue), resubscribes the queue and re-applies the minimum policy statements,
keeping all others. Every finding and repair is logged and recorded as an
alert (kind drift) in the store.

Ownership: Cairn changes only resources named in watch: (or the flags) or
named <name_prefix>-… (the templates' prefix, default cairn). Others are
reported, never changed. Buckets are never re-created.

--once checks once and exits: 0 when nothing is wrong (or everything found
was repaired), 1 otherwise.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runWatch(cmd.Context(), cmd.OutOrStdout(), g, o)
		},
	}
	o.aws.register(cmd)
	f := cmd.Flags()
	f.DurationVar(&o.interval, "interval", 0, "time between checks (default watch.interval, else 5m)")
	f.BoolVar(&o.repair, "repair", false, "repair what Cairn owns (default: report only)")
	f.BoolVar(&o.once, "once", false, "check once and exit")
	f.StringVar(&o.w.Trail, "trail", "", "trail name (default watch.trail, else <prefix>-trail)")
	f.StringVar(&o.w.Bucket, "bucket", "", "trail bucket (default watch.bucket, else the trail's)")
	f.StringVar(&o.w.TopicARN, "topic-arn", "", "SNS topic ARN (default watch.topic_arn, else the trail's)")
	f.StringVar(&o.w.QueueURL, "queue-url", "", "SQS queue URL (default watch.queue_url, else the first configured queue)")
	f.StringVar(&o.w.DLQURL, "dlq-url", "", "dead-letter queue URL (default watch.dlq_url, else <queue>-dlq)")
	f.StringVar(&o.w.NamePrefix, "name-prefix", "", "resources named <prefix>-… are Cairn's (default watch.name_prefix, else cairn)")
	return cmd
}

// watchSpec builds the spec from configuration and flags; every name given
// explicitly is owned.
func watchSpec(cfg config.Config, fl config.Watch) watch.Spec {
	w := cfg.Watch
	pick := func(flag, conf string) string {
		if flag != "" {
			return flag
		}
		return conf
	}
	s := watch.Spec{Trail: pick(fl.Trail, w.Trail), Bucket: pick(fl.Bucket, w.Bucket), TopicARN: pick(fl.TopicARN, w.TopicARN),
		QueueURL: pick(fl.QueueURL, w.QueueURL), DLQURL: pick(fl.DLQURL, w.DLQURL), Prefix: pick(fl.NamePrefix, w.NamePrefix),
		MaxReceiveCount: w.MaxReceiveCount, Configured: map[string]bool{}}
	for _, n := range []string{s.Trail, s.Bucket, s.TopicARN, s.QueueURL, s.DLQURL} {
		if n != "" {
			s.Configured[n] = true
		}
	}
	if s.Trail == "" {
		p := s.Prefix
		if p == "" {
			p = "cairn"
		}
		s.Trail = p + "-trail" // the templates' name; owned by its prefix
	}
	if s.QueueURL == "" && len(cfg.Queues) > 0 {
		s.QueueURL = cfg.Queues[0].URL
		s.Configured[s.QueueURL] = true // the queue Cairn collects from
	}
	return s
}

func runWatch(ctx context.Context, stdout io.Writer, g *globals, o *watchOptions) error {
	cfg := g.cfg
	cfg.AWS = o.aws.merge(cfg.AWS)
	if err := cfg.Validate(); err != nil {
		return usageError("%v", err)
	}
	interval := o.interval
	if interval <= 0 {
		interval = cfg.Watch.Interval
	}
	if interval <= 0 {
		interval = 5 * time.Minute
	}
	repair := o.repair || cfg.Watch.Repair
	spec := watchSpec(cfg, o.w)
	awsCfg, err := awsauth.Load(ctx, authOptions(cfg.AWS, config.Queue{URL: spec.QueueURL}))
	if err != nil {
		return err
	}
	account := ""
	if who, err := sts.NewFromConfig(awsCfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err == nil {
		account = aws.ToString(who.Account)
	}
	opts := watch.Options{Account: account, Region: awsCfg.Region, Repair: repair, Log: g.log,
		CloudTrail: cloudtrailapi.New(awsCfg), SNS: sns.NewAdmin(awsCfg), SQS: sqs.NewAdmin(awsCfg),
		Buckets: s3.New(awsCfg, s3.Options{PathStyle: cfg.AWS.PathStyle})}
	if spec.QueueURL == "" {
		g.log.Warn("no queue configured (queues:, watch.queue_url or --queue-url): the queue, DLQ and subscription are not checked")
	}
	g.log.Info("watching", "trail", spec.Trail, "queue", spec.QueueURL, "repair", repair, "interval", interval.String(), "once", o.once)
	for first := true; ; first = false {
		bad, err := watchOnce(ctx, stdout, g, cfg, &spec, opts, first)
		if err != nil {
			return err
		}
		if o.once {
			if bad > 0 {
				return &exitError{code: 1, err: fmt.Errorf("%d finding(s) not repaired (drift, or a check that failed)", bad)}
			}
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(interval):
		}
	}
}

// watchState is what watch remembers between runs: the bucket and topic it
// followed.
type watchState struct {
	Bucket   string `json:"bucket"`
	TopicARN string `json:"topic_arn"`
}

// watchOnce runs one check, records its alerts and the followed names
// (see watchRecord), and prints the findings. It returns how many are not
// repaired. The first check of a run starts from the names a previous run
// followed; later ones from spec, which each check updates.
func watchOnce(ctx context.Context, stdout io.Writer, g *globals, cfg config.Config, spec *watch.Spec, opts watch.Options, first bool) (int, error) {
	rec := openWatchRecord(ctx, g, cfg)
	defer rec.close()
	var ws watchState
	if first {
		ws = rec.loadState(ctx)
	}
	if ws.Bucket != "" {
		spec.Bucket = ws.Bucket
	}
	if ws.TopicARN != "" {
		spec.TopicARN = ws.TopicARN
	}
	opts.Spec = *spec
	rep := watch.Check(ctx, opts)
	*spec = rep.Spec
	bad := 0
	for _, f := range rep.Findings {
		state := "found"
		switch {
		case f.Error != "":
			state, bad = "REPAIR FAILED", bad+1
		case f.Repaired:
			state = "repaired"
		default:
			bad++
		}
		fmt.Fprintf(stdout, "%-8s %-22s %-13s %s\n", f.Severity, f.Code, state, f.Message)
		if f.Action != "" {
			fmt.Fprintf(stdout, "         action: %s\n", f.Action)
		}
		if f.Error != "" {
			fmt.Fprintf(stdout, "         error: %s\n", f.Error)
		}
	}
	if len(rep.Findings) == 0 {
		fmt.Fprintf(stdout, "ok: trail %s, topic %s, queue %s, bucket %s\n", rep.Spec.Trail, rep.Spec.TopicARN, rep.Spec.QueueURL, rep.Spec.Bucket)
		g.log.Info("watch: no drift", "trail", rep.Spec.Trail)
	}
	var followed *watchState
	if opts.Repair {
		followed = &watchState{Bucket: rep.Spec.Bucket, TopicARN: rep.Spec.TopicARN}
	}
	if err := rec.save(ctx, g, watch.Alerts(rep.Findings, time.Now().UTC()), followed); err != nil {
		return bad, fmt.Errorf("record drift alerts: %w", err)
	}
	return bad, nil
}
