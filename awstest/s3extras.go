package awstest

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
)

const s3XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/"

// Bucket is the configuration S3Extras keeps for one bucket: what fauxqs
// does not store.
type Bucket struct {
	Region       string // "" or us-east-1: GetBucketLocation answers an empty constraint
	Notification Notification
	Lifecycle    []LifecycleRule // nil: NoSuchLifecycleConfiguration
	Policy       string          // "": NoSuchBucketPolicy
}

// Notification is a bucket notification configuration.
type Notification struct {
	Queues      []NotificationTarget
	Topics      []NotificationTarget
	EventBridge bool
}

// NotificationTarget sends events to a queue or topic ARN.
type NotificationTarget struct {
	ID     string
	ARN    string
	Events []string // s3:ObjectCreated:*, …
	Prefix string   // key filter rules
	Suffix string
}

// LifecycleRule is a lifecycle rule with an expiration.
type LifecycleRule struct {
	ID             string
	Prefix         string // the filter's prefix ("" covers the bucket)
	Enabled        bool
	ExpirationDays int // 0: no current-version expiration
}

// S3Extras is a test double of the S3 bucket sub-resources the fauxqs
// emulator lacks — GetBucketLocation, Get/PutBucketNotificationConfiguration,
// Get/Put/DeleteBucketLifecycleConfiguration, Get/Put/DeleteBucketPolicy —
// in S3's REST-XML protocol with path-style addressing (/bucket?location),
// answered from per-bucket state. fauxqs routes those requests to
// ListObjects, so without this double they "succeed" with empty answers.
// Every other request (objects, listings, bucket creation) goes to Next;
// Faults can fail any of them by operation name (GetObject, ListObjectsV2,
// HeadBucket, PutObject, …) with S3's own error shape.
type S3Extras struct {
	Faults
	Next http.Handler

	mu      sync.Mutex
	buckets map[string]*Bucket
	ops     []string
}

// SetBucket replaces the configuration of bucket name.
func (s *S3Extras) SetBucket(name string, b Bucket) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.buckets == nil {
		s.buckets = map[string]*Bucket{}
	}
	s.buckets[name] = &b
}

// UpdateBucket changes the configuration of bucket name with f.
func (s *S3Extras) UpdateBucket(name string, f func(*Bucket)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.buckets == nil {
		s.buckets = map[string]*Bucket{}
	}
	if s.buckets[name] == nil {
		s.buckets[name] = &Bucket{}
	}
	f(s.buckets[name])
}

// Bucket returns the configuration of bucket name.
func (s *S3Extras) Bucket(name string) Bucket {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.buckets[name]; b != nil {
		return *b
	}
	return Bucket{}
}

// Ops returns every S3 operation seen so far, in order.
func (s *S3Extras) Ops() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.ops...)
}

// Deny makes op fail with S3's 403 AccessDenied.
func (s *S3Extras) Deny(op string) {
	s.Fail(op, Fault{Status: 403, Code: "AccessDenied", Message: "Access Denied"})
}

// DenyKMS makes op (GetObject) fail as S3 does when the caller may read
// the object but not use its SSE-KMS key.
func (s *S3Extras) DenyKMS(op, keyARN string) {
	s.Fail(op, Fault{Status: 403, Code: "AccessDenied", Message: deniedMessage("", "kms:Decrypt", keyARN)})
}

var subresources = []string{"location", "notification", "lifecycle", "policy"}

// operation names an S3 request as the API does.
func s3Operation(r *http.Request) (op, bucket, key string) {
	path := strings.TrimPrefix(r.URL.Path, "/")
	bucket, key, _ = strings.Cut(path, "/")
	q := r.URL.Query()
	if bucket == "" {
		return "ListBuckets", "", ""
	}
	if key == "" {
		for _, sub := range subresources {
			if q.Has(sub) {
				verb := map[string]string{http.MethodGet: "Get", http.MethodPut: "Put", http.MethodDelete: "Delete"}[r.Method]
				name := map[string]string{"location": "BucketLocation", "notification": "BucketNotificationConfiguration",
					"lifecycle": "BucketLifecycleConfiguration", "policy": "BucketPolicy"}[sub]
				if sub == "lifecycle" && verb == "Delete" {
					name = "BucketLifecycle"
				}
				return verb + name, bucket, ""
			}
		}
		switch r.Method {
		case http.MethodHead:
			return "HeadBucket", bucket, ""
		case http.MethodPut:
			return "CreateBucket", bucket, ""
		case http.MethodDelete:
			return "DeleteBucket", bucket, ""
		case http.MethodPost:
			return "DeleteObjects", bucket, ""
		}
		if q.Get("list-type") == "2" {
			return "ListObjectsV2", bucket, ""
		}
		return "ListObjects", bucket, ""
	}
	switch r.Method {
	case http.MethodGet:
		return "GetObject", bucket, key
	case http.MethodHead:
		return "HeadObject", bucket, key
	case http.MethodPut:
		return "PutObject", bucket, key
	case http.MethodDelete:
		return "DeleteObject", bucket, key
	}
	return r.Method + "Object", bucket, key
}

