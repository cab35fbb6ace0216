package sigma

// anyContains matches a value that contains any of several literals,
// ASCII case-insensitively: one pass over the value, looking each pair of
// adjacent bytes up in a table of the literals' first two bytes, instead
// of one search per literal. A list of user agents or tool names under
// |contains costs about as much as one literal this way.
type anyContains struct {
	lits    [][]byte         // lower-cased, at least two bytes each
	bigrams [1 << 10]uint64  // bit set: some literal starts with the pair
	byPair  map[uint16][]int // pair → literals starting with it
}

// minAnyContains is how many mergeable literals make an anyContains.
const minAnyContains = 4

// mergeContains replaces a field's case-insensitive ASCII contains
// patterns, when there are enough of them, with one anyContains; the
// other matchers are kept, in order. The matchers are alternatives (no
// all modifier).
func mergeContains(ms []valueMatcher) []valueMatcher {
	n := 0
	for _, m := range ms {
		if mergeable(m) {
			n++
		}
	}
	if n < minAnyContains {
		return ms
	}
	ac := &anyContains{byPair: map[uint16][]int{}}
	out := []valueMatcher{ac}
	for _, m := range ms {
		if !mergeable(m) {
			out = append(out, m)
			continue
		}
		lit := m.(*strPattern).lit
		pair := uint16(lit[0])<<8 | uint16(lit[1])
		ac.bigrams[pair>>6] |= 1 << (pair & 63)
		ac.byPair[pair] = append(ac.byPair[pair], len(ac.lits))
		ac.lits = append(ac.lits, lit)
	}
	return out
}

func mergeable(m valueMatcher) bool {
	p, ok := m.(*strPattern)
	return ok && p.kind == pContains && !p.cased && p.ascii && !p.num && len(p.lit) >= 2
}

func (a *anyContains) match(e *Event, n int32) bool {
	v, ok := e.text(n)
	return ok && a.matchBytes(v)
}

func (a *anyContains) matchBytes(v []byte) bool {
	for i := 0; i+1 < len(v); i++ {
		pair := uint16(lowerTab[v[i]])<<8 | uint16(lowerTab[v[i+1]])
		if a.bigrams[pair>>6]&(1<<(pair&63)) == 0 {
			continue
		}
		for _, li := range a.byPair[pair] {
			if hasPrefix(v[i:], a.lits[li], true) {
				return true
			}
		}
	}
	return false
}
