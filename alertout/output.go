package alertout

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/cairn-sec/cairn"
)

// Output delivers one alert.
type Output interface {
	// Name is the output's configured name, the key of its delivery state.
	Name() string
	Send(ctx context.Context, d cairn.DueAlert, resend bool) error
}

// ErrPermanent marks a failure that retrying the same request right away
// cannot fix (a 4xx answer); the dispatcher still retries it later, with
// backoff, in case the receiving end is fixed.
var ErrPermanent = errors.New("permanent delivery failure")

// RedactURL reduces a URL to its scheme and host for logs and errors:
// paths and query strings may hold secrets (Slack webhook paths, tokens).
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(invalid URL)"
	}
	s := u.Scheme + "://" + u.Host
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" {
		s += "/…"
	}
	return s
}

// redactErr replaces a URL quoted in an error (as net/http's *url.Error
// does) with its redacted form.
func redactErr(err error, raw string) error {
	if err == nil {
		return nil
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s %s: %w", ue.Op, RedactURL(raw), ue.Err)
	}
	msg := err.Error()
	if raw != "" && strings.Contains(msg, raw) {
		return errors.New(strings.ReplaceAll(msg, raw, RedactURL(raw)))
	}
	return err
}

// payload is the webhook body.
type payload struct {
	Type        string            `json:"type"`
	Alert       cairn.Alert       `json:"alert"`
	SampleEvent map[string]string `json:"sample_event,omitempty"`
	Resend      bool              `json:"resend"`
}
