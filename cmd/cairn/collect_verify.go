package main

import (
	"context"
	"sync"

	"github.com/cairn-sec/cairn/awsauth"
	"github.com/cairn-sec/cairn/cloudtrailapi"
	"github.com/cairn-sec/cairn/config"
	"github.com/cairn-sec/cairn/digestcheck"
	"github.com/cairn-sec/cairn/s3"
)

// startDigestChecks runs continuous digest verification beside the
// collector when collect.verify_digests is on; wg owns the goroutine.
func startDigestChecks(ctx context.Context, wg *sync.WaitGroup, p *pipeline, cfg config.Config, g *globals) error {
	if !cfg.Collect.VerifyDigests {
		return nil
	}
	awsCfg, err := awsauth.Load(ctx, authOptions(cfg.AWS, cfg.Queues[0]))
	if err != nil {
		return err
	}
	c := digestcheck.New(digestcheck.Options{Ledger: p.store, Objects: s3Store{s3.New(awsCfg, s3.Options{PathStyle: cfg.AWS.PathStyle})},
		Keys: cloudtrailapi.New(awsCfg), Interval: cfg.Collect.VerifyEvery, Grace: cfg.Collect.VerifyGrace, Log: g.log, Registry: p.registry})
	wg.Add(1)
	go func() {
		defer wg.Done()
		c.Run(ctx)
	}()
	g.log.Info("verifying CloudTrail digests as they arrive", "every", cfg.Collect.VerifyEvery.String())
	return nil
}
