package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"

	"github.com/cairn-sec/cairn/config"
	"github.com/cairn-sec/cairn/duckdb"
	"github.com/cairn-sec/cairn/push"
	"github.com/cairn-sec/cairn/web"
)

// pushSecrets turns configured keys or tokens into hashes: sha256 entries
// as they are, env entries read from the environment and hashed here (the
// plain secret is not kept).
func pushSecrets(path string, list []config.PushSecret, getenv func(string) string) ([]web.Token, error) {
	var out []web.Token
	for i, s := range list {
		hash := s.SHA256
		if s.Env != "" {
			plain := strings.TrimSpace(getenv(s.Env))
			if plain == "" {
				return nil, fmt.Errorf("%s[%d] (%s): environment variable %s is empty", path, i, s.Name, s.Env)
			}
			hash = web.HashToken(plain)
		}
		tok, err := web.ParseToken(s.Name, hash)
		if err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", path, i, err)
		}
		out = append(out, tok)
	}
	return out, nil
}

// newPushHandler builds the push endpoints over a store this process
// writes, their metrics in p's registry.
func newPushHandler(p *pipeline, c config.Push, getenv func(string) string) (*push.Handler, error) {
	keys, err := pushSecrets("api.push.firehose.access_keys", c.Firehose.AccessKeys, getenv)
	if err != nil {
		return nil, usageError("%v", err)
	}
	tokens, err := pushSecrets("api.push.logs.tokens", c.Logs.Tokens, getenv)
	if err != nil {
		return nil, usageError("%v", err)
	}
	return push.New(push.Options{
		Store:        push.Begin(p.store.BeginTx),
		Detector:     p.detector, // pushed events raise alerts as collected ones do (a nil detector stays nil)
		FirehoseKeys: keys,
		Firehose:     push.Limits{MaxBody: int64(c.Firehose.MaxBody), MaxDecoded: int64(c.Firehose.MaxDecoded), MaxRecords: c.Firehose.MaxRecords},
		LogsTokens:   tokens,
		Logs:         push.Limits{MaxBody: int64(c.Logs.MaxBody), MaxDecoded: int64(c.Logs.MaxDecoded), MaxRecords: c.Logs.MaxEntries},
		Metrics:      push.NewMetrics(p.registry),
		Log:          p.log,
	})
}

// lockedStoreError explains a store another process writes.
func lockedStoreError(err error) error {
	if !errors.Is(err, duckdb.ErrLocked) {
		return err
	}
	return fmt.Errorf("%w\npush endpoints commit, and DuckDB allows one writing process: stop the other process "+
		"(cairn collect, cairn ingest or another cairn serve), or serve the API and push endpoints from the collector "+
		"with cairn collect --http-addr ADDR", err)
}

// runServeWriter is cairn serve with push endpoints: it holds the store
// for writing, answers cairn sql on the query socket as a collector does,
// and serves the API, the push endpoints and (metrics_addr) metrics.
func runServeWriter(ctx context.Context, g *globals, cfg config.Config, l net.Listener) error {
	p, err := openPipeline(ctx, cfg, g.log, 1)
	if err != nil {
		return lockedStoreError(err)
	}
	defer p.Close()
	var side sync.WaitGroup
	sideCtx, stopSide := context.WithCancel(ctx)
	defer func() { stopSide(); side.Wait() }()
	if err := serveSide(sideCtx, &side, p, cfg, g); err != nil {
		return err
	}
	ph, err := newPushHandler(p, cfg.API.Push, os.Getenv)
	if err != nil {
		return err
	}
	srv, err := newAPIServer(g, cfg, web.DirectBackend{Store: p.store}, ph)
	if err != nil {
		return err
	}
	if l, err = apiListener(g, l, cfg.API.TLS); err != nil {
		return err
	}
	return serveAPI(ctx, g, srv, l)
}

// serveHTTPSide serves the API and the push endpoints from a collector
// (cairn collect --http-addr), owned by wg.
func serveHTTPSide(ctx context.Context, wg *sync.WaitGroup, p *pipeline, cfg config.Config, g *globals, addr string) error {
	var ph *push.Handler
	if cfg.API.Push.Enabled() {
		var err error
		if ph, err = newPushHandler(p, cfg.API.Push, os.Getenv); err != nil {
			return err
		}
	}
	srv, err := newAPIServer(g, cfg, web.DirectBackend{Store: p.store}, ph)
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("http listener: %w", err)
	}
	api, err := apiListener(g, l, cfg.API.TLS)
	if err != nil {
		l.Close()
		return err
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := serveAPI(ctx, g, srv, api); err != nil {
			g.log.Error("HTTP API stopped", "err", err)
		}
	}()
	return nil
}
