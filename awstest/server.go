package awstest

import (
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"sync"
)

// Server routes requests to per-service handlers by SigV4 credential scope.
type Server struct {
	// Next handles requests for services without a handler (and unsigned
	// ones). Nil answers them 501.
	Next http.Handler

	mu       sync.RWMutex
	handlers map[string]http.Handler
}

// Handle routes requests signed for service (the SigV4 scope's service
// name: "sts", "kms", "cloudtrail", "s3", "sns", "iam", …) to h.
func (s *Server) Handle(service string, h http.Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.handlers == nil {
		s.handlers = map[string]http.Handler{}
	}
	s.handlers[service] = h
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if sc, ok := ScopeOf(r); ok {
		s.mu.RLock()
		h := s.handlers[sc.Service]
		s.mu.RUnlock()
		if h != nil {
			h.ServeHTTP(w, r)
			return
		}
	}
	if s.Next != nil {
		s.Next.ServeHTTP(w, r)
		return
	}
	http.Error(w, "no handler for this request", http.StatusNotImplemented)
}

// Scope is the SigV4 credential scope of a request.
type Scope struct {
	AccessKeyID string
	Date        string // YYYYMMDD
	Region      string
	Service     string
}

var scopeRE = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request,`)

// ScopeOf reads the credential scope of r's Authorization header.
func ScopeOf(r *http.Request) (Scope, bool) {
	m := scopeRE.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		return Scope{}, false
	}
	return Scope{AccessKeyID: m[1], Date: m[2], Region: m[3], Service: m[4]}, true
}

// Proxy returns a handler forwarding to an emulator endpoint such as
// http://127.0.0.1:4566, for Server.Next.
func Proxy(endpoint string) (http.Handler, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return nil, err
	}
	return httputil.NewSingleHostReverseProxy(u), nil
}

// Stack is a Server with every double of this package registered.
type Stack struct {
	*Server
	STS        *STS
	KMS        *KMS
	CloudTrail *CloudTrail
	S3         *S3Extras
	SQS        *SQS
	SNS        *SNS
}

// NewStack registers fresh doubles in front of next (usually
// Proxy(emulator endpoint)); S3, SQS and SNS requests the doubles do not
// answer or fail go to next too.
func NewStack(next http.Handler) *Stack {
	st := &Stack{
		Server:     &Server{Next: next},
		STS:        &STS{},
		KMS:        &KMS{},
		CloudTrail: &CloudTrail{},
		S3:         &S3Extras{Next: next},
		SQS:        &SQS{Next: next},
		SNS:        &SNS{Next: next},
	}
	st.Handle("sts", st.STS)
	st.Handle("kms", st.KMS)
	st.Handle("cloudtrail", st.CloudTrail)
	st.Handle("s3", st.S3)
	st.Handle("sqs", st.SQS)
	st.Handle("sns", st.SNS)
	return st
}
