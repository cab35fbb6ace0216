package search

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/search")

// goldenNow is the reference time of golden cases.
var goldenNow = time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)

// caseOptions reads "# from: T", "# to: T", "# limit: N" header lines.
func caseOptions(t *testing.T, text string) (string, Options) {
	opts := Options{Now: goldenNow}
	var q []string
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		k, v, ok := strings.Cut(strings.TrimPrefix(line, "# "), ": ")
		if !strings.HasPrefix(line, "# ") || !ok {
			q = append(q, line)
			continue
		}
		var err error
		switch k {
		case "from":
			opts.From, err = time.Parse(time.RFC3339, v)
		case "to":
			opts.To, err = time.Parse(time.RFC3339, v)
		case "limit":
			_, err = fmt.Sscan(v, &opts.Limit)
		default:
			err = fmt.Errorf("unknown option %q", k)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return strings.Join(q, "\n"), opts
}

// renderStatement is the golden form: the SQL, then the arguments with
// their Go types.
func renderStatement(st *Statement) string {
	var b strings.Builder
	b.WriteString(st.SQL)
	b.WriteString("\n-- args:\n")
	for i, a := range st.Args {
		fmt.Fprintf(&b, "-- %d: %T %s\n", i+1, a, formatArg(a))
	}
	return b.String()
}

func formatArg(a any) string {
	switch x := a.(type) {
	case string:
		return fmt.Sprintf("%q", x)
	case time.Time:
		return x.Format(time.RFC3339Nano)
	}
	return fmt.Sprint(a)
}

// TestGolden compiles testdata/search/*/query.txt and compares with
// want.sql (go test -run TestGolden -update rewrites them). Every
// statement must also run on the fixture store.
func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/search/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	s := fixtureDB(t)
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			text, err := os.ReadFile(filepath.Join(dir, "query.txt"))
			if err != nil {
				t.Fatal(err)
			}
			q, opts := caseOptions(t, string(text))
			st, err := Compile(q, opts)
			if err != nil {
				t.Fatalf("Compile(%q): %v", q, err)
			}
			got := renderStatement(st)
			wantPath := filepath.Join(dir, "want.sql")
			if *update {
				if err := os.WriteFile(wantPath, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(wantPath)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("query %q\n got:\n%s\nwant:\n%s", q, got, want)
			}
			if _, err := s.Query(context.Background(), st.SQL, 0, st.Args...); err != nil {
				t.Errorf("query %q does not run: %v\n%s", q, err, st.SQL)
			}
			checkSQLSafe(t, q, st)
		})
	}
}
