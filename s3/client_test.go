package s3_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/s3"
)

const (
	kmsMessage = "User: arn:aws:sts::123456789012:assumed-role/cairn/cairn is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab because no identity-based policy allows the kms:Decrypt action"
	cmkMessage = "The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access."
	trailKey   = "AWSLogs/123456789012/CloudTrail/us-east-1/2024/05/06/123456789012_CloudTrail_us-east-1_20240506T0705Z_abc.json.gz"
)

func testConfig(endpoint string) aws.Config {
	return aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")}
}

func newClient(f *fakeS3) *s3.Client {
	return s3.New(testConfig(f.URL()), s3.Options{PathStyle: true})
}

func readAll(t *testing.T, obj interface{ Close() error }, r io.Reader) string {
	t.Helper()
	defer obj.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestFetch(t *testing.T) {
	f := newFakeS3(t)
	f.addBucket("trail", "us-east-1")
	mod := time.Date(2024, 5, 6, 7, 5, 30, 0, time.UTC)
	f.put("trail", trailKey, &fakeObject{Body: []byte("gzipped bytes"), ETag: `"9b2cf535f27731c974343645a3985328"`,
		VersionID: "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY", LastModified: mod})

	obj, err := newClient(f).Fetch(context.Background(), cairn.ObjectRef{Bucket: "trail", Key: trailKey})
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, obj.Body, obj.Body); got != "gzipped bytes" {
		t.Errorf("body = %q", got)
	}
	if obj.ETag != "9b2cf535f27731c974343645a3985328" {
		t.Errorf("ETag = %q, want it without quotes", obj.ETag)
	}
	if obj.VersionID != "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY" || obj.Size != 13 || !obj.LastModified.Equal(mod) {
		t.Errorf("object = %+v", obj)
	}
	for _, r := range f.Requests() {
		if r.Method == http.MethodGet {
			if r.Bucket != "trail" || r.Key != trailKey {
				t.Errorf("GET /%s/%s, want path-style /trail/%s", r.Bucket, r.Key, trailKey)
			}
			if _, ok := r.Query["versionId"]; ok {
				t.Errorf("unversioned ref sent versionId=%q", r.Query.Get("versionId"))
			}
		}
	}
}

func TestFetchVersion(t *testing.T) {
	f := newFakeS3(t)
	f.addBucket("trail", "us-east-1")
	old := &fakeObject{Body: []byte("old"), ETag: `"aaaa"`, VersionID: "v1+/old=="}
	f.put("trail", "k", &fakeObject{Body: []byte("new"), ETag: `"bbbb"`, VersionID: "v2",
		Versions: map[string]*fakeObject{old.VersionID: old}})
	c := newClient(f)
	ctx := context.Background()

	obj, err := c.Fetch(ctx, cairn.ObjectRef{Bucket: "trail", Key: "k", VersionID: "v1+/old=="})
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, obj.Body, obj.Body); got != "old" || obj.VersionID != "v1+/old==" || obj.ETag != "aaaa" {
		t.Errorf("versioned fetch: body %q version %q etag %q", got, obj.VersionID, obj.ETag)
	}
	reqs := f.Requests()
	if last := reqs[len(reqs)-1]; last.Query.Get("versionId") != "v1+/old==" {
		t.Errorf("versionId = %q", last.Query.Get("versionId"))
	}

	// "null" is the version ID of objects written while versioning was off;
	// it is not sent.
	obj, err = c.Fetch(ctx, cairn.ObjectRef{Bucket: "trail", Key: "k", VersionID: "null"})
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, obj.Body, obj.Body); got != "new" {
		t.Errorf("body = %q", got)
	}
	reqs = f.Requests()
	if _, ok := reqs[len(reqs)-1].Query["versionId"]; ok {
		t.Error(`VersionID "null" was sent`)
	}

	_, err = c.Fetch(ctx, cairn.ObjectRef{Bucket: "trail", Key: "k", VersionID: "gone"})
	if !errors.Is(err, cairn.ErrNotFound) {
		t.Errorf("missing version: err = %v, want ErrNotFound", err)
	}
}

