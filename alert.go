package cairn

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// AlertKind says what raised an alert.
type AlertKind string

// Alert kinds.
const (
	AlertSigma       AlertKind = "sigma"       // a Sigma detection rule matched an event
	AlertCorrelation AlertKind = "correlation" // a Sigma correlation rule fired
	AlertIOC         AlertKind = "ioc"         // an event named a known indicator
)

// AlertStatus is where an alert is in triage.
type AlertStatus string

// Alert statuses. Open and acknowledged alerts absorb repeated matches
// (suppression); a closed alert never changes again, and a later match
// opens a new alert.
const (
	AlertOpen         AlertStatus = "open"
	AlertAcknowledged AlertStatus = "acknowledged"
	AlertClosed       AlertStatus = "closed"
)

// ParseAlertStatus accepts a status name (or "ack" for acknowledged).
func ParseAlertStatus(s string) (AlertStatus, error) {
	switch strings.ToLower(s) {
	case "open":
		return AlertOpen, nil
	case "acknowledged", "ack":
		return AlertAcknowledged, nil
	case "closed", "close":
		return AlertClosed, nil
	}
	return "", fmt.Errorf("alert status %q: want open, acknowledged or closed", s)
}

// ErrNoSuchAlert: no alert has the ID asked for.
var ErrNoSuchAlert = errors.New("no such alert")

// Severities, lowest first (Sigma's levels).
var Severities = []string{"informational", "low", "medium", "high", "critical"}

// SeverityRank orders severities: 0 for informational … 4 for critical, -1
// for an unknown one.
func SeverityRank(s string) int { return slices.Index(Severities, strings.ToLower(s)) }

// MaxAlertSamples bounds the event IDs an alert keeps.
const MaxAlertSamples = 10

// Alert is a detection: matches of one rule for one group (a principal, a
// source address, a correlation's group-by values) within a suppression
// window. Repeated matches update the alert (Count, LastSeen, samples)
// instead of creating new ones.
//
// FirstSeen and LastSeen are source event times (when the matched events
// happened), so a retro-hunt and the streaming path agree; CreatedAt and
// UpdatedAt are when Cairn recorded the alert.
type Alert struct {
	ID       string    `json:"id"`
	Kind     AlertKind `json:"kind"`
	RuleID   string    `json:"rule_id"` // Sigma rule id (else name, else title); the indicator list for ioc
	Title    string    `json:"title"`
	Severity string    `json:"severity"` // informational, low, medium, high, critical
	Tags     []string  `json:"tags,omitempty"`
	// Author and License of the rule: the Detection Rule License 1.1
	// (SigmaHQ) requires crediting the author wherever matches are shown.
	Author  string `json:"author,omitempty"`
	License string `json:"license,omitempty"`
	Source  string `json:"source,omitempty"` // event source of the matches (aws.cloudtrail, …)
	// GroupKey identifies what the matches are about, e.g.
	// "111111111111|arn:aws:iam::111111111111:user/alice"; alerts of one
	// rule with different keys are separate.
	GroupKey string            `json:"group"`
	Fields   map[string]string `json:"fields,omitempty"` // context: group-by values, matched indicator, …

	FirstSeen      time.Time   `json:"first_seen"`
	LastSeen       time.Time   `json:"last_seen"`
	Count          int64       `json:"count"`
	SampleEventIDs []string    `json:"sample_event_ids"` // at most MaxAlertSamples, oldest first
	Status         AlertStatus `json:"status"`
	CreatedAt      time.Time   `json:"created_at"`
	UpdatedAt      time.Time   `json:"updated_at"`
}

// AlertID derives an alert's ID from what first raised it, so the same
// matches always give the same ID (a retro-hunt saved twice does not
// record its alerts twice).
func AlertID(kind AlertKind, ruleID, group string, first time.Time, firstEvent string) string {
	// The hashed text is kind NUL rule NUL group NUL first (Unix ns,
	// decimal) NUL first event; IDs already stored depend on it.
	var buf [256]byte
	in := append(buf[:0], kind...)
	in = append(append(in, 0), ruleID...)
	in = append(append(in, 0), group...)
	in = strconv.AppendInt(append(in, 0), first.UnixNano(), 10)
	in = append(append(in, 0), firstEvent...)
	sum := sha256.Sum256(in)
	var out [3 + 20]byte
	copy(out[:], "al-")
	hex.Encode(out[3:], sum[:10])
	return string(out[:])
}

// SetID sets a.ID from its identity and first match (see AlertID).
func (a *Alert) SetID() {
	first := ""
	if len(a.SampleEventIDs) > 0 {
		first = a.SampleEventIDs[0]
	}
	a.ID = AlertID(a.Kind, a.RuleID, a.GroupKey, a.FirstSeen, first)
}

// Absorbs reports whether b (new matches) belongs to alert a under
// suppression: same kind, rule and group, a not closed, and b's matches
// within window of a's.
func (a *Alert) Absorbs(b *Alert, window time.Duration) bool {
	return a.Status != AlertClosed && a.Kind == b.Kind && a.RuleID == b.RuleID && a.GroupKey == b.GroupKey &&
		a.Near(b.FirstSeen, b.LastSeen, window)
}

// Near reports whether matches seen from first to last fall within window
// of a's: the time half of Absorbs.
func (a *Alert) Near(first, last time.Time, window time.Duration) bool {
	return !first.After(a.LastSeen.Add(window)) && !last.Before(a.FirstSeen.Add(-window))
}

// Merge folds b's matches into a: counts add, the time range widens, and
// the sample keeps the oldest MaxAlertSamples distinct event IDs.
func (a *Alert) Merge(b *Alert) {
	a.Count += b.Count
	prepend := b.FirstSeen.Before(a.FirstSeen)
	if prepend {
		a.FirstSeen = b.FirstSeen
	}
	if b.LastSeen.After(a.LastSeen) {
		a.LastSeen = b.LastSeen
	}
	if prepend {
		a.SampleEventIDs = mergeSamples(b.SampleEventIDs, a.SampleEventIDs)
	} else {
		a.SampleEventIDs = mergeSamples(a.SampleEventIDs, b.SampleEventIDs)
	}
	for k, v := range b.Fields {
		if _, ok := a.Fields[k]; !ok {
			if a.Fields == nil {
				a.Fields = map[string]string{}
			}
			a.Fields[k] = v
		}
	}
}

func mergeSamples(first, then []string) []string {
	out := make([]string, 0, min(len(first)+len(then), MaxAlertSamples))
	for _, l := range [][]string{first, then} {
		for _, id := range l {
			if len(out) == MaxAlertSamples {
				return out
			}
			if id != "" && !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	return out
}

// AlertFilter selects alerts. Zero fields do not filter.
type AlertFilter struct {
	Status      []AlertStatus
	MinSeverity string   // this severity and above
	RuleIDs     []string // any of these rules
	Kind        AlertKind
	From, To    time.Time // alerts whose matches overlap [From, To)
	Limit       int       // at most this many, newest (by LastSeen) first; 0 = 1000
}

// AlertCounts is what an alert upsert did.
type AlertCounts struct {
	Created, Updated, Unchanged int
}
