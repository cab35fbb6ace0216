package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cairn-sec/cairn/queries"
)

func TestQueriesListAndShow(t *testing.T) {
	isolate(t)
	qdir := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "cairn", "queries")
	os.MkdirAll(qdir, 0o755)
	mine := filepath.Join(qdir, "mine.yaml")
	os.WriteFile(mine, []byte(`
- name: root-account-usage
  title: Root API calls only
  query: user_type:Root AND NOT event_name:ConsoleLogin
  tags: [root]
- name: prod-reads
  title: Reads of production buckets
  query: event_name:GetObject AND requestParameters.bucketName:prod-*
  tags: [s3]
  mitre: [T1530]
`), 0o644)

	out, _, err := execute(t, "", "queries", "list")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"failed-api-calls", "cloudtrail-tampering", "prod-reads", "Root API calls only", "mine.yaml", "rows)"} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}
	out, _, err = execute(t, "", "queries", "list", "--format", "json", "--tag", "s3")
	if err != nil {
		t.Fatal(err)
	}
	var qs []queries.Query
	if err := json.Unmarshal([]byte(out), &qs); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(qs) < 3 {
		t.Fatalf("%d s3 queries", len(qs))
	}
	for _, q := range qs {
		if !contains(q.Tags, "s3") || q.Query == "" {
			t.Fatalf("%+v", q)
		}
	}

	out, _, err = execute(t, "", "queries", "show", "iam-changes")
	if err != nil || !strings.Contains(out, "event_source:iam.amazonaws.com") || !strings.Contains(out, "T1098") || !strings.Contains(out, "cairn search --saved iam-changes") {
		t.Fatalf("show: %v\n%s", err, out)
	}
	out, _, err = execute(t, "", "queries", "show", "--format", "json", "root-account-usage")
	var q queries.Query
	if err != nil || json.Unmarshal([]byte(out), &q) != nil || q.Source != mine || q.Title != "Root API calls only" {
		t.Fatalf("show json: %v\n%s", err, out)
	}
	if _, _, err := execute(t, "", "queries", "show", "iam"); err == nil || !strings.Contains(err.Error(), "iam-changes") {
		t.Fatalf("unknown name: %v", err)
	}
	if _, _, err := execute(t, "", "queries", "list", "--format", "xml"); err == nil {
		t.Fatal("bad format accepted")
	}
}

func TestQueriesBadFileNamed(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("- name: x\n  titel: X\n  query: a\n"), 0o644)
	cfg := filepath.Join(dir, "cairn.yaml")
	os.WriteFile(cfg, []byte("queries:\n  dir: .\n"), 0o644)
	_, _, err := execute(t, "", "--config", cfg, "queries", "list")
	if err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), `unknown key "titel"`) {
		t.Fatalf("bad file: %v", err)
	}
}
