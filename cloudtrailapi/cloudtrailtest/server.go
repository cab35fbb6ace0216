// Package cloudtrailtest is a test double of the CloudTrail API calls
// Cairn makes (ListPublicKeys), speaking the AWS JSON 1.1 protocol as the
// service does: POST / with X-Amz-Target CloudTrail_20131101.<Op> (what
// aws-sdk-go-v2 sends) or the long form
// com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.<Op> (botocore's
// targetPrefix), a SigV4 Authorization header scoped to a region and the
// cloudtrail service, epoch-second timestamps, base64 blobs, NextToken
// paging and errors as {"__type", "message"}. Requests that are not
// CloudTrail's go to Next, so one endpoint can front an S3 emulator too.
package cloudtrailtest

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Key is one public key the server lists.
type Key struct {
	DER         []byte
	Fingerprint string
	Start, End  time.Time
}

// Call is one ListPublicKeys request the server answered.
type Call struct {
	Region    string
	StartTime *float64
	EndTime   *float64
	NextToken string
}

// Server answers ListPublicKeys from Keys per region.
type Server struct {
	// PageSize is how many keys a page holds (default 1000).
	PageSize int
	// Next handles every request without a CloudTrail X-Amz-Target.
	Next http.Handler

	mu    sync.Mutex
	keys  map[string][]Key
	calls []Call
}

// AddKey lists k in region.
func (s *Server) AddKey(region string, k Key) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.keys == nil {
		s.keys = map[string][]Key{}
	}
	s.keys[region] = append(s.keys[region], k)
}

// Calls returns the ListPublicKeys requests so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

const (
	shortPrefix = "CloudTrail_20131101."
	longPrefix  = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."
)

var scopeRE = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=[^/]+/\d{8}/([a-z0-9-]+)/cloudtrail/aws4_request,`)

func fail(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, longPrefix)
	if !ok {
		op, ok = strings.CutPrefix(target, shortPrefix)
	}
	if !ok {
		if s.Next != nil {
			s.Next.ServeHTTP(w, r)
			return
		}
		fail(w, 400, "UnknownOperationException", "X-Amz-Target "+target)
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		fail(w, 404, "UnknownOperationException", r.Method+" "+r.URL.Path)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		fail(w, 400, "SerializationException", "Content-Type "+ct)
		return
	}
	m := scopeRE.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		fail(w, 403, "MissingAuthenticationTokenException", "no SigV4 signature for cloudtrail")
		return
	}
	if op != "ListPublicKeys" {
		fail(w, 400, "UnknownOperationException", "operation "+op+" is not implemented by the test double")
		return
	}
	s.listPublicKeys(w, r, m[1])
}

func (s *Server) listPublicKeys(w http.ResponseWriter, r *http.Request, region string) {
	b, _ := io.ReadAll(r.Body)
	var in struct {
		StartTime *float64
		EndTime   *float64
		NextToken string
	}
	if err := json.Unmarshal(b, &in); err != nil {
		fail(w, 400, "SerializationException", err.Error())
		return
	}
	s.mu.Lock()
	s.calls = append(s.calls, Call{Region: region, StartTime: in.StartTime, EndTime: in.EndTime, NextToken: in.NextToken})
	keys := append([]Key(nil), s.keys[region]...)
	size := s.PageSize
	s.mu.Unlock()
	if size <= 0 {
		size = 1000
	}
	if in.StartTime != nil && in.EndTime != nil && *in.StartTime > *in.EndTime {
		fail(w, 400, "InvalidTimeRangeException", "StartTime is after EndTime")
		return
	}
	var match []Key
	for _, k := range keys {
		if (in.EndTime == nil || float64(k.Start.Unix()) <= *in.EndTime) && (in.StartTime == nil || float64(k.End.Unix()) >= *in.StartTime) {
			match = append(match, k)
		}
	}
	offset := 0
	if in.NextToken != "" {
		for offset < len(match) && match[offset].Fingerprint != in.NextToken {
			offset++
		}
		if offset == len(match) {
			fail(w, 400, "InvalidTokenException", "unknown NextToken")
			return
		}
	}
	type entry struct {
		Value             string
		ValidityStartTime float64
		ValidityEndTime   float64
		Fingerprint       string
	}
	out := struct {
		PublicKeyList []entry
		NextToken     string `json:",omitempty"`
	}{PublicKeyList: []entry{}}
	for i := offset; i < len(match); i++ {
		if len(out.PublicKeyList) == size {
			out.NextToken = match[i].Fingerprint
			break
		}
		k := match[i]
		out.PublicKeyList = append(out.PublicKeyList, entry{Value: base64.StdEncoding.EncodeToString(k.DER),
			ValidityStartTime: float64(k.Start.Unix()), ValidityEndTime: float64(k.End.Unix()), Fingerprint: k.Fingerprint})
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	json.NewEncoder(w).Encode(out)
}
