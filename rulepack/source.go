package rulepack

import (
	"strconv"
	"time"

	"github.com/cairn-sec/cairn/sigma"
)

// Log sources of the records Cairn stores, by their cairn.Event Source
// value, as Sigma logsources.
var sources = []struct {
	name string
	ls   sigma.LogSource
	time []string // fields holding the event time, first present wins
}{
	{"aws.cloudtrail", sigma.CloudTrail, []string{"eventTime"}},
	{"aws.vpcflow", sigma.LogSource{Product: "aws", Service: "vpcflow"}, []string{"start", "end"}},
	{"aws.route53resolver", sigma.LogSource{Product: "aws", Service: "route53"}, []string{"query_timestamp"}},
	{"aws.eks.audit", sigma.LogSource{Product: "kubernetes", Service: "audit"}, []string{"requestReceivedTimestamp", "stageTimestamp"}},
}

// LogSource returns the Sigma logsource of records with a Cairn source
// value ("aws.cloudtrail", "aws.vpcflow", "aws.route53resolver",
// "aws.eks.audit").
func LogSource(source string) (sigma.LogSource, bool) {
	for _, s := range sources {
		if s.name == source {
			return s.ls, true
		}
	}
	return sigma.LogSource{}, false
}

// SourceName returns the Cairn source value whose records a rule with
// logsource ls applies to ("" when none does).
func SourceName(ls sigma.LogSource) string {
	for _, s := range sources {
		if ls.Applies(s.ls) {
			return s.name
		}
	}
	return ""
}

// EventTime returns the time of a raw record of log source ls: CloudTrail
// eventTime, VPC flow start (Unix seconds), Resolver query_timestamp,
// Kubernetes audit requestReceivedTimestamp.
func EventTime(ls sigma.LogSource, e *sigma.Event) (time.Time, bool) {
	for _, s := range sources {
		if s.ls != ls {
			continue
		}
		for _, f := range s.time {
			if v, ok := e.Value(f); ok {
				if t, ok := parseTime(v); ok {
					return t, true
				}
			}
		}
	}
	return time.Time{}, false
}

// parseTime reads RFC 3339 (with or without fractions), "2006-01-02
// 15:04:05" (UTC) and Unix seconds.
func parseTime(v string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), true
		}
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
		return time.Unix(n, 0).UTC(), true
	}
	return time.Time{}, false
}
