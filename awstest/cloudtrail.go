package awstest

import (
	"encoding/base64"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/cairn-sec/cairn/awsauth"
)

// Trail is one CloudTrail trail the double knows, with its status.
type Trail struct {
	Name       string
	HomeRegion string // default us-east-1
	Account    string // default 000000000000

	S3BucketName               string
	S3KeyPrefix                string
	SNSTopicARN                string
	KMSKeyID                   string // a key ARN
	MultiRegion                bool
	LogFileValidation          bool
	OrganizationTrail          bool
	IncludeGlobalServiceEvents bool

	Logging             bool
	LatestDeliveryTime  time.Time
	LatestDeliveryError string
	// EventSelectors nil means CloudTrail's default: all management events.
	EventSelectors []EventSelector
}

// EventSelector is a basic event selector.
type EventSelector struct {
	ReadWriteType           string // All, ReadOnly, WriteOnly
	IncludeManagementEvents bool
}

// ARN returns the trail's ARN.
func (t Trail) ARN() string {
	return "arn:" + awsauth.Partition(t.HomeRegion) + ":cloudtrail:" + t.HomeRegion + ":" + t.Account + ":trail/" + t.Name
}

// PublicKey is one digest signing key ListPublicKeys lists.
type PublicKey struct {
	DER         []byte
	Fingerprint string
	Start, End  time.Time
}

// KeysCall is one ListPublicKeys request the double answered.
type KeysCall struct {
	Region    string
	StartTime *float64
	EndTime   *float64
	NextToken string
}

// CloudTrail is a test double of the CloudTrail API (JSON 1.1, X-Amz-Target
// CloudTrail_20131101.<Op> as aws-sdk-go-v2 sends it, or botocore's long
// com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.<Op>): the read
// calls DescribeTrails, GetTrailStatus, GetEventSelectors and
// ListPublicKeys (epoch-second times, base64 keys, NextToken paging).
type CloudTrail struct {
	Faults
	// PageSize is how many keys a ListPublicKeys page holds (default 1000).
	PageSize int
	// Next handles requests without a CloudTrail X-Amz-Target, so the
	// double can also front an emulator on its own.
	Next http.Handler

	mu     sync.Mutex
	trails []Trail
	keys   map[string][]PublicKey
	calls  []KeysCall
	ops    []string
}

const (
	ctShortPrefix = "CloudTrail_20131101"
	ctLongPrefix  = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101"
)

// AddKey lists k in region.
func (s *CloudTrail) AddKey(region string, k PublicKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.keys == nil {
		s.keys = map[string][]PublicKey{}
	}
	s.keys[region] = append(s.keys[region], k)
}

// Calls returns the ListPublicKeys requests so far.
func (s *CloudTrail) Calls() []KeysCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]KeysCall(nil), s.calls...)
}

// Ops returns every operation answered so far, in order.
func (s *CloudTrail) Ops() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.ops...)
}

// AddTrail adds t (or replaces the trail of that name and home region),
// filling in defaults, and returns it.
func (s *CloudTrail) AddTrail(t Trail) Trail {
	if t.HomeRegion == "" {
		t.HomeRegion = "us-east-1"
	}
	if t.Account == "" {
		t.Account = "000000000000"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, old := range s.trails {
		if old.Name == t.Name && old.HomeRegion == t.HomeRegion {
			s.trails[i] = t
			return t
		}
	}
	s.trails = append(s.trails, t)
	return t
}

// UpdateTrail changes the trail named name (or with that ARN) with f and
// reports whether it exists.
func (s *CloudTrail) UpdateTrail(name string, f func(*Trail)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.trails {
		if s.trails[i].Name == name || s.trails[i].ARN() == name {
			f(&s.trails[i])
			return true
		}
	}
	return false
}

// Trail returns the trail named name (or with that ARN).
func (s *CloudTrail) Trail(name string) (Trail, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.trails {
		if t.Name == name || t.ARN() == name {
			return t, true
		}
	}
	return Trail{}, false
}

// Deny makes op fail as CloudTrail does for a caller without the permission.
func (s *CloudTrail) Deny(op string) {
	s.Fail(op, Fault{Status: 400, Code: "AccessDeniedException", Message: deniedMessage("", "cloudtrail:"+op, "")})
}

// lookup finds a trail visible from region by name or ARN: by name only in
// its home region (or, for a multi-region trail, as a shadow anywhere).
func (s *CloudTrail) lookup(region, ref string) (Trail, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.trails {
		if ref == t.ARN() || (ref == t.Name && (t.HomeRegion == region || t.MultiRegion)) {
			return t, true
		}
	}
	return Trail{}, false
}

// ServeHTTP implements http.Handler.
func (s *CloudTrail) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	if s.Next != nil && !strings.HasPrefix(target, ctShortPrefix+".") && !strings.HasPrefix(target, ctLongPrefix+".") {
		s.Next.ServeHTTP(w, r)
		return
	}
	op, body, sc, ok := jsonOp(w, r, "1.1", ctLongPrefix, ctShortPrefix)
	if !ok {
		return
	}
	s.mu.Lock()
	s.ops = append(s.ops, op)
	s.mu.Unlock()
	if f, ok := s.fault(op); ok {
		jsonError(w, "1.1", f)
		return
	}
	switch op {
	case "ListPublicKeys":
		s.listPublicKeys(w, body, sc.Region)
	case "DescribeTrails":
		s.describeTrails(w, body, sc.Region)
	case "GetTrailStatus":
		s.getTrailStatus(w, body, sc.Region)
	case "GetEventSelectors":
		s.getEventSelectors(w, body, sc.Region)
	default:
		if !s.serveMore(w, op, body, sc) {
			jsonError(w, "1.1", Fault{Code: "UnknownOperationException", Message: "operation " + op + " is not implemented by the test double"})
		}
	}
}

