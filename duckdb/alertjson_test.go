package duckdb

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestAlertJSONAsEncodingJSON: the hand-written encodings of the alert
// columns give exactly encoding/json's text, for strings that need no
// escaping and for every kind that does (quotes, backslashes, HTML
// characters, control characters, non-ASCII).
func TestAlertJSONAsEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	pieces := []string{"a", "Z", "0", "-", ":", "/", " ", ".", "arn:aws:iam::123456789012:role/x", "attack.t1078",
		`"`, `\`, "<", ">", "&", "\n", "\x01", "\x7f", "é", "\u2028", ""}
	str := func() string {
		var b strings.Builder
		for range rng.IntN(5) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return b.String()
	}
	plain, escaped := 0, 0
	for range 3000 {
		list := make([]string, rng.IntN(4))
		m := map[string]string{}
		for i := range list {
			list[i] = str()
			m[str()] = str()
		}
		if got, want := stringsJSON(list), jsonText(list); got != want {
			t.Fatalf("list %q: got %v, want %v", list, got, want)
		}
		if got, want := mapJSON(m), jsonText(m); got != want {
			t.Fatalf("map %q: got %v, want %v", m, got, want)
		}
		ok := true
		for _, s := range list {
			ok = ok && plainJSON(s)
		}
		if ok {
			plain++
		} else {
			escaped++
		}
	}
	if stringsJSON(nil) != nil || mapJSON(nil) != nil || stringsJSON([]string{}) != nil {
		t.Fatal("empty columns must be NULL")
	}
	if plain < 300 || escaped < 300 {
		t.Fatalf("%d plain and %d escaped lists: both paths must be exercised", plain, escaped)
	}
}
