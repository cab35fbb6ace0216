package cwlogs

import (
	"encoding/json"
	"errors"
	"net/netip"
	"strconv"
	"strings"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/internal/logtime"
)

// auditEvent is the part of a Kubernetes audit event (audit.k8s.io/v1)
// that fills columns; raw keeps the rest.
type auditEvent struct {
	Kind       string `json:"kind"`
	AuditID    string `json:"auditID"`
	Stage      string `json:"stage"`
	Verb       string `json:"verb"`
	RequestURI string `json:"requestURI"`
	User       struct {
		Username string              `json:"username"`
		UID      string              `json:"uid"`
		Extra    map[string][]string `json:"extra"`
	} `json:"user"`
	SourceIPs []string `json:"sourceIPs"`
	UserAgent string   `json:"userAgent"`
	ObjectRef *struct {
		Resource    string `json:"resource"`
		Namespace   string `json:"namespace"`
		Name        string `json:"name"`
		Subresource string `json:"subresource"`
	} `json:"objectRef"`
	ResponseStatus *struct {
		Code    int    `json:"code"`
		Reason  string `json:"reason"`
		Message string `json:"message"`
	} `json:"responseStatus"`
	RequestReceivedTimestamp string `json:"requestReceivedTimestamp"`
	StageTimestamp           string `json:"stageTimestamp"`
}

// errNotAudit: the message is not a Kubernetes audit event.
var errNotAudit = errors.New("not a Kubernetes audit event (a JSON object with auditID or verb)")

// NormalizeAudit fills ev from one Kubernetes audit event (the JSON of an
// EKS kube-apiserver-audit log event), as described in the package
// documentation. It sets source, event_id (when the event has an
// auditID), time (when the event has a timestamp) and raw.
func NormalizeAudit(b []byte, ev *cairn.Event) error {
	var a auditEvent
	if err := json.Unmarshal(b, &a); err != nil {
		return errNotAudit
	}
	if a.AuditID == "" && a.Verb == "" {
		return errNotAudit
	}
	ev.Source = SourceEKSAudit
	ev.Raw = b
	ev.EventSource = "kube-apiserver"
	ev.Component = "kube-apiserver-audit"
	ev.EventType = a.Stage
	ev.ClassUID = 6003
	if a.AuditID != "" {
		ev.EventID = a.AuditID
		if a.Stage != "" && a.Stage != "ResponseComplete" {
			ev.EventID += "/" + a.Stage
		}
	}
	if t, ok := logtime.Parse(a.RequestReceivedTimestamp); ok {
		ev.Time = t
	} else if t, ok := logtime.Parse(a.StageTimestamp); ok {
		ev.Time = t
	}
	ev.EventName = a.Verb
	if o := a.ObjectRef; o != nil {
		if o.Resource != "" {
			ev.EventName += " " + o.Resource
			if o.Subresource != "" {
				ev.EventName += "/" + o.Subresource
			}
		}
		ev.Namespace = o.Namespace
	}
	ev.URL = a.RequestURI
	ev.UserName = a.User.Username
	ev.UserPrincipalID = first(a.User.Extra["principalId"])
	ev.UserARN = first(a.User.Extra["arn"])
	ev.AccessKeyID = first(a.User.Extra["accessKeyId"])
	ev.SourceIP = firstIP(a.SourceIPs)
	ev.UserAgent = a.UserAgent
	ev.ActivityID, ev.ReadOnly = verbActivity(a.Verb)
	ev.TypeUID = ev.ClassUID*100 + ev.ActivityID
	ev.Level = "INFO"
	if ev.ActivityID == 4 {
		ev.Level = "WARN"
	}
	if rs := a.ResponseStatus; rs != nil && rs.Code != 0 {
		ev.HTTPStatus = cairn.Int(int64(rs.Code))
		ev.Status = "Success"
		if rs.Code >= 400 {
			ev.Status = "Failure"
			ev.Level = "ERROR"
			ev.ErrorCode = strconv.Itoa(rs.Code)
			ev.ErrorMessage = rs.Message
			if ev.ErrorMessage == "" {
				ev.ErrorMessage = rs.Reason
			}
		}
	}
	return nil
}

// normalizeAudit normalizes an audit log event; false when the message is
// not an audit event (it is then kept as a text line).
func normalizeAudit(msg string, ev *cairn.Event) bool {
	if t := strings.TrimSpace(msg); t == "" || t[0] != '{' {
		return false
	}
	keep := *ev
	if err := NormalizeAudit([]byte(msg), ev); err != nil {
		*ev = keep
		return false
	}
	if ev.EventID == "" {
		ev.EventID = keep.EventID
	}
	return true
}

// verbActivity maps a Kubernetes verb to an OCSF API Activity and whether
// it only reads.
func verbActivity(verb string) (int32, cairn.Tristate) {
	switch strings.ToLower(verb) {
	case "create":
		return 1, cairn.False
	case "get", "list", "watch":
		return 2, cairn.True
	case "update", "patch":
		return 3, cairn.False
	case "delete", "deletecollection":
		return 4, cairn.False
	}
	return 99, cairn.Unknown
}

// firstIP is the first element of sourceIPs that is an IP address.
func firstIP(ips []string) string {
	for _, s := range ips {
		if _, err := netip.ParseAddr(s); err == nil {
			return s
		}
	}
	return ""
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}
