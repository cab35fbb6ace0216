package sigma

import (
	"encoding/json"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// TestRegexLiteralsNeverRejectAMatch: the literals an re value's matches
// must contain are checked before the expression; over random values
// (seeded with the literals themselves, in both cases), the matcher agrees
// with the expression alone.
func TestRegexLiteralsNeverRejectAMatch(t *testing.T) {
	patterns := []string{
		`:assumed-role/[^/]+/i-[0-9a-f]{8,17}$`, `.+:assumed-role/aws:.+`, `(?i)Foo.*bar`, `a+b`, `(ab){2,}c`,
		`x?yz`, `[ab]cd`, `(?i)é+x`, `^abc$`, `ab|cd`, `(?s)a.b`, `\Qa.b\E`, `(?i:abc)def`, `(?i)ABC(?-i)Def`,
		`(?m)^line$`, `a{0,3}bc`, `(?:ab)*cd`, `ba(?i)NaNa`,
	}
	rnd := rand.New(rand.NewPCG(7, 11))
	alphabet := []string{"a", "b", "c", "d", "e", "f", "x", "y", "z", "A", "B", "C", "D", "F", "/", ":", "-", ".", "é", "É", "\n",
		"0", "9", "i-", "abc", "def", "bar", "foo", "FOO", "BAR", "NaNa", "nana", "assumed-role", ":assumed-role/", "aws:", "line", "0a1b2c3d4e", "role"}
	for _, p := range patterns {
		m, err := newReMatcher(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		re := regexp.MustCompile(p)
		matched := 0
		for range 4000 {
			var b strings.Builder
			for range rnd.IntN(12) {
				b.WriteString(alphabet[rnd.IntN(len(alphabet))])
			}
			for _, l := range m.lits {
				if rnd.IntN(2) == 0 {
					lit := string(l.b)
					if rnd.IntN(2) == 0 {
						lit = strings.ToUpper(lit)
					}
					b.WriteString(lit)
				}
				for range rnd.IntN(4) {
					b.WriteString(alphabet[rnd.IntN(len(alphabet))])
				}
			}
			v := b.String()
			js, _ := json.Marshal(map[string]string{"f": v})
			e := mustEvent(t, string(js))
			leaf := e.find(0, []string{"f"}, false, nil)
			if got, want := m.match(e, leaf[0]), re.MatchString(v); got != want {
				t.Fatalf("%s on %q: matcher %v, expression %v (literals %v)", p, v, got, want, m.lits)
			}
			if re.MatchString(v) {
				matched++
			}
		}
		if matched == 0 {
			t.Errorf("%s: no random value matched; the comparison proves little", p)
		}
	}
	// The EC2 rule's expression needs both literals.
	m, _ := newReMatcher(`:assumed-role/[^/]+/i-[0-9a-f]{8,17}$`)
	if len(m.lits) != 2 {
		t.Errorf("literals %v, want :assumed-role/ and /i-", m.lits)
	}
}
