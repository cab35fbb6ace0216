package s3_test

// A small S3 double speaking the REST-XML protocol with path-style
// addressing: HeadBucket, GetObject (with versionId), PutObject and
// ListObjectsV2. Buckets live in regions; a request signed for another
// region is answered as S3 does, with a 301 carrying x-amz-bucket-region
// (and a PermanentRedirect document when the method has a body).

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

type s3Request struct {
	Method, Bucket, Key string
	Query               url.Values
	Region              string // of the SigV4 credential scope
	Authorization       string
}

type fakeObject struct {
	Body         []byte
	ETag         string // with quotes, as S3 sends it
	VersionID    string
	LastModified time.Time
	// Versions are older versions by ID.
	Versions map[string]*fakeObject
	// Deny answers GetObject with this error (status, code, message).
	Deny *s3Error
}

type s3Error struct {
	Status        int
	Code, Message string
}

type fakeS3 struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	requests []s3Request
	buckets  map[string]string                 // name → region
	objects  map[string]map[string]*fakeObject // bucket → key → object
	pageSize int                               // ListObjectsV2 page size (MaxKeys default)
	// noRegionHeader makes HeadBucket answer like an emulator: 200 without
	// x-amz-bucket-region.
	noRegionHeader bool
	// headBucket, when set, may answer HeadBucket itself (return true).
	headBucket func(w http.ResponseWriter, bucket string) bool
	// denyList answers ListObjectsV2 with this error.
	denyList *s3Error
}

func newFakeS3(t *testing.T) *fakeS3 {
	f := &fakeS3{t: t, buckets: map[string]string{}, objects: map[string]map[string]*fakeObject{}, pageSize: 1000}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeS3) URL() string { return f.srv.URL }

func (f *fakeS3) addBucket(name, region string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.buckets[name] = region
	f.objects[name] = map[string]*fakeObject{}
}

func (f *fakeS3) put(bucket, key string, o *fakeObject) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if o.ETag == "" {
		sum := md5.Sum(o.Body)
		o.ETag = `"` + hex.EncodeToString(sum[:]) + `"`
	}
	if o.LastModified.IsZero() {
		o.LastModified = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	}
	f.objects[bucket][key] = o
}

func (f *fakeS3) Requests() []s3Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]s3Request(nil), f.requests...)
}

// count returns how many requests had method (and bucket, if not "").
func (f *fakeS3) count(method, bucket string) int {
	n := 0
	for _, r := range f.Requests() {
		if r.Method == method && (bucket == "" || r.Bucket == bucket) {
			n++
		}
	}
	return n
}

var scopeRE = regexp.MustCompile(`Credential=[^/]+/\d{8}/([^/]+)/s3/aws4_request`)

