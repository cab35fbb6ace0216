package sigma

import (
	"bytes"
	"math"
	"net/netip"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"time"
)

// Value matchers: one compiled rule value tested against one event value.

type valueMatcher interface {
	match(e *Event, n int32) bool
}

// reMatcher is the re modifier (Go RE2 syntax, unanchored search). lits
// are literals every match contains, checked first.
type reMatcher struct {
	re   *regexp.Regexp
	lits []reLiteral
}

// reLiteral is a literal a regular expression's matches contain;
// lower-case when fold (the expression ignores its case).
type reLiteral struct {
	b    []byte
	fold bool
}

func (m *reMatcher) match(e *Event, n int32) bool {
	v, ok := e.text(n)
	if !ok {
		return false
	}
	for _, l := range m.lits {
		if !l.fold {
			if !bytes.Contains(v, l.b) {
				return false
			}
		} else if lv, _ := e.lowered(n); isASCII(lv) && !bytes.Contains(lv, l.b) {
			return false // for ASCII text, (?i) folding is ASCII lower-casing
		}
	}
	return m.re.Match(v)
}

// requiredLiterals returns literals every match of re contains: of a
// concatenation, those of each part; of a repetition of at least one, its
// operand's. Case-folded literals that are not ASCII are left out.
func requiredLiterals(re *syntax.Regexp) []reLiteral {
	switch re.Op {
	case syntax.OpLiteral:
		lit, fold := string(re.Rune), re.Flags&syntax.FoldCase != 0
		if lit == "" || fold && !isASCII([]byte(lit)) {
			return nil
		}
		if fold {
			lit = strings.ToLower(lit)
		}
		return []reLiteral{{b: []byte(lit), fold: fold}}
	case syntax.OpCapture, syntax.OpPlus:
		return requiredLiterals(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return requiredLiterals(re.Sub[0])
		}
	case syntax.OpConcat:
		var out []reLiteral
		for _, s := range re.Sub {
			out = append(out, requiredLiterals(s)...)
		}
		return out
	}
	return nil
}

// newReMatcher compiles a re value (flags already prefixed).
func newReMatcher(expr string) (*reMatcher, error) {
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, err
	}
	m := &reMatcher{re: re}
	if tree, err := syntax.Parse(expr, syntax.Perl); err == nil {
		m.lits = requiredLiterals(tree.Simplify())
	}
	return m, nil
}

// cidrMatcher is the cidr modifier.
type cidrMatcher struct{ prefix netip.Prefix }

func (m *cidrMatcher) match(e *Event, n int32) bool {
	v, ok := e.text(n)
	if !ok || len(v) > 64 {
		return false
	}
	a, err := netip.ParseAddr(string(v))
	if err != nil {
		return false
	}
	return m.prefix.Contains(a.Unmap())
}

// cmpMatcher is lt/lte/gt/gte (and the time-part modifiers, which extract a
// number from a timestamp and compare it, by equality unless a comparison
// modifier is also given).
type cmpMatcher struct {
	op   string // lt lte gt gte eq
	val  float64
	part string // minute hour day week month year, or ""
}

func (m *cmpMatcher) match(e *Event, n int32) bool {
	v, ok := e.text(n)
	if !ok {
		return false
	}
	var f float64
	if m.part != "" {
		t, ok := parseTime(string(v))
		if !ok {
			return false
		}
		f = float64(timePart(t, m.part))
	} else {
		var err error
		if f, err = strconv.ParseFloat(strings.TrimSpace(string(v)), 64); err != nil || math.IsNaN(f) {
			return false
		}
	}
	switch m.op {
	case "lt":
		return f < m.val
	case "lte":
		return f <= m.val
	case "gt":
		return f > m.val
	case "gte":
		return f >= m.val
	}
	return f == m.val
}

var timeLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02"}

func parseTime(s string) (time.Time, bool) {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func timePart(t time.Time, part string) int {
	switch part {
	case "minute":
		return t.Minute()
	case "hour":
		return t.Hour()
	case "day":
		return t.Day()
	case "week":
		_, w := t.ISOWeek()
		return w
	case "month":
		return int(t.Month())
	}
	return t.Year()
}

// refMatcher is the fieldref modifier: the value names another field whose
// value(s) the field is compared with (equality, or prefix/suffix/contains
// when combined with those modifiers).
type refMatcher struct {
	path  fieldPath
	kind  uint8 // pExact, pPrefix, pSuffix, pContains
	cased bool
}

func (m *refMatcher) match(e *Event, n int32) bool {
	v, ok := e.text(n)
	if !ok {
		return false
	}
	var buf [8]int32
	for _, r := range e.findPath(m.path, true, buf[:0]) {
		w, ok := e.text(r)
		if !ok {
			continue
		}
		if refCompare(v, w, m.kind, m.cased) {
			return true
		}
	}
	return false
}

func refCompare(v, w []byte, kind uint8, cased bool) bool {
	if !cased {
		v, w = bytes.ToLower(v), bytes.ToLower(w)
	}
	switch kind {
	case pPrefix:
		return bytes.HasPrefix(v, w)
	case pSuffix:
		return bytes.HasSuffix(v, w)
	case pContains:
		return bytes.Contains(v, w)
	}
	return bytes.Equal(v, w)
}
