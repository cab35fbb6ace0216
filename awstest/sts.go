package awstest

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

const stsXMLNS = "https://sts.amazonaws.com/doc/2011-06-15/"

// Identity is who a caller is, as GetCallerIdentity reports it.
type Identity struct {
	Account string
	ARN     string
	UserID  string
}

// Role is a role AssumeRole may assume.
type Role struct {
	ARN        string
	ExternalID string // required sts:ExternalId when set
}

// STSCall is one request the STS double answered.
type STSCall struct {
	Op          string
	AccessKeyID string
	RoleARN     string
	ExternalID  string
	SessionName string
}

// STS is a test double of AWS STS (query protocol, XML responses):
// GetCallerIdentity and AssumeRole. AssumeRole issues session credentials;
// a later GetCallerIdentity signed with them reports the assumed role, any
// other caller is Caller.
type STS struct {
	Faults

	mu       sync.Mutex
	caller   Identity
	roles    map[string]Role
	sessions map[string]Identity // access key ID → assumed-role identity
	calls    []STSCall
	seq      int
}

// SetCaller sets the identity of callers with long-term credentials
// (default account 000000000000, user test).
func (s *STS) SetCaller(id Identity) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.caller = id
}

// AddRole lets AssumeRole assume r.
func (s *STS) AddRole(r Role) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.roles == nil {
		s.roles = map[string]Role{}
	}
	s.roles[r.ARN] = r
}

// Calls returns the requests answered so far.
func (s *STS) Calls() []STSCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]STSCall(nil), s.calls...)
}

// Deny makes op fail with STS's AccessDenied.
func (s *STS) Deny(op string) {
	s.Fail(op, Fault{Status: 403, Code: "AccessDenied", Message: deniedMessage(s.identity("").ARN, "sts:"+op, "")})
}

func (s *STS) identity(akid string) Identity {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id, ok := s.sessions[akid]; ok {
		return id
	}
	id := s.caller
	if id.Account == "" {
		id.Account = "000000000000"
	}
	if id.ARN == "" {
		id.ARN = "arn:aws:iam::" + id.Account + ":user/test"
	}
	if id.UserID == "" {
		id.UserID = "AIDAEXAMPLETESTUSER01"
	}
	return id
}

// ServeHTTP implements http.Handler.
func (s *STS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		queryError(w, stsXMLNS, Fault{Status: 400, Code: "InvalidAction", Message: "method " + r.Method})
		return
	}
	sc, ok := ScopeOf(r)
	if !ok {
		queryError(w, stsXMLNS, Fault{Status: 403, Code: "MissingAuthenticationToken", Message: "Request is missing Authentication Token"})
		return
	}
	if err := r.ParseForm(); err != nil {
		queryError(w, stsXMLNS, Fault{Code: "MalformedInput", Message: err.Error()})
		return
	}
	op := r.PostForm.Get("Action")
	if v := r.PostForm.Get("Version"); v != "2011-06-15" {
		queryError(w, stsXMLNS, Fault{Code: "InvalidAction", Message: "Version " + v})
		return
	}
	call := STSCall{Op: op, AccessKeyID: sc.AccessKeyID, RoleARN: r.PostForm.Get("RoleArn"),
		ExternalID: r.PostForm.Get("ExternalId"), SessionName: r.PostForm.Get("RoleSessionName")}
	s.mu.Lock()
	s.calls = append(s.calls, call)
	s.mu.Unlock()
	if f, ok := s.fault(op); ok {
		queryError(w, stsXMLNS, f)
		return
	}
	switch op {
	case "GetCallerIdentity":
		id := s.identity(sc.AccessKeyID)
		writeXML(w, 200, struct {
			XMLName xml.Name `xml:"GetCallerIdentityResponse"`
			Xmlns   string   `xml:"xmlns,attr"`
			Result  struct {
				Arn, UserId, Account string
			} `xml:"GetCallerIdentityResult"`
			Meta responseMetadata `xml:"ResponseMetadata"`
		}{Xmlns: stsXMLNS, Result: struct{ Arn, UserId, Account string }{id.ARN, id.UserID, id.Account}, Meta: responseMetadata{requestID()}})
	case "AssumeRole":
		s.assumeRole(w, sc, call)
	default:
		queryError(w, stsXMLNS, Fault{Code: "InvalidAction", Message: "operation " + op + " is not implemented by the test double"})
	}
}

type responseMetadata struct {
	RequestId string
}

func (s *STS) assumeRole(w http.ResponseWriter, sc Scope, c STSCall) {
	if c.RoleARN == "" || c.SessionName == "" {
		queryError(w, stsXMLNS, Fault{Code: "ValidationError", Message: "RoleArn and RoleSessionName are required"})
		return
	}
	caller := s.identity(sc.AccessKeyID)
	s.mu.Lock()
	role, ok := s.roles[c.RoleARN]
	s.mu.Unlock()
	if !ok || (role.ExternalID != "" && role.ExternalID != c.ExternalID) {
		queryError(w, stsXMLNS, Fault{Status: 403, Code: "AccessDenied",
			Message: "User: " + caller.ARN + " is not authorized to perform: sts:AssumeRole on resource: " + c.RoleARN})
		return
	}
	// arn:aws:iam::123456789012:role/path/name → arn:aws:sts::123456789012:assumed-role/name/session
	parts := strings.SplitN(c.RoleARN, ":", 6)
	if len(parts) != 6 || !strings.HasPrefix(parts[5], "role/") {
		queryError(w, stsXMLNS, Fault{Code: "ValidationError", Message: "RoleArn " + c.RoleARN + " is not a role ARN"})
		return
	}
	name := parts[5][strings.LastIndex(parts[5], "/")+1:]
	s.mu.Lock()
	s.seq++
	akid := fmt.Sprintf("ASIATESTSESSION%05d", s.seq)
	roleID := fmt.Sprintf("AROATESTROLE%08d", s.seq)
	id := Identity{Account: parts[4], ARN: "arn:" + parts[1] + ":sts::" + parts[4] + ":assumed-role/" + name + "/" + c.SessionName,
		UserID: roleID + ":" + c.SessionName}
	if s.sessions == nil {
		s.sessions = map[string]Identity{}
	}
	s.sessions[akid] = id
	s.mu.Unlock()
	type creds struct {
		AccessKeyId, SecretAccessKey, SessionToken, Expiration string
	}
	type user struct {
		AssumedRoleId, Arn string
	}
	writeXML(w, 200, struct {
		XMLName xml.Name `xml:"AssumeRoleResponse"`
		Xmlns   string   `xml:"xmlns,attr"`
		Result  struct {
			Credentials     creds
			AssumedRoleUser user
		} `xml:"AssumeRoleResult"`
		Meta responseMetadata `xml:"ResponseMetadata"`
	}{Xmlns: stsXMLNS, Result: struct {
		Credentials     creds
		AssumedRoleUser user
	}{creds{akid, "secret-" + akid, "token-" + akid, time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}, user{id.UserID, id.ARN}},
		Meta: responseMetadata{requestID()}})
}
