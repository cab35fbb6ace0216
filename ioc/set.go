package ioc

import (
	"encoding/json"
	"net/netip"
	"strings"
	"time"

	"github.com/cairn-sec/cairn"
)

// Event fields matched, as named in matches (and alerts).
const (
	FieldSourceIP          = "source_ip"
	FieldDstIP             = "dst_ip"
	FieldAccessKeyID       = "access_key_id"
	FieldUserARN           = "user_arn"
	FieldSessionIssuerARN  = "session_issuer_arn"
	FieldUserAccountID     = "user_arn.account_id"
	FieldIssuerAccountID   = "session_issuer_arn.account_id"
	FieldResourceARN       = "resources.ARN"
	FieldResourceAccountID = "resources.accountId"
	FieldUserAgent         = "user_agent"
	FieldQueryName         = "query_name"
	FieldUserName          = "user_name"
)

// Match is one indicator found in one field of an event.
type Match struct {
	Indicator *Indicator
	Field     string // one of the Field* names
	Value     string // the event's value that matched
}

// Set is a compiled, read-only collection of indicators from any number of
// lists; it is safe for concurrent use.
type Set struct {
	prefixes   prefixTrie
	exact      map[Type]map[string][]*Indicator // access keys, ARNs, accounts, user agents, user names, domains, URL hosts
	substrings []*Indicator                     // user_agent_substring, lower case
	n          int
	ipCount    int
}

// NewSet compiles indicators; the set keeps pointers into inds.
func NewSet(inds []Indicator) *Set {
	s := &Set{exact: map[Type]map[string][]*Indicator{}}
	for i := range inds {
		ind := &inds[i]
		s.n++
		switch ind.Type {
		case TypeIPv4, TypeIPv6, TypeCIDR:
			s.prefixes.insert(ind.prefix, ind)
			s.ipCount++
		case TypeUserAgentSubstring:
			s.substrings = append(s.substrings, ind)
		case TypeURL:
			s.put(ind.Type, ind.host, ind)
		default:
			s.put(ind.Type, ind.Value, ind)
		}
	}
	return s
}

func (s *Set) put(t Type, k string, ind *Indicator) {
	m := s.exact[t]
	if m == nil {
		m = map[string][]*Indicator{}
		s.exact[t] = m
	}
	m[k] = append(m[k], ind)
}

// Len is the number of indicators.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return s.n
}

// Match appends to out every indicator that matches a field of ev and is
// still valid at the event's time.
func (s *Set) Match(ev *cairn.Event, out []Match) []Match {
	if s == nil || s.n == 0 {
		return out
	}
	m := matcher{s: s, at: ev.Time, out: out}
	if s.ipCount > 0 {
		m.ip(FieldSourceIP, ev.SourceIP)
		m.ip(FieldDstIP, ev.DstIP)
	}
	m.exact(TypeAccessKeyID, FieldAccessKeyID, ev.AccessKeyID)
	m.arn(FieldUserARN, FieldUserAccountID, ev.UserARN)
	m.arn(FieldSessionIssuerARN, FieldIssuerAccountID, ev.SessionIssuerARN)
	if len(ev.Resources) > 0 && (s.exact[TypeARN] != nil || s.exact[TypeAccountID] != nil) {
		m.resources(ev.Resources)
	}
	if ev.UserAgent != "" {
		m.exact(TypeUserAgent, FieldUserAgent, ev.UserAgent)
		if len(s.substrings) > 0 {
			lower := strings.ToLower(ev.UserAgent)
			for _, ind := range s.substrings {
				if strings.Contains(lower, ind.Value) {
					m.add(ind, FieldUserAgent, ev.UserAgent)
				}
			}
		}
	}
	m.exact(TypeUserName, FieldUserName, ev.UserName)
	if ev.QueryName != "" {
		m.domain(ev.QueryName)
	}
	return m.out
}

type matcher struct {
	s   *Set
	at  time.Time
	out []Match
	buf []*Indicator
}

func (m *matcher) add(ind *Indicator, field, value string) {
	if !ind.ValidUntil.IsZero() && !m.at.IsZero() && m.at.After(ind.ValidUntil) {
		return
	}
	m.out = append(m.out, Match{Indicator: ind, Field: field, Value: value})
}

func (m *matcher) exact(t Type, field, v string) {
	if v == "" {
		return
	}
	for _, ind := range m.s.exact[t][v] {
		m.add(ind, field, v)
	}
}

func (m *matcher) ip(field, v string) {
	if v == "" {
		return
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return // CloudTrail puts service names (ec2.amazonaws.com) here
	}
	m.buf = m.s.prefixes.lookup(a.WithZone(""), m.buf[:0])
	for _, ind := range m.buf {
		m.add(ind, field, v)
	}
}

// arn matches an ARN and the account in it.
func (m *matcher) arn(field, accountField, v string) {
	if v == "" {
		return
	}
	m.exact(TypeARN, field, v)
	m.exact(TypeAccountID, accountField, arnAccount(v))
}

// arnAccount returns the account field of an ARN (the fifth).
func arnAccount(arn string) string {
	rest := arn
	for range 4 {
		i := strings.IndexByte(rest, ':')
		if i < 0 {
			return ""
		}
		rest = rest[i+1:]
	}
	if i := strings.IndexByte(rest, ':'); i >= 0 {
		return rest[:i]
	}
	return ""
}

type resource struct {
	ARN       string `json:"ARN"`
	AccountID string `json:"accountId"`
}

// resources matches CloudTrail's resources array: each ARN, its account,
// and each accountId.
func (m *matcher) resources(raw []byte) {
	var rs []resource
	if json.Unmarshal(raw, &rs) != nil {
		return
	}
	for _, r := range rs {
		m.exact(TypeARN, FieldResourceARN, r.ARN)
		acct := arnAccount(r.ARN)
		m.exact(TypeAccountID, FieldResourceAccountID, acct)
		if r.AccountID != acct {
			m.exact(TypeAccountID, FieldResourceAccountID, r.AccountID)
		}
	}
}

// domain matches a DNS query name against domains (itself and every
// parent) and URL hosts (exactly).
func (m *matcher) domain(q string) {
	q = strings.TrimSuffix(q, ".")
	if hasUpper(q) {
		q = strings.ToLower(q)
	}
	m.exact(TypeURL, FieldQueryName, q)
	doms := m.s.exact[TypeDomain]
	if doms == nil {
		return
	}
	for d := q; d != ""; {
		for _, ind := range doms[d] {
			m.add(ind, FieldQueryName, q)
		}
		i := strings.IndexByte(d, '.')
		if i < 0 {
			break
		}
		d = d[i+1:]
	}
}

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return true
		}
	}
	return false
}
