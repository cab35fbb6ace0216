package sigma

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestContainsFold checks the rare-byte search against lower-case + Contains
// on random text over a small alphabet (many near-misses).
func TestContainsFold(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alpha := []byte("aAbBxX7:\" ")
	gen := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = alpha[r.IntN(len(alpha))]
		}
		return b
	}
	for range 20000 {
		v := gen(r.IntN(30))
		lit := bytes.ToLower(gen(1 + r.IntN(4)))
		want := bytes.Contains(bytes.ToLower(v), lit)
		if got := containsFold(v, lit, rarest(lit)); got != want {
			t.Fatalf("containsFold(%q, %q) = %v", v, lit, got)
		}
		for i := range lit { // any scan byte gives the same answer
			if got := containsFold(v, lit, i); got != want {
				t.Fatalf("containsFold(%q, %q, %d) = %v", v, lit, i, got)
			}
		}
	}
}

// TestGlob checks wildcard patterns against a simple recursive matcher.
func TestGlob(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var ref func(p, v []byte) bool
	ref = func(p, v []byte) bool {
		if len(p) == 0 {
			return len(v) == 0
		}
		switch p[0] {
		case '*':
			return ref(p[1:], v) || (len(v) > 0 && ref(p, v[1:]))
		case '?':
			return len(v) > 0 && ref(p[1:], v[1:])
		}
		return len(v) > 0 && lowerTab[v[0]] == lowerTab[p[0]] && ref(p[1:], v[1:])
	}
	for range 20000 {
		p := make([]byte, r.IntN(7))
		for i := range p {
			p[i] = "ab*?A"[r.IntN(5)]
		}
		v := make([]byte, r.IntN(8))
		for i := range v {
			v[i] = "abAB"[r.IntN(4)]
		}
		pat := compilePattern(parseWildcards(string(p)), false)
		e := mustEvent(t, `{"f":"`+string(v)+`"}`)
		if got, want := pat.match(e, 1), ref(p, v); got != want {
			t.Fatalf("pattern %q on %q = %v, want %v", p, v, got, want)
		}
	}
}
