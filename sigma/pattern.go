package sigma

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"
)

// String patterns: Sigma values with wildcards, escapes and case folding.

// Pattern kinds, from cheapest to most general.
const (
	pExact uint8 = iota
	pPrefix
	pSuffix
	pContains
	pAny // "*": any non-null value
	pGlob
)

// vtok is one piece of a Sigma string value: literal text, '*' or '?'.
type vtok struct {
	kind uint8 // tLit, tStar, tOne
	s    string
}

const (
	tLit uint8 = iota
	tStar
	tOne
)

// parseWildcards splits a Sigma string into literals and wildcards. A
// backslash escapes '*', '?' and '\' itself; any other backslash is literal.
func parseWildcards(s string) []vtok {
	var out []vtok
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			out = append(out, vtok{kind: tLit, s: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			if i+1 < len(s) && (s[i+1] == '*' || s[i+1] == '?' || s[i+1] == '\\') {
				lit.WriteByte(s[i+1])
				i++
			} else {
				lit.WriteByte(c)
			}
		case '*':
			flush()
			if len(out) == 0 || out[len(out)-1].kind != tStar {
				out = append(out, vtok{kind: tStar})
			}
		case '?':
			flush()
			out = append(out, vtok{kind: tOne})
		default:
			lit.WriteByte(c)
		}
	}
	flush()
	return out
}

// literalTokens is a value without wildcards.
func literalTokens(s string) []vtok {
	if s == "" {
		return nil
	}
	return []vtok{{kind: tLit, s: s}}
}

// hasWildcards reports whether toks contain '*' or '?'.
func hasWildcards(toks []vtok) bool {
	for _, t := range toks {
		if t.kind != tLit {
			return true
		}
	}
	return false
}

// plainText joins literal tokens (callers check hasWildcards first).
func plainText(toks []vtok) string {
	var b strings.Builder
	for _, t := range toks {
		b.WriteString(t.s)
	}
	return b.String()
}

// strPattern is a compiled string value: wildcards, case folding and a fast
// path for the common shapes (exact, prefix, suffix, contains).
type strPattern struct {
	kind  uint8
	lit   []byte   // exact/prefix/suffix/contains: the literal (lower-cased unless cased)
	segs  [][]ptok // glob: the pieces between stars
	lead  bool     // glob starts with '*'
	trail bool     // glob ends with '*'
	cased bool     // case-sensitive
	ascii bool     // pattern is ASCII: fold in place, no allocation
	num   bool     // the rule value was a YAML number: numeric equality too
	numV  float64  // its value
	rare  int      // contains: index in lit of the rarest byte, searched first
}

type ptok struct {
	one bool // '?'
	lit []byte
}

func compilePattern(toks []vtok, cased bool) *strPattern {
	p := &strPattern{cased: cased, ascii: true}
	fold := func(s string) []byte {
		for i := 0; i < len(s); i++ {
			if s[i] >= utf8.RuneSelf {
				p.ascii = false
			}
		}
		if cased {
			return []byte(s)
		}
		return []byte(strings.ToLower(s))
	}
	shape := make([]uint8, len(toks))
	for i, t := range toks {
		shape[i] = t.kind
	}
	switch s := string(shape); s {
	case "":
		p.kind = pExact
	case string([]uint8{tLit}):
		p.kind, p.lit = pExact, fold(toks[0].s)
	case string([]uint8{tLit, tStar}):
		p.kind, p.lit = pPrefix, fold(toks[0].s)
	case string([]uint8{tStar, tLit}):
		p.kind, p.lit = pSuffix, fold(toks[1].s)
	case string([]uint8{tStar, tLit, tStar}):
		p.kind, p.lit = pContains, fold(toks[1].s)
		p.rare = rarest(p.lit)
	case string([]uint8{tStar}):
		p.kind = pAny
	default:
		p.kind = pGlob
		p.lead = toks[0].kind == tStar
		p.trail = toks[len(toks)-1].kind == tStar
		var seg []ptok
		for _, t := range toks {
			switch t.kind {
			case tStar:
				if len(seg) > 0 {
					p.segs = append(p.segs, seg)
					seg = nil
				}
			case tOne:
				seg = append(seg, ptok{one: true})
			default:
				seg = append(seg, ptok{lit: fold(t.s)})
			}
		}
		if len(seg) > 0 {
			p.segs = append(p.segs, seg)
		}
	}
	return p
}

func (p *strPattern) match(e *Event, n int32) bool {
	var v []byte
	var ok bool
	fold := !p.cased
	if fold && (!p.ascii || p.kind == pGlob) {
		v, ok = e.lowered(n)
		fold = false
	} else {
		v, ok = e.text(n)
	}
	if !ok {
		return false
	}
	if p.matchBytes(v, fold) {
		return true
	}
	if p.num && e.nodes[n].kind == kNumber {
		f, err := strconv.ParseFloat(string(v), 64)
		return err == nil && f == p.numV
	}
	return false
}

