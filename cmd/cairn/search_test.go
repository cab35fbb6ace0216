package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/cloudtrail"
	"github.com/cairn-sec/cairn/duckdb"
)

// searchFixture is a small trail: console logins, an IAM change and a
// denied call, on two days.
func searchFixture(t *testing.T) []byte {
	alice := map[string]any{"type": "IAMUser", "userName": "alice", "arn": "arn:aws:iam::111122223333:user/alice", "accountId": "111122223333"}
	root := map[string]any{"type": "Root", "arn": "arn:aws:iam::111122223333:root", "accountId": "111122223333"}
	day := time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)
	login := func(id string, at time.Time, who map[string]any, outcome, ip string) record {
		r := ctRecord(id, "ConsoleLogin", "us-east-1", at, who, map[string]any{"eventSource": "signin.amazonaws.com",
			"responseElements": map[string]any{"ConsoleLogin": outcome}, "sourceIPAddress": ip})
		return r
	}
	return logFile(t,
		login("s1", day, alice, "Success", "198.51.100.7"),
		login("s2", day.Add(time.Minute), alice, "Failure", "203.0.113.5"),
		login("s3", day.Add(2*time.Minute), root, "Success", "2001:db8::1"),
		ctRecord("s4", "CreateUser", "us-east-1", day.Add(time.Hour), alice, map[string]any{"eventSource": "iam.amazonaws.com",
			"requestParameters": map[string]any{"userName": "mallory"}}),
		ctRecord("s5", "GetBucketPolicy", "us-west-2", day.Add(24*time.Hour), alice, map[string]any{"eventSource": "s3.amazonaws.com",
			"errorCode": "AccessDenied", "errorMessage": "Access Denied"}),
	)
}

func ingestSearchFixture(t *testing.T, c *cli) {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "trail.json"), searchFixture(t))
	c.ok("ingest", dir)
}

func searchIDs(t *testing.T, c *cli, args ...string) []string {
	t.Helper()
	r := c.ok(append([]string{"search", "--format", "json"}, args...)...)
	rows, err := decodeRows(r.stdout)
	if err != nil {
		t.Fatalf("%v\n%s", err, r)
	}
	var ids []string
	for _, row := range rows {
		ids = append(ids, row["event_id"].(string))
	}
	return ids
}

func TestSearchCommand(t *testing.T) {
	c := newCLI(t)
	ingestSearchFixture(t, c)

	if got := searchIDs(t, c, `eventName:ConsoleLogin`); !slices.Equal(got, []string{"s3", "s2", "s1"}) {
		t.Errorf("console logins, newest first: %v", got)
	}
	if got := searchIDs(t, c, `event_name:ConsoleLogin AND status:failure`); !slices.Equal(got, []string{"s2"}) {
		t.Errorf("failed logins: %v", got)
	}
	if got := searchIDs(t, c, `source_ip:2001:db8::/32 OR requestParameters.userName:mallory`); !slices.Equal(got, []string{"s4", "s3"}) {
		t.Errorf("cidr or path: %v", got)
	}
	// Time flags: --from/--to, relative or absolute; --last from now.
	if got := searchIDs(t, c, `*`, "--from", "2024-05-02", "--to", "2024-05-03T00:00:00Z"); !slices.Equal(got, []string{"s5"}) {
		t.Errorf("--from/--to: %v", got)
	}
	if got := searchIDs(t, c, `*`, "--last", "7d"); len(got) != 0 {
		t.Errorf("--last 7d finds 2024 events: %v", got)
	}
	if got := searchIDs(t, c, `*`, "--from", "now-36500d", "--to", "now"); len(got) != 5 {
		t.Errorf("relative --from/--to: %v", got)
	}
	if got := searchIDs(t, c, `*`, "--limit", "2"); !slices.Equal(got, []string{"s5", "s4"}) {
		t.Errorf("--limit 2: %v", got)
	}

	// Stages.
	r := c.ok("search", "--format", "csv", `event_name:ConsoleLogin | stats count() as n, dcount(source_ip) as ips by user_name | sort -n`)
	if r.stdout != "user_name,n,ips\nalice,2,2\nroot,1,1\n" {
		t.Errorf("stats csv:\n%s", r)
	}
	r = c.ok("search", "--format", "ndjson", `| timechart span=1d count()`)
	if r.stdout != "{\"time\":\"2024-05-01T00:00:00Z\",\"count\":4}\n{\"time\":\"2024-05-02T00:00:00Z\",\"count\":1}\n" {
		t.Errorf("timechart ndjson:\n%s", r)
	}

	// The table shows time first and the columns an analyst reads.
	r = c.ok("search", `event_name:CreateUser`)
	lines := strings.Split(r.stdout, "\n")
	if !strings.HasPrefix(lines[0], "time ") || strings.Contains(lines[0], "raw") || !strings.Contains(lines[2], "CreateUser") {
		t.Errorf("table:\n%s", r)
	}
	r = c.ok("search", `| stats count() by user_name`, "--limit", "1")
	if !strings.Contains(r.stdout, "(1 row, truncated)") {
		t.Errorf("--limit 1 on two rows should say truncated:\n%s", r)
	}

	// --explain prints the statement and its parameters, and runs nothing.
	r = c.ok("search", "--explain", `event_name:ConsoleLogin`, "--from", "2024-05-01T00:00:00Z")
	for _, want := range []string{"WITH s0 AS (", "time >= ?", "lower(event_name) = lower(?)", `-- args:`, `1: time.Time 2024-05-01T00:00:00Z`, `2: string "ConsoleLogin"`, `3: int64 101`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("--explain lacks %q:\n%s", want, r)
		}
	}
}