// moreCloudTrailOps lets other files of the package (mutating calls) add
// operations: each returns true when it answered op.
var moreCloudTrailOps []func(s *CloudTrail, w http.ResponseWriter, op string, body []byte, sc Scope) bool

func (s *CloudTrail) serveMore(w http.ResponseWriter, op string, body []byte, sc Scope) bool {
	for _, f := range moreCloudTrailOps {
		if f(s, w, op, body, sc) {
			return true
		}
	}
	return false
}

func trailNotFound(w http.ResponseWriter, name, account string) {
	jsonError(w, "1.1", Fault{Code: "TrailNotFoundException", Message: "Unknown trail: " + name + " for the user: " + account})
}

func epoch(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return float64(t.UnixMilli()) / 1000
}

func trailJSON(t Trail) map[string]any {
	m := map[string]any{
		"Name": t.Name, "TrailARN": t.ARN(), "HomeRegion": t.HomeRegion, "S3BucketName": t.S3BucketName,
		"IsMultiRegionTrail": t.MultiRegion, "LogFileValidationEnabled": t.LogFileValidation,
		"IsOrganizationTrail": t.OrganizationTrail, "IncludeGlobalServiceEvents": t.IncludeGlobalServiceEvents,
		"HasCustomEventSelectors": t.EventSelectors != nil, "HasInsightSelectors": false,
	}
	if t.S3KeyPrefix != "" {
		m["S3KeyPrefix"] = t.S3KeyPrefix
	}
	if t.SNSTopicARN != "" {
		m["SnsTopicARN"] = t.SNSTopicARN
		m["SnsTopicName"] = t.SNSTopicARN[strings.LastIndex(t.SNSTopicARN, ":")+1:]
	}
	if t.KMSKeyID != "" {
		m["KmsKeyId"] = t.KMSKeyID
	}
	return m
}

func (s *CloudTrail) describeTrails(w http.ResponseWriter, body []byte, region string) {
	var in struct {
		TrailNameList       []string `json:"trailNameList"`
		IncludeShadowTrails *bool    `json:"includeShadowTrails"`
	}
	if !decodeJSON(w, "1.1", body, &in) {
		return
	}
	shadows := in.IncludeShadowTrails == nil || *in.IncludeShadowTrails
	s.mu.Lock()
	all := append([]Trail(nil), s.trails...)
	s.mu.Unlock()
	list := []map[string]any{}
	for _, t := range all {
		visible := t.HomeRegion == region || (shadows && t.MultiRegion)
		if len(in.TrailNameList) == 0 {
			if visible {
				list = append(list, trailJSON(t))
			}
			continue
		}
		for _, n := range in.TrailNameList {
			if n == t.ARN() || (n == t.Name && visible) {
				list = append(list, trailJSON(t))
				break
			}
		}
	}
	writeJSON(w, "1.1", map[string]any{"trailList": list})
}

func (s *CloudTrail) getTrailStatus(w http.ResponseWriter, body []byte, region string) {
	var in struct{ Name string }
	if !decodeJSON(w, "1.1", body, &in) {
		return
	}
	t, ok := s.lookup(region, in.Name)
	if !ok {
		trailNotFound(w, in.Name, "000000000000")
		return
	}
	out := map[string]any{"IsLogging": t.Logging}
	if v := epoch(t.LatestDeliveryTime); v != nil {
		out["LatestDeliveryTime"] = v
		out["LatestDeliveryAttemptTime"] = t.LatestDeliveryTime.UTC().Format(time.RFC3339)
	}
	if t.LatestDeliveryError != "" {
		out["LatestDeliveryError"] = t.LatestDeliveryError
	}
	writeJSON(w, "1.1", out)
}

func (s *CloudTrail) getEventSelectors(w http.ResponseWriter, body []byte, region string) {
	var in struct{ TrailName string }
	if !decodeJSON(w, "1.1", body, &in) {
		return
	}
	t, ok := s.lookup(region, in.TrailName)
	if !ok {
		trailNotFound(w, in.TrailName, "000000000000")
		return
	}
	sel := t.EventSelectors
	if sel == nil {
		sel = []EventSelector{{ReadWriteType: "All", IncludeManagementEvents: true}}
	}
	list := []map[string]any{}
	for _, e := range sel {
		list = append(list, map[string]any{"ReadWriteType": e.ReadWriteType, "IncludeManagementEvents": e.IncludeManagementEvents,
			"DataResources": []any{}, "ExcludeManagementEventSources": []any{}})
	}
	writeJSON(w, "1.1", map[string]any{"TrailARN": t.ARN(), "EventSelectors": list})
}

func (s *CloudTrail) listPublicKeys(w http.ResponseWriter, body []byte, region string) {
	var in struct {
		StartTime *float64
		EndTime   *float64
		NextToken string
	}
	if !decodeJSON(w, "1.1", body, &in) {
		return
	}
	s.mu.Lock()
	s.calls = append(s.calls, KeysCall{Region: region, StartTime: in.StartTime, EndTime: in.EndTime, NextToken: in.NextToken})
	keys := append([]PublicKey(nil), s.keys[region]...)
	size := s.PageSize
	s.mu.Unlock()
	if size <= 0 {
		size = 1000
	}
	if in.StartTime != nil && in.EndTime != nil && *in.StartTime > *in.EndTime {
		jsonError(w, "1.1", Fault{Code: "InvalidTimeRangeException", Message: "StartTime is after EndTime"})
		return
	}
	var match []PublicKey
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
			jsonError(w, "1.1", Fault{Code: "InvalidTokenException", Message: "unknown NextToken"})
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
	writeJSON(w, "1.1", out)
}