func (f *fakeS3) serve(w http.ResponseWriter, r *http.Request) {
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	req := s3Request{Method: r.Method, Bucket: bucket, Key: key, Query: r.URL.Query(), Authorization: r.Header.Get("Authorization")}
	if m := scopeRE.FindStringSubmatch(req.Authorization); m != nil {
		req.Region = m[1]
	}
	f.mu.Lock()
	f.requests = append(f.requests, req)
	region, ok := f.buckets[bucket]
	f.mu.Unlock()

	w.Header().Set("x-amz-request-id", "4442587FB7D0A2F9")
	w.Header().Set("x-amz-id-2", "vlR7PnpV2Ce81l0PRw6jlUpck7Jo5ZsQjryTjKlc5aLWGVHPZLj5NeC6qMa0emYBDXOo6QBU0Wo=")
	if req.Region == "" {
		f.error(w, r, s3Error{http.StatusForbidden, "AccessDenied", "Anonymous users cannot access this resource"}, "")
		return
	}
	if r.Method == http.MethodHead && key == "" && f.headBucket != nil && f.headBucket(w, bucket) {
		return
	}
	if !ok {
		f.error(w, r, s3Error{http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist"}, "")
		return
	}
	if req.Region != region {
		w.Header().Set("x-amz-bucket-region", region)
		f.error(w, r, s3Error{http.StatusMovedPermanently, "PermanentRedirect",
			"The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint."}, "")
		return
	}
	switch {
	case r.Method == http.MethodHead && key == "":
		if !f.noRegionHeader {
			w.Header().Set("x-amz-bucket-region", region)
		}
		w.WriteHeader(http.StatusOK)
	case r.Method == http.MethodGet && key == "" && req.Query.Get("list-type") == "2":
		f.list(w, r, bucket)
	case r.Method == http.MethodGet && key != "":
		f.get(w, r, bucket, key)
	case r.Method == http.MethodPut && key != "":
		body, _ := io.ReadAll(r.Body)
		if r.ContentLength != int64(len(body)) {
			f.error(w, r, s3Error{http.StatusBadRequest, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header."}, key)
			return
		}
		o := &fakeObject{Body: body}
		f.put(bucket, key, o)
		w.Header().Set("ETag", o.ETag)
		w.WriteHeader(http.StatusOK)
	default:
		f.error(w, r, s3Error{http.StatusNotImplemented, "NotImplemented", "A header you provided implies functionality that is not implemented"}, "")
	}
}

func (f *fakeS3) get(w http.ResponseWriter, r *http.Request, bucket, key string) {
	f.mu.Lock()
	o := f.objects[bucket][key]
	f.mu.Unlock()
	if o == nil {
		f.error(w, r, s3Error{http.StatusNotFound, "NoSuchKey", "The specified key does not exist."}, key)
		return
	}
	if o.Deny != nil {
		f.error(w, r, *o.Deny, key)
		return
	}
	if v, ok := r.URL.Query()["versionId"]; ok && v[0] != o.VersionID {
		if o = o.Versions[v[0]]; o == nil {
			f.error(w, r, s3Error{http.StatusNotFound, "NoSuchVersion", "The specified version does not exist."}, key)
			return
		}
	}
	h := w.Header()
	h.Set("Content-Type", "application/x-gzip")
	h.Set("Content-Length", strconv.Itoa(len(o.Body)))
	h.Set("ETag", o.ETag)
	h.Set("Last-Modified", o.LastModified.UTC().Format(http.TimeFormat))
	h.Set("Accept-Ranges", "bytes")
	if o.VersionID != "" {
		h.Set("x-amz-version-id", o.VersionID)
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(o.Body)
}

type listContents struct {
	Key          string
	LastModified string
	ETag         string
	Size         int
	StorageClass string
}

type listResult struct {
	XMLName               xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListBucketResult"`
	Name                  string
	Prefix                string
	KeyCount              int
	MaxKeys               int
	IsTruncated           bool
	Contents              []listContents
	ContinuationToken     string `xml:",omitempty"`
	NextContinuationToken string `xml:",omitempty"`
	StartAfter            string `xml:",omitempty"`
}

func (f *fakeS3) list(w http.ResponseWriter, r *http.Request, bucket string) {
	if f.denyList != nil {
		f.error(w, r, *f.denyList, "")
		return
	}
	q := r.URL.Query()
	max := f.pageSize
	if v := q.Get("max-keys"); v != "" {
		max, _ = strconv.Atoi(v)
	}
	after := q.Get("start-after")
	if tok := q.Get("continuation-token"); tok != "" {
		b, err := base64.StdEncoding.DecodeString(tok)
		if err != nil {
			f.error(w, r, s3Error{http.StatusBadRequest, "InvalidArgument", "The continuation token provided is incorrect"}, "")
			return
		}
		after = max2(after, string(b))
	}
	f.mu.Lock()
	var keys []string
	for k := range f.objects[bucket] {
		if strings.HasPrefix(k, q.Get("prefix")) && k > after {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	res := listResult{Name: bucket, Prefix: q.Get("prefix"), MaxKeys: max, ContinuationToken: q.Get("continuation-token"),
		StartAfter: q.Get("start-after")}
	if len(keys) > max {
		keys, res.IsTruncated = keys[:max], true
		res.NextContinuationToken = base64.StdEncoding.EncodeToString([]byte(keys[max-1]))
	}
	for _, k := range keys {
		o := f.objects[bucket][k]
		res.Contents = append(res.Contents, listContents{Key: k, LastModified: o.LastModified.UTC().Format("2006-01-02T15:04:05.000Z"),
			ETag: o.ETag, Size: len(o.Body), StorageClass: "STANDARD"})
	}
	f.mu.Unlock()
	res.KeyCount = len(res.Contents)
	w.Header().Set("Content-Type", "application/xml")
	_, _ = io.WriteString(w, xml.Header)
	_ = xml.NewEncoder(w).Encode(res)
}

func max2(a, b string) string {
	if a > b {
		return a
	}
	return b
}

// error writes S3's error document; HEAD responses have no body, as in S3.
func (f *fakeS3) error(w http.ResponseWriter, r *http.Request, e s3Error, key string) {
	if r.Method == http.MethodHead {
		w.WriteHeader(e.Status)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(e.Status)
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(e.Message))
	extra := ""
	if key != "" {
		var k strings.Builder
		_ = xml.EscapeText(&k, []byte(key))
		extra = "<Key>" + k.String() + "</Key>"
	}
	fmt.Fprintf(w, `%s<Error><Code>%s</Code><Message>%s</Message>%s<RequestId>4442587FB7D0A2F9</RequestId><HostId>vlR7PnpV2Ce81l0PRw6jlUpck7Jo5ZsQjryTjKlc5aLWGVHPZLj5NeC6qMa0emYBDXOo6QBU0Wo=</HostId></Error>`,
		xml.Header, e.Code, b.String(), extra)
}
