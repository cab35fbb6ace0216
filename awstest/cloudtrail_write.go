package awstest

import (
	"net/http"
	"strings"
)

// The CloudTrail double's mutating calls: CreateTrail, UpdateTrail,
// StartLogging, StopLogging and DeleteTrail, on the same trails the read
// calls answer from.
func init() {
	moreCloudTrailOps = append(moreCloudTrailOps, (*CloudTrail).serveWrite)
}

type trailInput struct {
	Name                       string
	S3BucketName               *string
	S3KeyPrefix                *string
	SnsTopicName               *string
	KmsKeyId                   *string
	IsMultiRegionTrail         *bool
	EnableLogFileValidation    *bool
	IncludeGlobalServiceEvents *bool
	IsOrganizationTrail        *bool
}

func (s *CloudTrail) serveWrite(w http.ResponseWriter, op string, body []byte, sc Scope) bool {
	switch op {
	case "CreateTrail", "UpdateTrail", "StartLogging", "StopLogging", "DeleteTrail":
	default:
		return false
	}
	var in trailInput
	if !decodeJSON(w, "1.1", body, &in) {
		return true
	}
	if in.Name == "" {
		jsonError(w, "1.1", Fault{Code: "InvalidTrailNameException", Message: "Trail name cannot be empty"})
		return true
	}
	account := "000000000000"
	switch op {
	case "CreateTrail":
		if _, ok := s.lookup(sc.Region, in.Name); ok {
			jsonError(w, "1.1", Fault{Code: "TrailAlreadyExistsException", Message: "Trail " + in.Name + " already exists for customer: " + account})
			return true
		}
		if in.S3BucketName == nil || *in.S3BucketName == "" {
			jsonError(w, "1.1", Fault{Code: "InvalidS3BucketNameException", Message: "S3 bucket name is required"})
			return true
		}
		t := Trail{Name: in.Name, HomeRegion: sc.Region, Account: account}
		applyTrailInput(&t, in)
		writeJSON(w, "1.1", trailJSON(s.AddTrail(t)))
	case "UpdateTrail":
		t, ok := s.lookup(sc.Region, in.Name)
		if !ok || (t.HomeRegion != sc.Region && in.Name != t.ARN()) {
			trailNotFound(w, in.Name, account)
			return true
		}
		s.UpdateTrail(t.ARN(), func(t *Trail) { applyTrailInput(t, in) })
		t, _ = s.Trail(t.ARN())
		writeJSON(w, "1.1", trailJSON(t))
	case "StartLogging", "StopLogging":
		t, ok := s.lookup(sc.Region, in.Name)
		if !ok {
			trailNotFound(w, in.Name, account)
			return true
		}
		s.UpdateTrail(t.ARN(), func(t *Trail) { t.Logging = op == "StartLogging" })
		writeJSON(w, "1.1", map[string]any{})
	case "DeleteTrail":
		t, ok := s.lookup(sc.Region, in.Name)
		if !ok {
			trailNotFound(w, in.Name, account)
			return true
		}
		s.DeleteTrail(t.ARN())
		writeJSON(w, "1.1", map[string]any{})
	}
	return true
}

// applyTrailInput sets the fields a CreateTrail/UpdateTrail request names.
func applyTrailInput(t *Trail, in trailInput) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	setb := func(dst *bool, v *bool) {
		if v != nil {
			*dst = *v
		}
	}
	set(&t.S3BucketName, in.S3BucketName)
	set(&t.S3KeyPrefix, in.S3KeyPrefix)
	set(&t.KMSKeyID, in.KmsKeyId)
	if in.SnsTopicName != nil {
		t.SNSTopicARN = *in.SnsTopicName
		if *in.SnsTopicName != "" && !strings.HasPrefix(*in.SnsTopicName, "arn:") {
			t.SNSTopicARN = "arn:aws:sns:" + t.HomeRegion + ":" + t.Account + ":" + *in.SnsTopicName
		}
	}
	setb(&t.MultiRegion, in.IsMultiRegionTrail)
	setb(&t.LogFileValidation, in.EnableLogFileValidation)
	setb(&t.IncludeGlobalServiceEvents, in.IncludeGlobalServiceEvents)
	setb(&t.OrganizationTrail, in.IsOrganizationTrail)
}

// DeleteTrail removes the trail named name (or with that ARN) and reports
// whether it existed.
func (s *CloudTrail) DeleteTrail(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, t := range s.trails {
		if t.Name == name || t.ARN() == name {
			s.trails = append(s.trails[:i], s.trails[i+1:]...)
			return true
		}
	}
	return false
}
