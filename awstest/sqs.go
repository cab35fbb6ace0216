package awstest

import (
	"net/http"
	"strings"
)

// SQS fronts an SQS emulator (Next) and fails chosen calls the way SQS
// does (JSON 1.0 protocol, X-Amz-Target AmazonSQS.<Op>): for testing how
// callers meet a missing permission, a throttle or a vanished queue. Every
// other request goes to Next untouched.
type SQS struct {
	Faults
	Next http.Handler
}

// Deny makes op fail as SQS does for a caller without the permission.
func (s *SQS) Deny(op string) {
	s.Fail(op, Fault{Status: 403, Code: "com.amazon.coral.service#AccessDeniedException", QueryCode: "AccessDenied",
		Message: deniedMessage("", "sqs:"+op, "")})
}

// ServeHTTP implements http.Handler.
func (s *SQS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "AmazonSQS."); ok {
		if f, ok := s.fault(op); ok {
			jsonError(w, "1.0", f)
			return
		}
	}
	if s.Next == nil {
		jsonError(w, "1.0", Fault{Status: 501, Code: "NotImplemented", Message: "no SQS behind the test double"})
		return
	}
	s.Next.ServeHTTP(w, r)
}
