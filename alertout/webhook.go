package alertout

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-sec/cairn"
)

// Signature headers; see the package documentation.
const (
	HeaderTimestamp = "X-Cairn-Timestamp"
	HeaderSignature = "X-Cairn-Signature"
	HeaderAlertID   = "X-Cairn-Alert-Id"
)

// HTTPOptions configure the HTTP outputs.
type HTTPOptions struct {
	Name    string
	URL     string
	Secret  string        // webhook only: HMAC key; "" = unsigned
	Timeout time.Duration // per request; default 10s
	// Tries is how many requests one Send makes on a retryable failure
	// (network error, 408, 429, 5xx) before giving up; default 3.
	Tries int
	// RetryWait is the wait after the first failed request, doubling
	// after each; default 500ms.
	RetryWait time.Duration
	Client    *http.Client // default: a client with Timeout
	now       func() time.Time
}

func (o *HTTPOptions) defaults() {
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Tries <= 0 {
		o.Tries = 3
	}
	if o.RetryWait <= 0 {
		o.RetryWait = 500 * time.Millisecond
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: o.Timeout}
	}
	if o.now == nil {
		o.now = time.Now
	}
}

// httpOutput is what the HTTP outputs share: options and name.
type httpOutput struct{ opts HTTPOptions }

func newHTTPOutput(opts HTTPOptions) httpOutput {
	opts.defaults()
	return httpOutput{opts: opts}
}

// Name implements Output.
func (o *httpOutput) Name() string { return o.opts.Name }

// send posts v as JSON.
func (o *httpOutput) send(ctx context.Context, id string, v any, header func(http.Header)) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode alert %s: %w", id, err)
	}
	return post(ctx, &o.opts, body, func(h http.Header) { header(h); o.sign(h, body) })
}

// Webhook posts each alert as JSON, signed when a secret is set.
type Webhook struct{ httpOutput }

// NewWebhook returns a webhook output.
func NewWebhook(opts HTTPOptions) *Webhook { return &Webhook{newHTTPOutput(opts)} }

// Send implements Output.
func (w *Webhook) Send(ctx context.Context, d cairn.DueAlert, resend bool) error {
	return w.send(ctx, d.Alert.ID, payload{Type: "cairn.alert", Alert: d.Alert, SampleEvent: d.Sample, Resend: resend}, func(h http.Header) {
		h.Set(HeaderAlertID, d.Alert.ID)
	})
}

// sign adds the signature headers when a secret is set.
func (o *httpOutput) sign(h http.Header, body []byte) {
	if o.opts.Secret == "" {
		return
	}
	ts := strconv.FormatInt(o.opts.now().Unix(), 10)
	h.Set(HeaderTimestamp, ts)
	h.Set(HeaderSignature, Sign(o.opts.Secret, ts, body))
}

// Sign returns the X-Cairn-Signature value for a body sent at timestamp
// ts (Unix seconds, as sent in X-Cairn-Timestamp).
func Sign(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify checks a received webhook: the signature (in constant time) and
// that its timestamp is within maxSkew of now. Receivers written in Go can
// use it as is; it documents the scheme for others.
func Verify(secret string, h http.Header, body []byte, now time.Time, maxSkew time.Duration) error {
	ts := h.Get(HeaderTimestamp)
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%s %q: not Unix seconds", HeaderTimestamp, ts)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > maxSkew || d < -maxSkew {
		return fmt.Errorf("%s %s: outside ±%s of now (replayed?)", HeaderTimestamp, ts, maxSkew)
	}
	want := Sign(secret, ts, body)
	if !hmac.Equal([]byte(h.Get(HeaderSignature)), []byte(want)) {
		return errors.New("signature mismatch")
	}
	return nil
}

// post sends body, retrying retryable failures Tries times with doubling
// waits. The error never contains the URL beyond its scheme and host.
func post(ctx context.Context, o *HTTPOptions, body []byte, header func(http.Header)) error {
	wait := o.RetryWait
	var last error
	for try := 1; ; try++ {
		retry, err := postOnce(ctx, o, body, header)
		if err == nil {
			return nil
		}
		last = err
		if !retry || try >= o.Tries {
			break
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%s %s: %w (after %v)", o.Name, RedactURL(o.URL), ctx.Err(), last)
		case <-t.C:
		}
		wait *= 2
	}
	return fmt.Errorf("%s %s: %w", o.Name, RedactURL(o.URL), last)
}

func postOnce(ctx context.Context, o *HTTPOptions, body []byte, header func(http.Header)) (retry bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.URL, bytes.NewReader(body))
	if err != nil {
		return false, fmt.Errorf("%w: bad request: %v", ErrPermanent, redactErr(err, o.URL))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "cairn-alerts/1")
	header(req.Header)
	resp, err := o.Client.Do(req)
	if err != nil {
		return ctx.Err() == nil, redactErr(err, o.URL)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 == 2 {
		return false, nil
	}
	err = fmt.Errorf("HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(snippet)))
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode >= 500:
		return true, err
	}
	return false, fmt.Errorf("%w: %v", ErrPermanent, err)
}
