package push

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/cwlogs"
	"github.com/cairn-sec/cairn/web"
)

// Routes.
const (
	PathFirehoseCWLogs = "/firehose/cwlogs"
	PathFirehoseRaw    = "/firehose/raw"
	PathLogs           = "/v1/logs"
)

// Defaults for zero Options fields (Firehose's own limits).
const (
	DefaultFirehoseMaxBody    = 64 << 20
	DefaultFirehoseMaxDecoded = 256 << 20
	DefaultFirehoseMaxRecords = 10000
	DefaultLogsMaxBody        = 16 << 20
	DefaultLogsMaxDecoded     = 64 << 20
	DefaultLogsMaxEntries     = 10000
	DefaultMaxConcurrent      = 2
)

// Limits bound one request.
type Limits struct {
	MaxBody    int64 // body bytes as received
	MaxDecoded int64 // after decompressing the body and each record; also bounds the memory of one record's events
	MaxRecords int   // Firehose records or log entries
}

// Options configure a Handler.
type Options struct {
	Store Store // required

	// FirehoseKeys are the accepted X-Amz-Firehose-Access-Key values
	// (hashed); with none, the /firehose routes are not registered.
	FirehoseKeys []web.Token
	// CWLogs decodes a CloudWatch Logs subscription record for
	// /firehose/cwlogs; default cwlogs.DecodeRecord.
	CWLogs   RecordDecoder
	Firehose Limits

	// LogsTokens are the accepted bearer tokens of /v1/logs; with none,
	// the route is not registered.
	LogsTokens []web.Token
	Logs       Limits

	// MaxConcurrent requests are decoded at once (each may hold up to
	// MaxDecoded bytes); more wait. Default 2.
	MaxConcurrent int

	// Detector, when set, evaluates each request's events in its
	// transaction before it commits (detection rules, IOC matching), as
	// the collector's committer does; the store's transactions must then
	// be cairn.WriteTx. A detection error fails the request (the sender
	// retries), so no event is stored unevaluated.
	Detector Detector

	Metrics *Metrics         // default: unregistered
	Log     *slog.Logger     // default: discard
	Now     func() time.Time // default: time.Now
}

// Handler serves the push endpoints.
type Handler struct {
	opts  Options
	slots chan struct{}
	m     *Metrics
	log   *slog.Logger
}

