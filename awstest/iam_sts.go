package awstest

import (
	"bytes"
	"io"
	"net/http"
)

// Guard puts the IAM double's access keys in front of the STS double: a
// request signed with a key IAM issued must carry a valid signature by an
// active key STS already knows (a key still propagating is refused with
// InvalidClientTokenId, as STS does right after CreateAccessKey, and so is
// a deleted or inactive key); GetCallerIdentity then names the key's user.
// Requests signed with keys IAM never issued go to s unchanged.
func (i *IAM) Guard(s *STS) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sc, ok := ScopeOf(r)
		i.mu.Lock()
		issued := ok && i.issued[sc.AccessKeyID]
		i.mu.Unlock()
		if !issued {
			s.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			queryError(w, stsXMLNS, Fault{Code: "InvalidRequest", Message: err.Error()})
			return
		}
		var who Identity
		_, aerr := checkSignature(r, body, "sts", func(id string) (string, bool) {
			ident, secret, ok := i.Authenticate(id, "sts")
			who = ident
			return secret, ok
		})
		if aerr != nil {
			queryError(w, stsXMLNS, Fault{Status: http.StatusForbidden, Code: aerr.Code, Message: aerr.Message})
			return
		}
		s.mu.Lock()
		if s.sessions == nil {
			s.sessions = map[string]Identity{}
		}
		s.sessions[sc.AccessKeyID] = who
		s.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		s.ServeHTTP(w, r)
	})
}

// Mount registers the IAM double on st for "iam", and in front of st's STS.
func (i *IAM) Mount(st *Stack) {
	st.Handle("iam", i)
	st.Handle("sts", i.Guard(st.STS))
}
