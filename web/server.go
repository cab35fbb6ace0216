package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/cairn-sec/cairn/detect"
	"github.com/cairn-sec/cairn/queries"
)

// Defaults for zero Options fields.
const (
	DefaultQueryTimeout    = 30 * time.Second
	DefaultMaxRows         = 10000
	DefaultMaxRequestBytes = 1 << 20
	DefaultMaxConcurrent   = 4
	DefaultFieldsWindow    = 24 * time.Hour
	DefaultFieldsTTL       = time.Minute
)

// Options configure a Server.
type Options struct {
	// Querier runs read-only SQL (required). StoreBackend is the usual one.
	Querier Querier
	// Compile turns a search query into SQL; nil answers /api/v1/search
	// with 501.
	Compile CompileFunc
	// Fields lists the searchable fields for /api/v1/fields.
	Fields func() []Field
	// Library holds the saved queries; nil means none.
	Library *queries.Library
	// Rules are the detection rules, for /api/v1/rules.
	Rules []detect.RuleInfo
	// Tokens are the accepted bearer tokens. With none, every
	// authenticated route answers 401.
	Tokens []Token

	QueryTimeout    time.Duration // per query (search, SQL, fields); default 30s
	MaxRows         int           // rows returned at most; default 10000
	MaxRequestBytes int64         // request body limit; default 1MiB
	MaxConcurrent   int           // queries run at once; more wait (within their timeout); default 4
	FieldsWindow    time.Duration // top values are counted over this recent window; default 24h
	FieldsTTL       time.Duration // and cached this long; default 1m

	Log *slog.Logger     // default: discard
	Now func() time.Time // default: time.Now
}

// Server is the HTTP API.
type Server struct {
	opts   Options
	log    *slog.Logger
	mux    *http.ServeMux
	slots  chan struct{}
	fields *fieldsCache
}

// New builds a server with the API routes registered.
func New(opts Options) (*Server, error) {
	if opts.Querier == nil {
		return nil, errors.New("web: no Querier")
	}
	if opts.QueryTimeout <= 0 {
		opts.QueryTimeout = DefaultQueryTimeout
	}
	if opts.MaxRows <= 0 {
		opts.MaxRows = DefaultMaxRows
	}
	if opts.MaxRequestBytes <= 0 {
		opts.MaxRequestBytes = DefaultMaxRequestBytes
	}
	if opts.MaxConcurrent <= 0 {
		opts.MaxConcurrent = DefaultMaxConcurrent
	}
	if opts.FieldsWindow <= 0 {
		opts.FieldsWindow = DefaultFieldsWindow
	}
	if opts.FieldsTTL <= 0 {
		opts.FieldsTTL = DefaultFieldsTTL
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{
		opts:   opts,
		log:    opts.Log,
		mux:    http.NewServeMux(),
		slots:  make(chan struct{}, opts.MaxConcurrent),
		fields: &fieldsCache{},
	}
	s.HandlePublic("GET /healthz", http.HandlerFunc(s.handleHealth))
	s.api("POST", "/api/v1/search", s.handleSearch)
	s.api("POST", "/api/v1/sql", s.handleSQL)
	s.api("GET", "/api/v1/fields", s.handleFields)
	s.api("GET", "/api/v1/queries", s.handleQueries)
	s.api("GET", "/api/v1/queries/{name}", s.handleQuery)
	s.registerAlerts()
	s.Handle("/api/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such endpoint: "+r.Method+" "+r.URL.Path)
	}))
	return s, nil
}

// api registers an authenticated JSON endpoint; other methods on its path
// get a JSON 405.
func (s *Server) api(method, path string, h http.HandlerFunc) {
	s.Handle(method+" "+path, h)
	s.Handle(path, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", method)
		writeError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed on "+r.URL.Path+": use "+method)
	}))
}

// Handle registers an authenticated route (a net/http ServeMux pattern
// such as "GET /console/").
func (s *Server) Handle(pattern string, h http.Handler) {
	s.mux.Handle(pattern, s.requireAuth(h))
}

// HandlePublic registers a route that needs no token.
func (s *Server) HandlePublic(pattern string, h http.Handler) {
	s.mux.Handle(pattern, h)
}

// Handler is the whole server: routes with request logging, panic
// recovery and common headers.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		h := rec.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("panic in handler", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(p))
				if !rec.wrote {
					writeError(rec, http.StatusInternalServerError, "internal error")
				}
			}
			level := slog.LevelInfo
			if r.URL.Path == "/healthz" {
				level = slog.LevelDebug
			}
			s.log.Log(r.Context(), level, "request", "method", r.Method, "path", r.URL.Path, "status", rec.status,
				"took_ms", time.Since(start).Milliseconds(), "remote", r.RemoteAddr, "token", rec.token)
		}()
		s.mux.ServeHTTP(rec, r)
	})
}

// Serve answers on l until ctx ends, then shuts down gracefully.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      s.opts.QueryTimeout + time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	select {
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err := srv.Shutdown(sctx)
		<-done
		if err != nil {
			return fmt.Errorf("http shutdown: %w", err)
		}
		return nil
	case err := <-done:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("http server: %w", err)
	}
}

// recorder remembers the status and the token name for the request log.
type recorder struct {
	http.ResponseWriter
	status int
	wrote  bool
	token  string
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (s *Server) handleHealth(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