func TestSearchCommandErrors(t *testing.T) {
	c := newCLI(t)
	ingestSearchFixture(t, c)
	r := c.fails(2, "search", `event_name:(ConsoleLogin`)
	if !strings.Contains(r.stderr, "expected ')' to close the '(' at column 12") || !strings.Contains(r.stderr, "\n  event_name:(ConsoleLogin\n") ||
		!strings.Contains(r.stderr, "\n                          ^") {
		t.Errorf("syntax error:\n%s", r)
	}
	for _, args := range [][]string{
		{"search"},
		{"search", "*", "--last", "soon"},
		{"search", "*", "--last", "1h", "--from", "now-2h"},
		{"search", "*", "--from", "2024-05-02", "--to", "2024-05-01"},
		{"search", "*", "--from", "yesterday"},
		{"search", "*", "--format", "xml"},
		{"search", "*", "--limit", "-1"},
	} {
		if r := c.run(args...); r.code != 2 || r.stderr == "" {
			t.Errorf("want exit 2 with a message:\n%s", r)
		}
	}
	c.store = filepath.Join(t.TempDir(), "none")
	if r := c.run("search", "*"); r.code == 0 || !strings.Contains(r.stderr, "no store") {
		t.Errorf("missing store:\n%s", r)
	}
}

// A search reaches a running collector over its socket, parameters
// included, with the same rows as when the store is opened directly.
func TestSearchOverSocket(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	store, err := duckdb.Open(ctx, duckdb.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var evs []*cairn.Event
	em := emitFunc(func(ev *cairn.Event) { e := *ev; evs = append(evs, &e) })
	if err := (cloudtrail.Decoder{}).Decode(ctx, strings.NewReader(string(searchFixture(t))), cairn.ObjectRef{Key: "trail.json"}, em); err != nil {
		t.Fatal(err)
	}
	tx, err := store.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Append(ctx, evs); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	serveSocket(t, dir, store)

	from := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	sql := `SELECT event_id, ? AS s, ? AS i, ? AS f, ? AS b, ? AS t, ? AS n FROM events WHERE time >= ? AND event_name = ? ORDER BY event_id`
	args := []any{"x'y", int64(1) << 60, 2.5, true, from, nil, from, "ConsoleLogin"}
	res, err := runQuery(ctx, dir, sql, 0, args...)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(res.Rows)
	want := `[["s1","x'y",1152921504606846976,2.5,true,"2024-05-01T00:00:00Z",null],["s2","x'y",1152921504606846976,2.5,true,"2024-05-01T00:00:00Z",null],["s3","x'y",1152921504606846976,2.5,true,"2024-05-01T00:00:00Z",null]]`
	if string(got) != want {
		t.Errorf("over the socket:\n got %s\nwant %s", got, want)
	}
	// The read-only guard holds with parameters too.
	if _, err := runQuery(ctx, dir, `DELETE FROM events_data WHERE event_id = ?`, 0, "s1"); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("DELETE with a parameter: %v", err)
	}
	if _, err := runQuery(ctx, dir, `SELECT ?; DELETE FROM events_data`, 0, "s1"); err == nil {
		t.Errorf("two statements with a parameter ran")
	}
	if n, err := runQuery(ctx, dir, `SELECT count(*) FROM events`, 0); err != nil || len(n.Rows) != 1 || n.Rows[0][0] != json.Number("5") {
		t.Errorf("store changed: %v %v", n, err)
	}
}

type emitFunc func(*cairn.Event)

func (f emitFunc) Emit(ev *cairn.Event) error       { f(ev); return nil }
func (f emitFunc) Reject(e cairn.IngestError) error { return e }

// --saved runs a query from the library: the shipped one, or the user's
// of the same name, which replaces it.
func TestSearchSaved(t *testing.T) {
	c := newCLI(t)
	ingestSearchFixture(t, c)
	if got := searchIDs(t, c, "--saved", "root-account-usage"); !slices.Equal(got, []string{"s3"}) {
		t.Errorf("--saved root-account-usage: %v", got)
	}
	if got := searchIDs(t, c, "--saved", "console-logins"); !slices.Equal(got, []string{"s3", "s2", "s1"}) {
		t.Errorf("--saved console-logins: %v", got)
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "mine.yaml"), []byte("- name: root-account-usage\n  title: Mine\n  description: replaced\n  query: 'event_name:CreateUser'\n"))
	c.setenv("CAIRN_QUERIES_DIR", dir)
	if got := searchIDs(t, c, "--saved", "root-account-usage"); !slices.Equal(got, []string{"s4"}) {
		t.Errorf("a user's query of the same name: %v", got)
	}
	r := c.fails(2, "search", "--saved", "no-such-query")
	if !strings.Contains(r.stderr, "no-such-query") {
		t.Errorf("unknown saved query: %s", r)
	}
	c.fails(2, "search", "--saved", "console-logins", "user_type:Root")
}
