package cwlogs

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"time"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/internal/loglevel"
)

// Sources.
const (
	SourceLogs     = "aws.cloudwatch_logs"
	SourceEKS      = "aws.eks"
	SourceEKSAudit = "aws.eks.audit"
)

// route says how a log stream's events are normalized.
type route struct {
	cluster   string // EKS cluster, "" when not an EKS log group
	component string // EKS control-plane component
	audit     bool
}

// components are the EKS control-plane log stream prefixes, longest
// first so that kube-apiserver-audit is not taken for kube-apiserver.
var components = []string{
	"kube-apiserver-audit", "kube-controller-manager", "cloud-controller-manager",
	"kube-scheduler", "kube-apiserver", "authenticator",
}

// routeOf routes by log group (/aws/eks/<cluster>/cluster) and stream.
func routeOf(group, stream string) route {
	rest, ok := strings.CutPrefix(group, "/aws/eks/")
	if !ok {
		return route{}
	}
	cluster, ok := strings.CutSuffix(rest, "/cluster")
	if !ok || cluster == "" || strings.Contains(cluster, "/") {
		return route{}
	}
	r := route{cluster: cluster, component: stream}
	for _, c := range components {
		if stream == c || strings.HasPrefix(stream, c+"-") {
			r.component = c
			break
		}
	}
	r.audit = r.component == "kube-apiserver-audit"
	return r
}

// normalize fills ev from one log event of m.
func normalize(m *message, le *logEvent, r route, ev *cairn.Event) {
	if r.cluster == "" && normalizeCloudTrail(m, le, ev) {
		return
	}
	ev.Time = time.UnixMilli(le.Timestamp).UTC()
	ev.AccountID = m.Owner
	ev.LogGroup, ev.LogStream = m.LogGroup, m.LogStream
	ev.Raw = []byte(le.Message)
	ev.EventID = eventID(m, le)
	ev.ClassUID, ev.ActivityID, ev.TypeUID = 0, 99, 99 // OCSF Base Event, Other
	ev.Cluster = r.cluster
	if r.audit && normalizeAudit(le.Message, ev) {
		return
	}
	if r.cluster != "" {
		ev.Source = SourceEKS
		ev.Component = r.component
		ev.EventSource = r.component
	} else {
		ev.Source = SourceLogs
		ev.EventSource = m.LogGroup
	}
	ev.Level = loglevel.Guess(le.Message)
}

// eventID is "cwl:<log group>:<CloudWatch event id>"; without an id, a
// hash of the stream, timestamp and message stands in for it.
func eventID(m *message, le *logEvent) string {
	if le.ID != "" {
		return "cwl:" + m.LogGroup + ":" + le.ID
	}
	h := sha256.New()
	h.Write([]byte(m.LogStream))
	h.Write([]byte{0})
	var ts [8]byte
	binary.BigEndian.PutUint64(ts[:], uint64(le.Timestamp))
	h.Write(ts[:])
	h.Write([]byte(le.Message))
	return "cwl:" + m.LogGroup + ":h" + hex.EncodeToString(h.Sum(nil)[:16])
}