// matchBytes tests one value; with fold, v is compared ASCII
// case-insensitively (the pattern is already lower-cased).
func (p *strPattern) matchBytes(v []byte, fold bool) bool {
	switch p.kind {
	case pExact:
		return len(v) == len(p.lit) && hasPrefix(v, p.lit, fold)
	case pPrefix:
		return hasPrefix(v, p.lit, fold)
	case pSuffix:
		return len(v) >= len(p.lit) && hasPrefix(v[len(v)-len(p.lit):], p.lit, fold)
	case pContains:
		if fold && len(p.lit) > 0 {
			return containsFold(v, p.lit, p.rare)
		}
		return bytes.Contains(v, p.lit)
	case pAny:
		return true
	}
	return p.glob(v, fold)
}

var lowerTab = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
		if i >= 'A' && i <= 'Z' {
			t[i] = byte(i) + 'a' - 'A'
		}
	}
	return t
}()

// hasPrefix compares v's start with lit (already lower-cased when fold).
func hasPrefix(v, lit []byte, fold bool) bool {
	if len(v) < len(lit) {
		return false
	}
	if !fold {
		return string(v[:len(lit)]) == string(lit)
	}
	for i, c := range lit {
		if lowerTab[v[i]] != c {
			return false
		}
	}
	return true
}

// containsFold finds lit (lower-case ASCII) in v ignoring ASCII case. It
// scans for lit's rarest byte (both cases) and verifies around each hit,
// which avoids lower-casing v and beats scanning for a common first byte.
func containsFold(v, lit []byte, rare int) bool {
	n := len(lit)
	if len(v) < n {
		return false
	}
	c := lit[rare]
	u := c
	if c >= 'a' && c <= 'z' {
		u = c - 'a' + 'A'
	}
	// Positions where the rare byte may sit: [rare, len(v)-n+rare].
	pos, last := rare, len(v)-n+rare
	nextL, nextU := -1, -1
	if u == c {
		nextU = len(v)
	}
	for pos <= last {
		if nextL < pos {
			if i := bytes.IndexByte(v[pos:last+1], c); i >= 0 {
				nextL = pos + i
			} else {
				nextL = len(v)
			}
		}
		if nextU < pos {
			if i := bytes.IndexByte(v[pos:last+1], u); i >= 0 {
				nextU = pos + i
			} else {
				nextU = len(v)
			}
		}
		p := min(nextL, nextU)
		if p > last {
			return false
		}
		if hasPrefix(v[p-rare:], lit, true) {
			return true
		}
		pos = p + 1
	}
	return false
}

// rarity ranks bytes by how rarely they occur in CloudTrail JSON text
// (higher is rarer); rarest picks the byte of lit to scan for.
var rarity = func() (t [256]uint8) {
	for i := range t {
		t[i] = 60
	}
	for i, c := range []byte("\",: .-/_{}") {
		t[c] = uint8(i)
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = 12
	}
	for i, c := range "etaoinsrhldcumfpgwybvkxjqz" {
		t[c] = uint8(4 + i*2)
	}
	return t
}()

func rarest(lit []byte) int {
	best := 0
	for i, c := range lit {
		if rarity[c] > rarity[lit[best]] {
			best = i
		}
	}
	return best
}

// glob matches star-separated segments: the first anchored unless the
// pattern starts with '*', the last anchored at the end unless it ends with
// '*', the others found leftmost (which is optimal for '*').
func (p *strPattern) glob(v []byte, fold bool) bool {
	pos := 0
	last := len(p.segs) - 1
	for k, seg := range p.segs {
		anchoredStart := k == 0 && !p.lead
		anchoredEnd := k == last && !p.trail
		if anchoredStart {
			end, ok := matchSeg(seg, v, 0, fold)
			if !ok || (anchoredEnd && end != len(v)) {
				return false
			}
			pos = end
			continue
		}
		found := false
		for s := pos; s <= len(v); {
			if end, ok := matchSeg(seg, v, s, fold); ok && (!anchoredEnd || end == len(v)) {
				pos, found = end, true
				break
			}
			if s == len(v) {
				break
			}
			_, size := utf8.DecodeRune(v[s:])
			s += size
		}
		if !found {
			return false
		}
	}
	return len(p.segs) > 0 || p.lead || len(v) == 0
}

func matchSeg(seg []ptok, v []byte, pos int, fold bool) (int, bool) {
	for _, t := range seg {
		if t.one {
			if pos >= len(v) {
				return pos, false
			}
			_, size := utf8.DecodeRune(v[pos:])
			pos += size
			continue
		}
		if !hasPrefix(v[pos:], t.lit, fold) {
			return pos, false
		}
		pos += len(t.lit)
	}
	return pos, true
}
