package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/spf13/cobra"

	"github.com/cairn-sec/cairn/awsauth"
	"github.com/cairn-sec/cairn/config"
	"github.com/cairn-sec/cairn/ingest"
	"github.com/cairn-sec/cairn/queryapi"
	"github.com/cairn-sec/cairn/s3"
	"github.com/cairn-sec/cairn/sqs"
)

// awsFlags are the AWS options shared by commands that talk to AWS.
type awsFlags struct {
	queueURLs []string
	c         config.AWS
}

func (a *awsFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&a.c.EndpointURL, "endpoint-url", "", "one endpoint for S3, SQS and SNS (emulators); AWS_ENDPOINT_URL also works")
	f.StringVar(&a.c.Region, "region", "", "AWS region (default: from the queue URL or the AWS configuration)")
	f.StringVar(&a.c.Profile, "profile", "", "AWS shared-config profile")
	f.StringVar(&a.c.RoleARN, "role-arn", "", "assume this IAM role")
	f.StringVar(&a.c.ExternalID, "external-id", "", "external ID for --role-arn")
	f.StringVar(&a.c.WebIdentityTokenFile, "web-identity-token-file", "", "OIDC token file: assume --role-arn with web identity")
	f.BoolVar(&a.c.PathStyle, "path-style", false, "S3 path-style addressing (emulators)")
}

// merge lays flags over the configuration's AWS section.
func (a *awsFlags) merge(c config.AWS) config.AWS {
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&c.EndpointURL, a.c.EndpointURL)
	set(&c.Region, a.c.Region)
	set(&c.Profile, a.c.Profile)
	set(&c.RoleARN, a.c.RoleARN)
	set(&c.ExternalID, a.c.ExternalID)
	set(&c.WebIdentityTokenFile, a.c.WebIdentityTokenFile)
	if a.c.PathStyle {
		c.PathStyle = true
	}
	if c.EndpointURL != "" {
		c.PathStyle = true // emulators and custom endpoints rarely resolve bucket subdomains
	}
	return c
}

func authOptions(c config.AWS, q config.Queue) awsauth.Options {
	o := awsauth.Options{
		Region: c.Region, EndpointURL: c.EndpointURL, Profile: c.Profile,
		AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken,
		RoleARN: c.RoleARN, ExternalID: c.ExternalID, WebIdentityTokenFile: c.WebIdentityTokenFile,
		CredentialsSecret: c.CredentialsSecret,
	}
	if q.Region != "" {
		o.Region = q.Region
	} else if r := awsauth.RegionFromQueueURL(q.URL); r != "" && o.Region == "" {
		o.Region = r
	}
	if q.RoleARN != "" {
		o.RoleARN, o.ExternalID, o.WebIdentityTokenFile = q.RoleARN, q.ExternalID, q.WebIdentityTokenFile
	}
	return o
}

type collectOptions struct {
	aws         awsFlags
	drain       bool
	workers     int
	visibility  time.Duration
	backoff     time.Duration
	waitTime    time.Duration
	metricsAddr string
	httpAddr    string
}

func newCollectCommand(g *globals) *cobra.Command {
	o := &collectOptions{}
	cmd := &cobra.Command{
		Use:   "collect --queue-url URL [--queue-url URL2 ...]",
		Short: "Collect from SQS queues until stopped (SIGTERM/SIGINT), or until drained with --drain",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCollect(cmd.Context(), g, o)
		},
	}
	o.aws.register(cmd)
	f := cmd.Flags()
	f.StringArrayVar(&o.aws.queueURLs, "queue-url", nil, "SQS queue URL (repeatable; also queues: in cairn.yaml, CAIRN_QUEUE_URLS)")
	f.BoolVar(&o.drain, "drain", false, "exit 0 once the queues are empty and nothing is in flight")
	f.IntVar(&o.workers, "workers", 0, "messages processed at once")
	f.DurationVar(&o.visibility, "visibility-timeout", 0, "visibility timeout asked for on receive (keepalive at half)")
	f.DurationVar(&o.waitTime, "wait-time", -1, "SQS long-poll wait, 1s..20s (default 20s; 1s with --drain)")
	f.DurationVar(&o.backoff, "retry-backoff", 0, "first delay before a failed message is retried (doubles each time)")
	f.StringVar(&o.metricsAddr, "metrics-addr", "", "serve Prometheus metrics on this address, e.g. 127.0.0.1:9108")
	f.StringVar(&o.httpAddr, "http-addr", "", "also serve the HTTP API and the push endpoints (api.push) on this address, e.g. 127.0.0.1:8080")
	return cmd
}

