package alertout

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
)

func sampleAlert() cairn.DueAlert {
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	a := cairn.Alert{Kind: cairn.AlertSigma, RuleID: "4d2c7d14-sigma", Title: "AWS IAM user created <by root> & more", Severity: "high",
		Tags: []string{"attack.persistence"}, Author: "Jane Doe", License: "DRL-1.1", Source: "aws.cloudtrail",
		GroupKey: "111111111111|arn:aws:iam::111111111111:root", Fields: map[string]string{"user_arn": "arn:aws:iam::111111111111:root"},
		FirstSeen: t0, LastSeen: t0.Add(5 * time.Minute), Count: 3, SampleEventIDs: []string{"ev-1", "ev-2"}, Status: cairn.AlertOpen,
		CreatedAt: t0.Add(time.Minute), UpdatedAt: t0.Add(6 * time.Minute)}
	a.SetID()
	return cairn.DueAlert{Alert: a, Sample: map[string]string{"event_name": "CreateUser", "source_ip": "198.51.100.1", "time": "2026-03-01T10:00:00Z"}}
}

// receiver is a webhook endpoint that fails the first `fail` requests with
// status, then verifies and records the rest.
type receiver struct {
	mu     sync.Mutex
	secret string
	fail   int
	status int
	got    [][]byte
	tries  int
	errs   []error
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tries++
	if r.fail > 0 {
		r.fail--
		http.Error(w, "down for maintenance", r.status)
		return
	}
	if r.secret != "" {
		if err := Verify(r.secret, req.Header, body, time.Now(), 5*time.Minute); err != nil {
			r.errs = append(r.errs, err)
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
	}
	r.got = append(r.got, body)
}

func TestWebhookSignedRetried(t *testing.T) {
	rc := &receiver{secret: "s3cret", fail: 2, status: http.StatusInternalServerError}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	w := NewWebhook(HTTPOptions{Name: "hook", URL: srv.URL + "/in?token=abc", Secret: "s3cret", RetryWait: time.Millisecond})
	d := sampleAlert()
	if err := w.Send(context.Background(), d, false); err != nil {
		t.Fatal(err)
	}
	if rc.tries != 3 || len(rc.got) != 1 || len(rc.errs) != 0 {
		t.Fatalf("tries %d, delivered %d, verify errors %v", rc.tries, len(rc.got), rc.errs)
	}
	var p struct {
		Type        string            `json:"type"`
		Alert       cairn.Alert       `json:"alert"`
		SampleEvent map[string]string `json:"sample_event"`
		Resend      bool              `json:"resend"`
	}
	if err := json.Unmarshal(rc.got[0], &p); err != nil {
		t.Fatal(err)
	}
	if p.Type != "cairn.alert" || p.Alert.ID != d.Alert.ID || p.Alert.Count != 3 || p.SampleEvent["event_name"] != "CreateUser" || p.Resend {
		t.Errorf("payload %+v", p)
	}

	// Too many failures: the error names the output, not the URL's secrets.
	rc.fail = 5
	err := w.Send(context.Background(), d, false)
	if err == nil || !strings.Contains(err.Error(), "HTTP 500") || strings.Contains(err.Error(), "token=abc") || errors.Is(err, ErrPermanent) {
		t.Errorf("error %v", err)
	}
}

func TestWebhookWrongSecretPermanent(t *testing.T) {
	rc := &receiver{secret: "right"}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	w := NewWebhook(HTTPOptions{Name: "hook", URL: srv.URL, Secret: "wrong", RetryWait: time.Millisecond})
	err := w.Send(context.Background(), sampleAlert(), false)
	if !errors.Is(err, ErrPermanent) || rc.tries != 1 || len(rc.errs) != 1 || !strings.Contains(rc.errs[0].Error(), "signature mismatch") {
		t.Errorf("err %v, tries %d, receiver errors %v", err, rc.tries, rc.errs)
	}
}

func TestVerify(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"a":1}`)
	h := http.Header{}
	h.Set(HeaderTimestamp, "1800000000")
	h.Set(HeaderSignature, Sign("k", "1800000000", body))
	if err := Verify("k", h, body, now, time.Minute); err != nil {
		t.Fatal(err)
	}
	// The exact scheme, computed independently:
	// printf '1800000000.{"a":1}' | openssl dgst -sha256 -hmac k
	if got := h.Get(HeaderSignature); got != "sha256=a776b22fd93f756bb625f275db2abe8a55e6c7d8b59d2533b90bc67b8569d2b7" {
		t.Errorf("signature %s", got)
	}
	for name, tc := range map[string]struct {
		body []byte
		now  time.Time
		key  string
	}{
		"tampered body": {[]byte(`{"a":2}`), now, "k"},
		"replayed":      {body, now.Add(10 * time.Minute), "k"},
		"wrong key":     {body, now, "x"},
	} {
		if err := Verify(tc.key, h, tc.body, tc.now, time.Minute); err == nil {
			t.Errorf("%s: verified", name)
		}
	}
	// The timestamp is signed: moving it breaks the signature.
	h2 := h.Clone()
	h2.Set(HeaderTimestamp, "1800000030")
	if err := Verify("k", h2, body, now, time.Minute); err == nil {
		t.Error("changed timestamp verified")
	}
}

func TestRedaction(t *testing.T) {
	for in, want := range map[string]string{
		"https://hooks.slack.com/services/T0/B0/XXXXSECRET": "https://hooks.slack.com/…",
		"https://example.com/hook?token=abc":                "https://example.com/…",
		"https://user:pw@example.com":                       "https://example.com",
		"::nope":                                            "(invalid URL)",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
	// A connection error from net/http quotes the whole URL; ours does not.
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL + "/services/T0/B0/XXXXSECRET"
	srv.Close()
	s := NewSlack(HTTPOptions{Name: "slack", URL: u, Tries: 1})
	err := s.Send(context.Background(), sampleAlert(), false)
	if err == nil || strings.Contains(err.Error(), "XXXXSECRET") || !strings.Contains(err.Error(), "slack") {
		t.Errorf("error %v", err)
	}
}