func s3Error(w http.ResponseWriter, f Fault, resource string) {
	if f.Status == 0 {
		f.Status = 400
	}
	w.Header().Set("X-Amz-Request-Id", requestID())
	writeXML(w, f.Status, struct {
		XMLName   xml.Name `xml:"Error"`
		Code      string
		Message   string
		Resource  string `xml:",omitempty"`
		RequestId string
	}{Code: f.Code, Message: f.Message, Resource: resource, RequestId: requestID()})
}

// ServeHTTP implements http.Handler.
func (s *S3Extras) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, bucket, key := s3Operation(r)
	s.mu.Lock()
	s.ops = append(s.ops, op)
	s.mu.Unlock()
	if f, ok := s.fault(op); ok {
		if r.Method == http.MethodHead {
			w.WriteHeader(f.Status) // HEAD errors have no body
			return
		}
		s3Error(w, f, "/"+bucket+"/"+key)
		return
	}
	if !strings.HasPrefix(op, "Get") && !strings.HasPrefix(op, "Put") && !strings.HasPrefix(op, "Delete") || key != "" ||
		op == "DeleteBucket" || op == "DeleteObjects" {
		s.next(w, r)
		return
	}
	if _, ok := ScopeOf(r); !ok {
		s3Error(w, Fault{Status: 403, Code: "AccessDenied", Message: "Anonymous access is forbidden for this operation"}, "/"+bucket)
		return
	}
	if !s.exists(r, bucket) {
		s3Error(w, Fault{Status: 404, Code: "NoSuchBucket", Message: "The specified bucket does not exist"}, "/"+bucket)
		return
	}
	switch op {
	case "GetBucketLocation":
		region := s.Bucket(bucket).Region
		if region == "us-east-1" {
			region = ""
		}
		writeXML(w, 200, struct {
			XMLName xml.Name `xml:"LocationConstraint"`
			Xmlns   string   `xml:"xmlns,attr"`
			Value   string   `xml:",chardata"`
		}{Xmlns: s3XMLNS, Value: region})
	case "GetBucketNotificationConfiguration":
		writeXML(w, 200, toWireNotification(s.Bucket(bucket).Notification))
	case "PutBucketNotificationConfiguration":
		var in wireNotification
		if !readXML(w, r, &in) {
			return
		}
		s.UpdateBucket(bucket, func(b *Bucket) { b.Notification = in.state() })
		w.WriteHeader(200)
	case "GetBucketLifecycleConfiguration":
		rules := s.Bucket(bucket).Lifecycle
		if rules == nil {
			s3Error(w, Fault{Status: 404, Code: "NoSuchLifecycleConfiguration", Message: "The lifecycle configuration does not exist"}, "/"+bucket)
			return
		}
		writeXML(w, 200, toWireLifecycle(rules))
	case "PutBucketLifecycleConfiguration":
		var in wireLifecycle
		if !readXML(w, r, &in) {
			return
		}
		s.UpdateBucket(bucket, func(b *Bucket) { b.Lifecycle = in.state() })
		w.WriteHeader(200)
	case "DeleteBucketLifecycle":
		s.UpdateBucket(bucket, func(b *Bucket) { b.Lifecycle = nil })
		w.WriteHeader(204)
	case "GetBucketPolicy":
		p := s.Bucket(bucket).Policy
		if p == "" {
			s3Error(w, Fault{Status: 404, Code: "NoSuchBucketPolicy", Message: "The bucket policy does not exist"}, "/"+bucket)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, p)
	case "PutBucketPolicy":
		b, err := io.ReadAll(r.Body)
		if err != nil || len(b) == 0 {
			s3Error(w, Fault{Code: "MalformedPolicy", Message: "Policies must be valid JSON"}, "/"+bucket)
			return
		}
		s.UpdateBucket(bucket, func(bk *Bucket) { bk.Policy = string(b) })
		w.WriteHeader(204)
	case "DeleteBucketPolicy":
		s.UpdateBucket(bucket, func(b *Bucket) { b.Policy = "" })
		w.WriteHeader(204)
	default:
		s.next(w, r)
	}
}

func (s *S3Extras) next(w http.ResponseWriter, r *http.Request) {
	if s.Next == nil {
		s3Error(w, Fault{Status: 501, Code: "NotImplemented", Message: "no S3 behind the test double"}, r.URL.Path)
		return
	}
	s.Next.ServeHTTP(w, r)
}

// exists asks Next (the emulator, which owns buckets) with HeadBucket.
func (s *S3Extras) exists(r *http.Request, bucket string) bool {
	if s.Next == nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.buckets[bucket] != nil
	}
	head, _ := http.NewRequestWithContext(r.Context(), http.MethodHead, "/"+bucket, nil)
	head.Host = r.Host
	head.Header.Set("Authorization", r.Header.Get("Authorization"))
	rec := httptest.NewRecorder()
	s.Next.ServeHTTP(rec, head)
	return rec.Code == 200
}

func readXML(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := xml.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(v); err != nil {
		s3Error(w, Fault{Code: "MalformedXML", Message: "The XML you provided was not well-formed or did not validate against our published schema"}, r.URL.Path)
		return false
	}
	return true
}