func runCollect(ctx context.Context, g *globals, o *collectOptions) error {
	cfg := g.cfg
	cfg.AWS = o.aws.merge(cfg.AWS)
	for _, u := range o.aws.queueURLs {
		cfg.Queues = append(cfg.Queues, config.Queue{URL: u})
	}
	if o.workers > 0 {
		cfg.Collector.Workers = o.workers
	}
	if o.visibility > 0 {
		cfg.Collector.VisibilityTimeout = o.visibility
	}
	if o.backoff > 0 {
		cfg.Collector.RetryBackoff = o.backoff
	}
	switch {
	case o.waitTime >= 0:
		cfg.Collector.WaitTime = o.waitTime
	case o.drain && cfg.Collector.WaitTime > time.Second:
		// A drain ends on an empty receive; a long poll would only delay it.
		cfg.Collector.WaitTime = time.Second
	}
	if err := cfg.Validate(); err != nil {
		return usageError("%v", err)
	}
	if o.metricsAddr != "" {
		cfg.MetricsAddr = o.metricsAddr
	}
	if len(cfg.Queues) == 0 {
		return usageError("no queue: give --queue-url, queues: in cairn.yaml, or CAIRN_QUEUE_URLS")
	}
	workers := cfg.Collector.Workers
	p, err := openPipeline(ctx, cfg, g.log, workers)
	if err != nil {
		return err
	}
	defer p.Close()

	var sources []ingest.Source
	for _, q := range cfg.Queues {
		awsCfg, err := awsauth.Load(ctx, authOptions(cfg.AWS, q))
		if err != nil {
			return err
		}
		fetch := s3.New(awsCfg, s3.Options{PathStyle: cfg.AWS.PathStyle})
		sources = append(sources, ingest.Source{Queue: sqs.New(awsCfg, q.URL), Processor: p.formatProcessor(fetch, workers, q.Format)})
	}
	col := ingest.NewCollector(sources, ingest.CollectorOptions{
		Workers: workers, Visibility: cfg.Collector.VisibilityTimeout, WaitTime: cfg.Collector.WaitTime,
		RetryBackoff: cfg.Collector.RetryBackoff, MaxBackoff: cfg.Collector.MaxBackoff,
		Drain: o.drain, ShutdownGrace: cfg.Collector.ShutdownGrace,
	}, p.metrics, g.log)

	var side sync.WaitGroup
	sideCtx, stopSide := context.WithCancel(ctx)
	defer func() { stopSide(); side.Wait() }()
	if err := serveSide(sideCtx, &side, p, cfg, g); err != nil {
		return err
	}
	if o.httpAddr != "" {
		if err := serveHTTPSide(sideCtx, &side, p, cfg, g, o.httpAddr); err != nil {
			return err
		}
	}
	if err := startDigestChecks(sideCtx, &side, p, cfg, g); err != nil {
		return err
	}
	g.log.Info("collecting", "queues", len(cfg.Queues), "workers", workers, "store", p.store.Path(), "drain", o.drain)
	err = col.Run(ctx)
	s := col.Summary()
	g.log.Info("collector stopped", "messages", s.Messages, "deleted", s.Deleted, "released", s.Released, "ignored", s.Ignored,
		"objects", s.Objects, "skipped", s.Skipped, "failed", s.Failed, "events", s.Events, "rejected", s.Rejected)
	return err
}

// serveSide starts the query socket and the metrics endpoint.
func serveSide(ctx context.Context, wg *sync.WaitGroup, p *pipeline, cfg config.Config, g *globals) error {
	l, err := queryapi.Listen(cfg.Store.Dir)
	if err != nil {
		return err
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		queryapi.Serve(ctx, l, p.store, time.Minute, g.log)
	}()
	if cfg.MetricsAddr == "" {
		return nil
	}
	ml, err := net.Listen("tcp", cfg.MetricsAddr)
	if err != nil {
		return fmt.Errorf("metrics listener: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(p.registry, promhttp.HandlerOpts{}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	wg.Add(2)
	go func() {
		defer wg.Done()
		if err := srv.Serve(ml); err != nil && !errors.Is(err, http.ErrServerClosed) {
			g.log.Error("metrics server stopped", "err", err)
		}
	}()
	go func() {
		defer wg.Done()
		<-ctx.Done()
		srv.Close()
	}()
	g.log.Info("metrics", "addr", ml.Addr().String())
	return nil
}
