package digest

import (
	"sort"
	"time"
)

// ProblemKind names what is wrong.
type ProblemKind string

// The problems Verify reports.
const (
	// InvalidDigest: unreadable, malformed, moved, unsigned, signed with
	// an unknown key, or a signature that does not verify.
	InvalidDigest ProblemKind = "invalid-digest"
	// MissingDigest: a digest the chain links to does not exist.
	MissingDigest ProblemKind = "missing-digest"
	// BrokenChain: previousDigestSignature or previousDigestHashValue does
	// not match the digest it names.
	BrokenChain ProblemKind = "broken-chain"
	// ChainGap: a digest starts a new chain after an earlier one (logging
	// or validation was off for a while); a warning by itself.
	ChainGap ProblemKind = "chain-gap"
	// MissingLog: a listed log file does not exist.
	MissingLog ProblemKind = "missing-log"
	// ModifiedLog: a listed log file's SHA-256 differs from its hashValue
	// (or it no longer decompresses).
	ModifiedLog ProblemKind = "modified-log"
	// UnreadableLog: a listed log file could not be read (access denied,
	// network); its integrity is unknown.
	UnreadableLog ProblemKind = "unreadable-log"
	// UnlistedLog: a log file in the range that no digest lists.
	UnlistedLog ProblemKind = "unlisted-log"
)

// Severity of a problem: errors make verification fail.
type Severity string

// Severities.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Problem is one finding.
type Problem struct {
	Kind     ProblemKind `json:"kind"`
	Severity Severity    `json:"severity"`
	Bucket   string      `json:"bucket"`
	Key      string      `json:"key"`
	Trail    string      `json:"trail,omitempty"`
	Detail   string      `json:"detail"`
}

// Group is the result for one account and region.
type Group struct {
	Location
	Trails        []string  `json:"trails"`
	Digests       int       `json:"digests"`
	ValidDigests  int       `json:"valid_digests"`
	LogFiles      int       `json:"log_files"` // listed by the digests read
	ValidLogFiles int       `json:"valid_log_files"`
	Unlisted      int       `json:"unlisted_log_files"`
	Pending       int       `json:"pending_log_files"` // newer than the last digest, not digested yet
	Gaps          int       `json:"chain_gaps"`
	First         time.Time `json:"first_digest_start,omitzero"`
	Last          time.Time `json:"last_digest_end,omitzero"`
	Problems      []Problem `json:"problems"`
}

// Report is the outcome of Verify.
type Report struct {
	Bucket string    `json:"bucket"`
	Prefix string    `json:"prefix"`
	From   time.Time `json:"from,omitzero"`
	To     time.Time `json:"to,omitzero"`
	Groups []*Group  `json:"groups"`
	OK     bool      `json:"ok"`
}

// Failed reports whether the group has an error-severity problem.
func (g *Group) Failed() bool {
	for _, p := range g.Problems {
		if p.Severity == SeverityError {
			return true
		}
	}
	return false
}

// Count returns how many problems of kind the group has.
func (g *Group) Count(kind ProblemKind) int {
	n := 0
	for _, p := range g.Problems {
		if p.Kind == kind {
			n++
		}
	}
	return n
}

func (g *Group) add(p Problem) {
	if p.Severity == "" {
		p.Severity = SeverityError
		if p.Kind == ChainGap {
			p.Severity = SeverityWarning
		}
	}
	if p.Kind == ChainGap {
		g.Gaps++
	}
	g.Problems = append(g.Problems, p)
}

// finish sorts problems and sets OK.
func (r *Report) finish() {
	sort.Slice(r.Groups, func(i, j int) bool { return lessLoc(r.Groups[i].Location, r.Groups[j].Location) })
	r.OK = true
	for _, g := range r.Groups {
		sort.SliceStable(g.Problems, func(i, j int) bool {
			a, b := g.Problems[i], g.Problems[j]
			if a.Key != b.Key {
				return a.Key < b.Key
			}
			return a.Kind < b.Kind
		})
		if g.Failed() {
			r.OK = false
		}
		if g.Problems == nil {
			g.Problems = []Problem{}
		}
	}
}

func lessLoc(a, b Location) bool {
	if a.Base != b.Base {
		return a.Base < b.Base
	}
	if a.Org != b.Org {
		return a.Org < b.Org
	}
	if a.Account != b.Account {
		return a.Account < b.Account
	}
	return a.Region < b.Region
}
