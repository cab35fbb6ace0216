package sigma

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// TestAnyContainsAgreesWithSeparateSearches: a list of contains values,
// merged into one anyContains, matches exactly the records that the same
// literals searched one by one (one selection each) match, ignoring ASCII
// case, on random literals and values that often share pieces.
func TestAnyContainsAgreesWithSeparateSearches(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "abAB/#-. xyZ"
	word := func(min, max int) string {
		var b strings.Builder
		for range min + rng.IntN(max-min+1) {
			b.WriteByte(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	merged, matches := 0, 0
	for round := range 200 {
		var lits []string
		for range 4 + rng.IntN(12) {
			lits = append(lits, word(1, 5)) // one-byte literals stay separate
		}
		var list, separate, names strings.Builder
		for i, l := range lits {
			fmt.Fprintf(&list, "      - %s\n", strconv.Quote(l))
			fmt.Fprintf(&separate, "  sel%d: {userAgent|contains: %s}\n", i, strconv.Quote(l))
			names.WriteString(l + " ")
		}
		doc := fmt.Sprintf("title: merged\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  sel:\n    userAgent|contains:\n%s  condition: sel\n---\n"+
			"title: separate\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n%s  condition: 1 of sel*\n", list.String(), separate.String())
		rules, errs := Parse([]byte(doc), "r.yml", nil)
		if len(errs) > 0 {
			t.Fatalf("round %d: %v\n%s", round, errs, doc)
		}
		if _, ok := rules[0].Detection.Selections["sel"].Groups[0][0].matchers[0].(*anyContains); ok {
			merged++
		}
		for range 50 {
			ua := word(0, 14)
			if rng.IntN(2) == 0 { // plant a literal, case changed
				l := lits[rng.IntN(len(lits))]
				if rng.IntN(2) == 0 {
					l = strings.ToUpper(l)
				}
				ua = ua[:len(ua)/2] + l + ua[len(ua)/2:]
			}
			e := mustEvent(t, fmt.Sprintf(`{"userAgent":%s}`, strconv.Quote(ua)))
			m, s := rules[0].Match(e), rules[1].Match(e)
			if m != s {
				t.Fatalf("round %d: literals %q, user agent %q: merged %v, separate %v", round, names.String(), ua, m, s)
			}
			if m {
				matches++
			}
		}
	}
	if merged < 150 || matches < 2000 {
		t.Fatalf("merged %d of 200 lists, %d matches of 10000: the test no longer exercises anyContains", merged, matches)
	}
}