// New returns a Handler.
func New(opts Options) (*Handler, error) {
	if opts.Store == nil {
		return nil, errors.New("push: no Store")
	}
	defaults(&opts.Firehose, DefaultFirehoseMaxBody, DefaultFirehoseMaxDecoded, DefaultFirehoseMaxRecords)
	defaults(&opts.Logs, DefaultLogsMaxBody, DefaultLogsMaxDecoded, DefaultLogsMaxEntries)
	if opts.CWLogs == nil {
		opts.CWLogs = func(ctx context.Context, data []byte, ref cairn.ObjectRef, out cairn.Emitter) error {
			_, err := cwlogs.DecodeRecord(ctx, data, ref, out)
			return err
		}
	}
	if opts.MaxConcurrent <= 0 {
		opts.MaxConcurrent = DefaultMaxConcurrent
	}
	if opts.Metrics == nil {
		opts.Metrics = NewMetrics(nil)
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Handler{opts: opts, slots: make(chan struct{}, opts.MaxConcurrent), m: opts.Metrics, log: opts.Log}, nil
}

func defaults(l *Limits, body, decoded int64, records int) {
	if l.MaxBody <= 0 {
		l.MaxBody = body
	}
	if l.MaxDecoded <= 0 {
		l.MaxDecoded = max(decoded, l.MaxBody)
	}
	if l.MaxRecords <= 0 {
		l.MaxRecords = records
	}
}

// Register adds the configured routes with handle (web.Server's
// HandlePublic: the endpoints authenticate with their own secrets, and API
// tokens are not accepted).
func (h *Handler) Register(handle func(pattern string, h http.Handler)) {
	if len(h.opts.FirehoseKeys) > 0 {
		handle("POST "+PathFirehoseCWLogs, http.HandlerFunc(h.serveFirehose))
		handle("POST "+PathFirehoseRaw, http.HandlerFunc(h.serveFirehose))
	}
	if len(h.opts.LogsTokens) > 0 {
		handle("POST "+PathLogs, http.HandlerFunc(h.serveLogs))
	}
}

// Routes lists the registered routes, for the start-up log line.
func (h *Handler) Routes() []string {
	var r []string
	if len(h.opts.FirehoseKeys) > 0 {
		r = append(r, PathFirehoseCWLogs, PathFirehoseRaw)
	}
	if len(h.opts.LogsTokens) > 0 {
		r = append(r, PathLogs)
	}
	return r
}

// acquire waits for a decode slot.
func (h *Handler) acquire(ctx context.Context) (release func(), err error) {
	select {
	case h.slots <- struct{}{}:
		return func() { <-h.slots }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for a decode slot: %w", ctx.Err())
	}
}

// process decodes (read) and commits a request under a decode slot. For
// a failed request it returns the status to answer and why.
func (h *Handler) process(r *http.Request, res *result, maxRecordBytes int64, read func() (*batch, error)) (int, error) {
	release, err := h.acquire(r.Context())
	if err != nil {
		return http.StatusServiceUnavailable, err
	}
	defer release()
	b, err := read()
	if err != nil {
		return status(err), err
	}
	res.b = b
	if res.out, err = commit(r.Context(), h.opts.Store, h.opts.Detector, b, maxRecordBytes); err != nil {
		st := status(err)
		if st == http.StatusInternalServerError {
			err = fmt.Errorf("retry later: %w", err)
		}
		return st, err
	}
	return http.StatusOK, nil
}

// result is what one request did, for its metrics and its log line.
type result struct {
	endpoint  string
	requestID string
	secret    string // the matching key or token's name, never the secret
	status    int
	err       error
	b         *batch
	out       outcome
	wire      int64
	decoded   int64
}

// finish counts and logs a request once, at its end.
func (h *Handler) finish(ctx context.Context, r *result, start time.Time) {
	h.m.Requests.WithLabelValues(r.endpoint, strconv.Itoa(r.status)).Inc()
	h.m.Bytes.WithLabelValues(r.endpoint, "body").Add(float64(r.wire))
	h.m.Bytes.WithLabelValues(r.endpoint, "decoded").Add(float64(r.decoded))
	attrs := []any{"endpoint", r.endpoint, "request_id", r.requestID, "key", r.secret, "status", r.status,
		"took_ms", time.Since(start).Milliseconds()}
	if r.b != nil && r.status == http.StatusOK {
		h.m.Commit.WithLabelValues(r.endpoint).Observe(r.out.took.Seconds())
		if r.out.duplicate {
			h.m.Duplicates.WithLabelValues(r.endpoint).Inc()
		} else {
			h.m.Records.WithLabelValues(r.endpoint, "decoded").Add(float64(r.b.req.Records))
			h.m.Records.WithLabelValues(r.endpoint, "quarantined").Add(float64(r.b.req.Errors))
			h.m.Events.WithLabelValues(r.endpoint, "stored").Add(float64(r.out.res.Inserted))
			h.m.Events.WithLabelValues(r.endpoint, "duplicate").Add(float64(r.out.res.Duplicates))
		}
		attrs = append(attrs, "records", r.b.req.Records, "events", r.out.res.Inserted, "duplicate_events", r.out.res.Duplicates,
			"quarantined", r.b.req.Errors, "duplicate_request", r.out.duplicate)
	}
	level := slog.LevelInfo
	if r.err != nil {
		attrs = append(attrs, "err", r.err.Error())
		level = slog.LevelWarn
		if r.status >= 500 {
			level = slog.LevelError
		}
	}
	h.log.Log(ctx, level, "push request", attrs...)
}