func TestFetchErrors(t *testing.T) {
	tests := []struct {
		name     string
		deny     *s3Error
		key      string // "" → the object exists with deny
		want     error
		mentions []string
	}{
		{"kms denied", &s3Error{http.StatusForbidden, "AccessDenied", kmsMessage}, "", cairn.ErrKMSAccessDenied,
			[]string{"kms:Decrypt", "s3://trail/" + trailKey, "SSE-KMS", "AccessDenied"}},
		{"kms cmk message", &s3Error{http.StatusForbidden, "AccessDenied", cmkMessage}, "", cairn.ErrKMSAccessDenied,
			[]string{"kms:Decrypt", "s3://trail/" + trailKey, "customer master key"}},
		{"kms disabled", &s3Error{http.StatusBadRequest, "KMS.DisabledException", "arn:aws:kms:us-east-1:123456789012:key/1234abcd is disabled."}, "",
			cairn.ErrKMSAccessDenied, []string{"kms:Decrypt", "KMS.DisabledException"}},
		{"access denied", &s3Error{http.StatusForbidden, "AccessDenied", "Access Denied"}, "", cairn.ErrAccessDenied,
			[]string{"s3:GetObject", "s3://trail/" + trailKey, "StatusCode: 403"}},
		{"no such key", nil, "AWSLogs/missing.json.gz", cairn.ErrNotFound,
			[]string{"NoSuchKey", "s3://trail/AWSLogs/missing.json.gz", "StatusCode: 404"}},
		{"slow down", &s3Error{http.StatusServiceUnavailable, "SlowDown", "Please reduce your request rate."}, "", cairn.ErrThrottled,
			[]string{"SlowDown"}},
	}
	classes := []error{cairn.ErrNotFound, cairn.ErrAccessDenied, cairn.ErrKMSAccessDenied, cairn.ErrThrottled}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeS3(t)
			f.addBucket("trail", "us-east-1")
			f.put("trail", trailKey, &fakeObject{Body: []byte("x"), Deny: tt.deny})
			key := tt.key
			if key == "" {
				key = trailKey
			}
			obj, err := newClient(f).Fetch(context.Background(), cairn.ObjectRef{Bucket: "trail", Key: key, Region: "us-east-1"})
			if err == nil {
				obj.Body.Close()
				t.Fatal("Fetch succeeded")
			}
			for _, c := range classes {
				if want := c == tt.want; errors.Is(err, c) != want {
					t.Errorf("errors.Is(err, %v) = %v, want %v; err = %v", c, !want, want, err)
				}
			}
			for _, m := range tt.mentions {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error does not mention %q: %v", m, err)
				}
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error mentions the secret key: %v", err)
			}
		})
	}
}

// scopes returns the SigV4 regions of the requests with method for bucket.
func scopes(f *fakeS3, method, bucket string) []string {
	var out []string
	for _, r := range f.Requests() {
		if r.Method == method && r.Bucket == bucket {
			out = append(out, r.Region)
		}
	}
	return out
}

