package s3_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/s3"
)

// TestOpen reads an object with its user metadata (the fake S3 with the
// x-amz-meta-* headers S3 sends for a CloudTrail digest) and reports a
// missing one as cairn.ErrNotFound.
func TestOpen(t *testing.T) {
	f := newFakeS3(t)
	f.addBucket("trail", "us-east-1")
	f.put("trail", trailKey, &fakeObject{Body: []byte("digest bytes"), ETag: `"e"`})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			w.Header().Set("X-Amz-Meta-Signature", "abc123")
			w.Header().Set("x-amz-meta-signature-algorithm", "SHA256withRSA")
		}
		f.srv.Config.Handler.ServeHTTP(w, r)
	}))
	defer srv.Close()
	c := s3.New(testConfig(srv.URL), s3.Options{PathStyle: true})

	body, meta, err := c.Open(context.Background(), "trail", trailKey)
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, body, body); got != "digest bytes" {
		t.Errorf("body %q", got)
	}
	if meta["signature"] != "abc123" || meta["signature-algorithm"] != "SHA256withRSA" || len(meta) != 2 {
		t.Errorf("metadata %v", meta)
	}
	if _, _, err := c.Open(context.Background(), "trail", "no/such/key"); !errors.Is(err, cairn.ErrNotFound) {
		t.Errorf("missing object: %v, want cairn.ErrNotFound", err)
	}
}
