package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cairn-sec/cairn/config"
	"github.com/cairn-sec/cairn/push"
	"github.com/cairn-sec/cairn/queries"
	"github.com/cairn-sec/cairn/web"
)

// envToken is the variable holding a plain API token, hashed at start.
const envToken = "CAIRN_API_TOKEN"

func newServeCommand(g *globals) *cobra.Command {
	var addr, metricsAddr, tlsCert, tlsKey string
	var printHash bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the HTTP API: search, read-only SQL, fields, saved queries",
		Long: `Serve the HTTP API on --addr (default api.addr, 127.0.0.1:8080):

  POST /api/v1/search   {"query": "...", "last": "24h", "limit": 100} or {"saved": "NAME", ...}
  POST /api/v1/sql      {"sql": "SELECT ...", "limit": 100}
  GET  /api/v1/fields   fields, types and top values over the last 24h
  GET  /api/v1/queries  the saved queries
  GET  /healthz         liveness, no token needed

Every /api route needs "Authorization: Bearer TOKEN". Tokens are configured
as SHA-256 hashes in api.tokens (cairn token new makes one, cairn token hash
hashes one), and/or given in plain in CAIRN_API_TOKEN.

Queries go to a running collector over its socket (they run beside ingestion,
never blocking it); with no collector, the store is opened read-only for the
requests in flight only. Each query has api.query_timeout and returns at most
api.max_rows rows. With --tls-cert and --tls-key (api.tls) it serves HTTPS
(TLS 1.2+), reading the files again when they change, so a renewed
certificate needs no restart. Without TLS, keep the default loopback address
or put a TLS-terminating proxy in front; Firehose delivers only to HTTPS.

Push endpoints (api.push in cairn.yaml; cairn token new --for firehose|logs):

  POST /firehose/cwlogs             Kinesis Data Firehose HTTP endpoint delivery of
                                    CloudWatch Logs subscription records
  POST /firehose/raw?format=F       Firehose records of raw lines: lines, json, cloudtrail
  POST /v1/logs                     {"logs":[{"timestamp","body","severity_text","attributes"}]}

With push endpoints configured, cairn serve is the store's writer (DuckDB
allows one writing process): it refuses to start while a collector holds the
store, and answers cairn sql on the store's socket as a collector does. To
collect and receive pushes at once, run cairn collect --http-addr ADDR instead.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if printHash {
				return printTokenHash(cmd)
			}
			cfg := g.cfg
			if addr != "" {
				cfg.API.Addr = addr
			}
			if metricsAddr != "" {
				cfg.MetricsAddr = metricsAddr
			}
			// Each flag overrides its own setting: a renewed certificate
			// given on the command line keeps the configured key.
			if tlsCert != "" {
				cfg.API.TLS.CertFile = tlsCert
			}
			if tlsKey != "" {
				cfg.API.TLS.KeyFile = tlsKey
			}
			if err := cfg.Validate(); err != nil {
				return usageError("configuration: %v", err)
			}
			l, err := net.Listen("tcp", cfg.API.Addr)
			if err != nil {
				return fmt.Errorf("serve: %w", err)
			}
			return runServe(cmd.Context(), g, cfg, l)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "", "listen address (default api.addr, 127.0.0.1:8080)")
	cmd.Flags().StringVar(&metricsAddr, "metrics-addr", "", "with push endpoints: serve Prometheus metrics on this address (default metrics_addr)")
	cmd.Flags().StringVar(&tlsCert, "tls-cert", "", "serve HTTPS with this PEM certificate chain (default api.tls.cert_file); read again when it changes")
	cmd.Flags().StringVar(&tlsKey, "tls-key", "", "the certificate's PEM private key (default api.tls.key_file)")
	cmd.Flags().BoolVar(&printHash, "print-token-hash", false, "read a token on stdin, print its SHA-256 for api.tokens, and exit")
	return cmd
}

// runServe serves the API on l until ctx ends. With push endpoints
// configured it is the store's writer (runServeWriter); otherwise it
// only reads.
func runServe(ctx context.Context, g *globals, cfg config.Config, l net.Listener) error {
	defer l.Close()
	if cfg.API.Push.Enabled() {
		return runServeWriter(ctx, g, cfg, l)
	}
	backend := web.NewStoreBackend(web.StoreOptions{Dir: cfg.Store.Dir, MemoryLimit: cfg.Store.MemoryLimit, Threads: cfg.Store.Threads})
	defer backend.Close()
	srv, err := newAPIServer(g, cfg, backend, nil)
	if err != nil {
		return err
	}
	if l, err = apiListener(g, l, cfg.API.TLS); err != nil {
		return err
	}
	return serveAPI(ctx, g, srv, l)
}

// newAPIServer builds the API over q, with the push endpoints of ph when
// it is not nil. API tokens are required unless push endpoints are served
// (their keys and tokens are their own).
func newAPIServer(g *globals, cfg config.Config, q web.Querier, ph *push.Handler) (*web.Server, error) {
	tokens, err := apiTokens(cfg.API, os.Getenv(envToken))
	if err != nil {
		if ph == nil {
			return nil, usageError("%v", err)
		}
		g.log.Warn("no API token: /api routes answer 401; only the push endpoints are usable")
	}
	compile, fields, check := searchLanguage()
	lib, err := queries.Load(queries.Options{Dir: cfg.Queries.Dir, Check: check})
	if err != nil {
		return nil, fmt.Errorf("saved queries: %w", err)
	}
	rules, err := ruleList(cfg.Detect, g.log)
	if err != nil {
		return nil, err
	}
	srv, err := web.New(web.Options{
		Querier: q, Compile: compile, Fields: fields, Library: lib, Tokens: tokens, Rules: rules,
		QueryTimeout: cfg.API.QueryTimeout, MaxRows: cfg.API.MaxRows, MaxRequestBytes: int64(cfg.API.MaxRequestBytes),
		Log: g.log,
	})
	if err != nil {
		return nil, err
	}
	names := make([]string, len(tokens))
	for i, t := range tokens {
		names[i] = t.Name
	}
	var routes []string
	if ph != nil {
		ph.Register(srv.HandlePublic)
		routes = ph.Routes()
	}
	g.log.Info("API configured", "store", cfg.Store.Dir, "tokens", strings.Join(names, ","), "saved_queries", len(lib.All()),
		"query_timeout", cfg.API.QueryTimeout, "max_rows", cfg.API.MaxRows, "push", strings.Join(routes, ","))
	return srv, nil
}

// apiListener is l serving HTTPS with the certificate files of t
// (api.tls) when set, else l itself (plain HTTP); it logs the address.
// Certificate files that do not load are an error here, before serving.
func apiListener(g *globals, l net.Listener, t config.TLS) (net.Listener, error) {
	scheme := "http://"
	if t.Enabled() {
		cf, err := web.LoadCertFiles(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("api.tls: %w", err)
		}
		cf.OnError = func(err error) { g.log.Warn("certificate not reloaded", "err", err) }
		l, scheme = tls.NewListener(l, cf.Config()), "https://"
	} else if host, _, _ := net.SplitHostPort(l.Addr().String()); !isLoopback(host) {
		g.log.Warn("serving on a non-loopback address without TLS: set api.tls (or --tls-cert/--tls-key), or put a TLS-terminating proxy in front", "addr", l.Addr().String())
	}
	g.log.Info("serving the API", "addr", scheme+l.Addr().String())
	return l, nil
}

// serveAPI serves srv on l (see apiListener) until ctx ends.
func serveAPI(ctx context.Context, g *globals, srv *web.Server, l net.Listener) error {
	if err := srv.Serve(ctx, l); err != nil {
		return err
	}
	g.log.Info("API stopped")
	return nil
}

// apiTokens are the configured tokens plus the one in CAIRN_API_TOKEN
// (named "env"), hashed here and not kept in plain.
func apiTokens(c config.API, plain string) ([]web.Token, error) {
	var out []web.Token
	for _, t := range c.Tokens {
		tok, err := web.ParseToken(t.Name, t.SHA256)
		if err != nil {
			return nil, fmt.Errorf("api.tokens: %w", err)
		}
		out = append(out, tok)
	}
	if plain = strings.TrimSpace(plain); plain != "" {
		tok, err := web.ParseToken("env", web.HashToken(plain))
		if err != nil {
			return nil, err
		}
		out = append(out, tok)
	}
	if len(out) == 0 {
		return nil, errors.New("no API token: run cairn token new and put its hash in api.tokens, or set " + envToken)
	}
	return out, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// searchLanguage wires the search compiler into the API and the saved
// queries' check.
func searchLanguage() (web.CompileFunc, func() []web.Field, func(string) error) {
	return web.SearchCompile, web.SearchFields, web.CheckSearch
}