func TestFetchDiscoversBucketRegion(t *testing.T) {
	f := newFakeS3(t)
	f.addBucket("eu-trail", "eu-west-1")
	f.put("eu-trail", "a", &fakeObject{Body: []byte("A")})
	f.put("eu-trail", "b", &fakeObject{Body: []byte("B")})
	c := newClient(f)
	ctx := context.Background()

	for _, key := range []string{"a", "b", "a"} {
		obj, err := c.Fetch(ctx, cairn.ObjectRef{Bucket: "eu-trail", Key: key})
		if err != nil {
			t.Fatal(err)
		}
		obj.Body.Close()
	}
	// One HeadBucket, from the home region, answered 301 + x-amz-bucket-region.
	if got := scopes(f, http.MethodHead, "eu-trail"); len(got) != 1 || got[0] != "us-east-1" {
		t.Errorf("HeadBucket scopes = %v, want one from us-east-1", got)
	}
	// Every GetObject signed for eu-west-1, none redirected.
	gets := f.Requests()[1:]
	for _, r := range gets {
		if r.Method != http.MethodGet || r.Region != "eu-west-1" ||
			!strings.Contains(r.Authorization, "/eu-west-1/s3/aws4_request") {
			t.Errorf("request %s %s/%s signed for %q (%s)", r.Method, r.Bucket, r.Key, r.Region, r.Authorization)
		}
	}
	if len(gets) != 3 {
		t.Errorf("%d requests after HeadBucket, want 3 GetObject", len(gets))
	}
}

func TestFetchRegionHintSkipsHeadBucket(t *testing.T) {
	f := newFakeS3(t)
	f.addBucket("ap-trail", "ap-southeast-2")
	f.put("ap-trail", "k", &fakeObject{Body: []byte("x")})
	c := newClient(f)
	for i := 0; i < 2; i++ {
		obj, err := c.Fetch(context.Background(), cairn.ObjectRef{Bucket: "ap-trail", Key: "k", Region: "ap-southeast-2"})
		if err != nil {
			t.Fatal(err)
		}
		obj.Body.Close()
	}
	if n := f.count(http.MethodHead, ""); n != 0 {
		t.Errorf("%d HeadBucket requests with a region hint, want 0", n)
	}
	if got := scopes(f, http.MethodGet, "ap-trail"); len(got) != 2 || got[0] != "ap-southeast-2" || got[1] != "ap-southeast-2" {
		t.Errorf("GetObject scopes = %v", got)
	}
	// The hint is cached for the bucket: later refs without one need no HeadBucket.
	obj, err := c.Fetch(context.Background(), cairn.ObjectRef{Bucket: "ap-trail", Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	obj.Body.Close()
	if n := f.count(http.MethodHead, ""); n != 0 {
		t.Errorf("%d HeadBucket requests after a hint, want 0", n)
	}
}

func TestFetchConcurrentFirstSightOneHeadBucket(t *testing.T) {
	f := newFakeS3(t)
	f.addBucket("eu-trail", "eu-west-1")
	f.put("eu-trail", "k", &fakeObject{Body: []byte("x")})
	release := make(chan struct{})
	f.headBucket = func(w http.ResponseWriter, bucket string) bool {
		<-release // hold the first HeadBucket while the other fetches arrive
		return false
	}
	c := newClient(f)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			obj, err := c.Fetch(context.Background(), cairn.ObjectRef{Bucket: "eu-trail", Key: "k"})
			if err == nil {
				obj.Body.Close()
			}
			errs <- err
		}()
	}
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := f.count(http.MethodHead, "eu-trail"); n != 1 {
		t.Errorf("%d HeadBucket requests, want 1", n)
	}
	for _, r := range scopes(f, http.MethodGet, "eu-trail") {
		if r != "eu-west-1" {
			t.Errorf("GetObject signed for %q", r)
		}
	}
}

