package detect

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/sigma"
)

// GroupKey is what a detection alert is about: the account and the
// principal (user ARN, else user name), else the source address, so that
// one actor's repeated matches share an alert and different actors' do
// not. An assumed-role session is its role (the session issuer): every
// session of a role is named apart (instance IDs, task IDs, random
// names), and an alert per session would bury the one per role.
func GroupKey(ev *cairn.Event) string {
	return ev.AccountID + "|" + principal(ev)
}

// principal is the who of GroupKey.
func principal(ev *cairn.Event) string {
	who := ev.UserARN
	if ev.UserType == "AssumedRole" && ev.SessionIssuerARN != "" {
		who = ev.SessionIssuerARN
	}
	if who == "" {
		who = ev.UserName
	}
	if who == "" {
		who = ev.SourceIP
	}
	return who
}

// detectionAlert is the alert for one detection match; group is
// GroupKey(ev).
func detectionAlert(r *sigma.Rule, ev *cairn.Event, group string) cairn.Alert {
	a := ruleAlert(r, cairn.AlertSigma)
	a.Source = ev.Source
	a.GroupKey = group
	a.FirstSeen, a.LastSeen = ev.Time.UTC(), ev.Time.UTC()
	a.Count = 1
	if ev.EventID != "" {
		a.SampleEventIDs = []string{ev.EventID}
	}
	return a // the ID is set when the alert is not merged (alertSet.add)
}

// correlationAlert is the alert for one correlation firing. Its group is
// the group-by values; Fields hold them and the aggregate ("value").
func correlationAlert(m sigma.CorrelationMatch, source string) cairn.Alert {
	a := ruleAlert(m.Rule, cairn.AlertCorrelation)
	a.Source = source
	keys := make([]string, 0, len(m.Group))
	for k := range m.Group {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	a.Fields = map[string]string{"value": strconv.FormatFloat(m.Value, 'g', -1, 64)}
	for i, k := range keys {
		parts[i] = k + "=" + m.Group[k]
		a.Fields[k] = m.Group[k]
	}
	a.GroupKey = strings.Join(parts, "|")
	a.FirstSeen, a.LastSeen = m.First.UTC(), m.Last.UTC()
	a.Count = 1
	ids := m.EventIDs
	if len(ids) > cairn.MaxAlertSamples {
		ids = ids[:cairn.MaxAlertSamples]
	}
	a.SampleEventIDs = append([]string(nil), ids...)
	return a
}

func ruleAlert(r *sigma.Rule, kind cairn.AlertKind) cairn.Alert {
	return cairn.Alert{Kind: kind, RuleID: r.Key(), Title: r.Title, Severity: severity(r), Tags: r.Tags,
		Author: r.Author, License: r.License, Status: cairn.AlertOpen}
}

// alertSet gathers alerts with suppression, in memory: an alert that an
// earlier one absorbs is merged into it.
type alertSet struct {
	window  time.Duration
	byRule  map[string][]int   // kind|rule|group → positions in list
	byMatch map[matchKey][]int // detection matches (addMatch) → positions in list
	list    []cairn.Alert
}

// matchKey is a detection match's rule and group (GroupKey's parts), so
// that the many matches merged into an alert need no key built.
type matchKey struct {
	rule, group string // rule: its key (alerts' RuleID); group: GroupKey
}

func newAlertSet(window time.Duration) *alertSet {
	return &alertSet{window: window, byRule: map[string][]int{}, byMatch: map[matchKey][]int{}}
}

func (s *alertSet) add(a cairn.Alert) {
	k := string(a.Kind) + "\x00" + a.RuleID + "\x00" + a.GroupKey
	for _, i := range s.byRule[k] {
		if s.list[i].Absorbs(&a, s.window) {
			s.list[i].Merge(&a)
			return
		}
	}
	a.SetID()
	s.byRule[k] = append(s.byRule[k], len(s.list))
	s.list = append(s.list, a)
}

// addMatch adds the match of detection rule r on ev, whose GroupKey is
// group: the same as add(detectionAlert(r, ev, group)), without building an
// alert for a match that one already gathered absorbs.
func (s *alertSet) addMatch(r *sigma.Rule, ev *cairn.Event, group string) {
	k := matchKey{rule: r.Key(), group: group}
	t := ev.Time.UTC()
	for _, i := range s.byMatch[k] {
		a := &s.list[i]
		if !a.Near(t, t, s.window) {
			continue
		}
		a.Count++
		switch {
		case t.Before(a.FirstSeen):
			a.FirstSeen = t
			if ev.EventID != "" {
				a.SampleEventIDs = mergeSampleFirst(ev.EventID, a.SampleEventIDs)
			}
		case t.After(a.LastSeen):
			a.LastSeen = t
			fallthrough
		default:
			if ev.EventID != "" && len(a.SampleEventIDs) < cairn.MaxAlertSamples && !slices.Contains(a.SampleEventIDs, ev.EventID) {
				a.SampleEventIDs = append(a.SampleEventIDs, ev.EventID)
			}
		}
		return
	}
	a := detectionAlert(r, ev, group)
	a.SetID()
	s.byMatch[k] = append(s.byMatch[k], len(s.list))
	s.list = append(s.list, a)
}

// mergeSampleFirst puts id before the samples (Merge's order for an older
// match), keeping them distinct and at most cairn.MaxAlertSamples.
func mergeSampleFirst(id string, samples []string) []string {
	out := make([]string, 0, min(len(samples)+1, cairn.MaxAlertSamples))
	out = append(out, id)
	for _, s := range samples {
		if len(out) == cairn.MaxAlertSamples {
			break
		}
		if s != id {
			out = append(out, s)
		}
	}
	return out
}

// alerts returns the gathered alerts, oldest first.
func (s *alertSet) alerts() []cairn.Alert {
	out := append([]cairn.Alert(nil), s.list...)
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].FirstSeen.Equal(out[j].FirstSeen) {
			return out[i].FirstSeen.Before(out[j].FirstSeen)
		}
		return out[i].RuleID < out[j].RuleID
	})
	return out
}

func (s *alertSet) reset() {
	clear(s.byRule)
	clear(s.byMatch)
	s.list = s.list[:0]
}
