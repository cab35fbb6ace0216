package queries

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestShippedLibrary(t *testing.T) {
	lib, err := Load(Options{})
	if err != nil {
		t.Fatal(err)
	}
	all := lib.All()
	if len(all) < 20 {
		t.Fatalf("only %d shipped queries, want at least 20", len(all))
	}
	for _, name := range []string{"failed-api-calls", "iam-changes", "root-account-usage", "unauthorized-access-attempts", "console-logins"} {
		if _, ok := lib.Get(name); !ok {
			t.Errorf("seed query %s missing", name)
		}
	}
	for i, q := range all {
		if i > 0 && all[i-1].Name >= q.Name {
			t.Errorf("not sorted: %s before %s", all[i-1].Name, q.Name)
		}
		if q.Source != BuiltinSource || q.Description == "" || len(q.Tags) == 0 {
			t.Errorf("%s: source %q, description %q, tags %v", q.Name, q.Source, q.Description, q.Tags)
		}
	}
}

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestUserQueriesOverrideAndAdd(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "mine.yaml", `
- name: root-account-usage
  title: Root, but only API calls
  query: user_type:Root AND NOT event_name:ConsoleLogin
- name: my-buckets
  title: My bucket reads
  query: event_name:GetObject AND requestParameters.bucketName:prod-*
  tags: [s3]
`)
	writeFile(t, dir, "single.yml", "name: one\ntitle: One\nquery: event_name:X\n")
	writeFile(t, dir, "notes.txt", "not: [yaml")
	lib, err := Load(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	q, _ := lib.Get("root-account-usage")
	if q.Title != "Root, but only API calls" || q.Source != filepath.Join(dir, "mine.yaml") {
		t.Fatalf("override not applied: %+v", q)
	}
	if _, ok := lib.Get("my-buckets"); !ok {
		t.Fatal("user query missing")
	}
	if q, ok := lib.Get("one"); !ok || q.Query != "event_name:X" {
		t.Fatalf("single-mapping file: %+v %v", q, ok)
	}
	if _, err := lib.Lookup("root"); err == nil || !strings.Contains(err.Error(), "root-account-usage") {
		t.Fatalf("lookup suggestion: %v", err)
	}
}

func TestMissingDirIsEmpty(t *testing.T) {
	if _, err := Load(Options{Dir: filepath.Join(t.TempDir(), "none")}); err != nil {
		t.Fatal(err)
	}
}

func TestBadFilesNamed(t *testing.T) {
	cases := map[string]struct{ text, want string }{
		"syntax":   {"- name: x\n  title: [unclosed\n", "line"},
		"unknown":  {"- name: x\n  title: X\n  query: a:b\n  qeury: c\n", `line 1: unknown key "qeury"`},
		"noquery":  {"- name: x\n  title: X\n", `query "x": query is empty`},
		"badname":  {"- name: Bad Name\n  title: X\n  query: a:b\n", "name \"Bad Name\""},
		"mitre":    {"- name: x\n  title: X\n  query: a:b\n  mitre: [1078]\n", "not an ATT&CK technique"},
		"scalar":   {"just text\n", "want a query"},
		"dupname":  {"- {name: x, title: X, query: a}\n- {name: x, title: Y, query: b}\n", "already defined at line 1"},
		"wrongtyp": {"- name: x\n  title: X\n  query: a:b\n  tags: {a: b}\n", "line"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			p := writeFile(t, dir, name+".yaml", c.text)
			_, err := Load(Options{Dir: dir})
			if err == nil {
				t.Fatal("bad file accepted")
			}
			if !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not name %s and say %q", err, p, c.want)
			}
		})
	}
}

func TestDuplicateAcrossFiles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.yaml", "name: x\ntitle: X\nquery: a:b\n")
	writeFile(t, dir, "b.yaml", "name: x\ntitle: X\nquery: a:c\n")
	_, err := Load(Options{Dir: dir})
	if err == nil || !strings.Contains(err.Error(), "a.yaml") || !strings.Contains(err.Error(), "b.yaml") {
		t.Fatalf("duplicate not reported with both files: %v", err)
	}
}

func TestCheckNamesQueryAndFile(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "a.yaml", "name: broken\ntitle: X\nquery: 'a:(b'\n")
	_, err := Load(Options{Dir: dir, Check: func(q string) error {
		if strings.Count(q, "(") != strings.Count(q, ")") {
			return errors.New("unbalanced parentheses")
		}
		return nil
	}})
	if err == nil || !strings.Contains(err.Error(), `"broken"`) || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "unbalanced") {
		t.Fatalf("check error: %v", err)
	}
}