func TestFetchFollowsRedirectWhenHintIsWrong(t *testing.T) {
	f := newFakeS3(t)
	f.addBucket("moved", "eu-central-1")
	f.put("moved", "k", &fakeObject{Body: []byte("x")})
	c := newClient(f)
	obj, err := c.Fetch(context.Background(), cairn.ObjectRef{Bucket: "moved", Key: "k", Region: "us-west-2"})
	if err != nil {
		t.Fatal(err)
	}
	obj.Body.Close()
	if got := scopes(f, http.MethodGet, "moved"); len(got) != 2 || got[0] != "us-west-2" || got[1] != "eu-central-1" {
		t.Errorf("GetObject scopes = %v, want us-west-2 (301) then eu-central-1", got)
	}
	obj, err = c.Fetch(context.Background(), cairn.ObjectRef{Bucket: "moved", Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	obj.Body.Close()
	if got := scopes(f, http.MethodGet, "moved"); len(got) != 3 || got[2] != "eu-central-1" {
		t.Errorf("GetObject scopes = %v, want the learned region cached", got)
	}
}

func TestFetchHeadBucketFailureNotCachedAsHomeRegion(t *testing.T) {
	f := newFakeS3(t)
	f.addBucket("eu-trail", "eu-west-1")
	f.put("eu-trail", "k", &fakeObject{Body: []byte("x")})
	failures := 1
	f.headBucket = func(w http.ResponseWriter, bucket string) bool {
		if failures > 0 {
			failures--
			w.WriteHeader(http.StatusInternalServerError) // no x-amz-bucket-region
			return true
		}
		return false
	}
	c := newClient(f)
	for i := 0; i < 2; i++ {
		obj, err := c.Fetch(context.Background(), cairn.ObjectRef{Bucket: "eu-trail", Key: "k"})
		if err != nil {
			t.Fatalf("fetch %d: %v", i, err)
		}
		obj.Body.Close()
	}
	// The failed HeadBucket left the home region as a guess; the 301 on
	// GetObject corrected it, and the second fetch went straight there.
	if got := scopes(f, http.MethodGet, "eu-trail"); len(got) != 3 || got[0] != "us-east-1" || got[1] != "eu-west-1" || got[2] != "eu-west-1" {
		t.Errorf("GetObject scopes = %v", got)
	}
	if n := f.count(http.MethodHead, ""); n != 1 {
		t.Errorf("%d HeadBucket requests, want 1", n)
	}
}

func TestFetchEmulatorWithoutRegionHeader(t *testing.T) {
	f := newFakeS3(t)
	f.noRegionHeader = true
	f.addBucket("local", "us-east-1")
	f.put("local", "k", &fakeObject{Body: []byte("x")})
	c := newClient(f)
	for i := 0; i < 2; i++ {
		obj, err := c.Fetch(context.Background(), cairn.ObjectRef{Bucket: "local", Key: "k"})
		if err != nil {
			t.Fatal(err)
		}
		obj.Body.Close()
	}
	if n := f.count(http.MethodHead, ""); n != 1 {
		t.Errorf("%d HeadBucket requests, want 1", n)
	}
}

func TestFetchNoSuchBucket(t *testing.T) {
	f := newFakeS3(t)
	_, err := newClient(f).Fetch(context.Background(), cairn.ObjectRef{Bucket: "nope", Key: "k"})
	if !errors.Is(err, cairn.ErrNotFound) || !strings.Contains(err.Error(), "NoSuchBucket") {
		t.Errorf("err = %v, want ErrNotFound (NoSuchBucket)", err)
	}
}

func TestPutObject(t *testing.T) {
	f := newFakeS3(t)
	f.addBucket("sim", "us-east-1")
	c := newClient(f)
	etag, err := c.PutObject(context.Background(), "sim", "a/b.json.gz", []byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	if etag != "5d41402abc4b2a76b9719d911017c592" { // md5("hello"), unquoted
		t.Errorf("ETag = %q", etag)
	}
	obj, err := c.Fetch(context.Background(), cairn.ObjectRef{Bucket: "sim", Key: "a/b.json.gz"})
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, obj.Body, obj.Body); got != "hello" || obj.ETag != etag {
		t.Errorf("read back %q etag %q", got, obj.ETag)
	}

	_, err = c.PutObject(context.Background(), "missing", "k", []byte("x"))
	if !errors.Is(err, cairn.ErrNotFound) || !strings.Contains(err.Error(), "s3://missing/k") {
		t.Errorf("put to a missing bucket: %v", err)
	}
}
