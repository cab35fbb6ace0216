package awstest

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
)

const snsXMLNS = "http://sns.amazonaws.com/doc/2010-03-31/"

// SNS fronts an SNS emulator (Next) and fails chosen calls the way SNS
// does (query protocol, Action=<Op>, <ErrorResponse> XML). fauxqs answers
// every SNS call Cairn makes itself; this only injects faults.
type SNS struct {
	Faults
	Next http.Handler
}

// Deny makes op fail with SNS's AuthorizationError.
func (s *SNS) Deny(op string) {
	s.Fail(op, Fault{Status: 403, Code: "AuthorizationError", Message: deniedMessage("", "SNS:"+op, "")})
}

// ServeHTTP implements http.Handler.
func (s *SNS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		queryError(w, snsXMLNS, Fault{Code: "MalformedInput", Message: err.Error()})
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if form, err := url.ParseQuery(string(body)); err == nil {
		if f, ok := s.fault(form.Get("Action")); ok {
			queryError(w, snsXMLNS, f)
			return
		}
	}
	if s.Next == nil {
		queryError(w, snsXMLNS, Fault{Status: 501, Code: "NotImplemented", Message: "no SNS behind the test double"})
		return
	}
	s.Next.ServeHTTP(w, r)
}
