package search

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// phraseRe finds quoted phrases in a query, to check they stay out of SQL.
var phraseRe = regexp.MustCompile(`"((?:[^"\\]|\\.)*)"`)

// FuzzCompile: the parser and compiler never panic, errors are *Error
// with a position inside the query, and accepted queries compile to SQL
// made only of the compiler's own text: user values are parameters.
func FuzzCompile(f *testing.F) {
	dirs, _ := filepath.Glob("testdata/search/*/query.txt")
	for _, p := range dirs {
		if b, err := os.ReadFile(p); err == nil {
			q, _ := caseOptions(&testing.T{}, string(b))
			f.Add(q)
		}
	}
	for _, q := range injections {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		st, err := Compile(q, Options{Now: goldenNow})
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Compile(%q): error is not *Error: %v", q, err)
			}
			if e.Pos < 0 || e.Pos > len(q) {
				t.Fatalf("Compile(%q): error position %d outside the query", q, e.Pos)
			}
			_ = e.Error()
			return
		}
		checkSQLSafe(t, q, st)
		// A phrase holding quotes, separators, comment markers or
		// non-ASCII text cannot appear in the SQL outside the compiler's
		// own string constants.
		bare := stripLiterals(st.SQL)
		for _, m := range phraseRe.FindAllStringSubmatch(q, -1) {
			v := m[1]
			if strings.ContainsAny(v, `'";`) || strings.Contains(v, "--") || strings.Contains(v, "/*") || utf8.RuneCountInString(v) != len(v) {
				if strings.Contains(bare, v) {
					t.Fatalf("Compile(%q): the phrase %q appears in the SQL\n%s", q, v, st.SQL)
				}
			}
		}
	})
}
