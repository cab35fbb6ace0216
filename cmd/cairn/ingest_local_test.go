package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// localEvent is a record a test writes and the row it must become.
type localEvent struct {
	rec  record
	want map[string]string // events column → value (fmt.Sprint of the JSON value)
}

// ctRecord builds a CloudTrail record; extra fields are merged in.
func ctRecord(id, name, region string, at time.Time, identity map[string]any, extra map[string]any) record {
	r := record{
		"eventVersion": "1.09", "eventTime": at.UTC().Format("2006-01-02T15:04:05Z"), "eventID": id,
		"eventName": name, "eventSource": "test.amazonaws.com", "awsRegion": region, "sourceIPAddress": "198.51.100.7",
		"userAgent": "cli-test", "eventType": "AwsApiCall", "userIdentity": identity,
	}
	for k, v := range extra {
		r[k] = v
	}
	return r
}

// localFixture is three log files (plain, gzip named .gz, gzip without
// the suffix) holding every kind of principal the normalizer names
// differently, and a hidden file that must be ignored.
func localFixture(t *testing.T, dir string) (files map[string][]localEvent) {
	t.Helper()
	at := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	ev := func(i int, rec record, user, typ, status, account string) localEvent {
		return localEvent{rec: rec, want: map[string]string{
			"event_id": rec["eventID"].(string), "event_name": rec["eventName"].(string), "user_name": user, "user_type": typ,
			"status": status, "account_id": account, "aws_region": rec["awsRegion"].(string),
			"t": at.Add(time.Duration(i) * time.Minute).Format("2006-01-02T15:04:05Z"),
		}}
	}
	files = map[string][]localEvent{
		filepath.Join(dir, "a.json"): {
			ev(0, ctRecord("evt-a1", "ListBuckets", "us-east-1", at, map[string]any{
				"type": "IAMUser", "principalId": "AIDAEXAMPLE1", "arn": "arn:aws:iam::111111111111:user/alice",
				"accountId": "111111111111", "userName": "alice"}, map[string]any{"recipientAccountId": "111111111111"}),
				"alice", "IAMUser", "Success", "111111111111"),
			ev(1, ctRecord("evt-a2", "RunInstances", "eu-west-1", at.Add(time.Minute), map[string]any{
				"type": "AssumedRole", "principalId": "AROAEXAMPLE:deploy-1", "accountId": "222222222222",
				"arn": "arn:aws:sts::222222222222:assumed-role/Deployer/deploy-1",
				"sessionContext": map[string]any{"sessionIssuer": map[string]any{"type": "Role", "userName": "Deployer",
					"arn": "arn:aws:iam::222222222222:role/Deployer", "accountId": "222222222222"}}},
				map[string]any{"recipientAccountId": "222222222222", "errorCode": "Client.UnauthorizedOperation",
					"errorMessage": "You are not authorized to perform this operation."}),
				"Deployer", "AssumedRole", "Failure", "222222222222"),
			// A failed sign-in has no errorCode: the outcome is in responseElements.
			ev(2, ctRecord("evt-a3", "ConsoleLogin", "us-east-1", at.Add(2*time.Minute), map[string]any{
				"type": "Root", "principalId": "111111111111", "arn": "arn:aws:iam::111111111111:root", "accountId": "111111111111"},
				map[string]any{"recipientAccountId": "111111111111", "errorMessage": "Failed authentication",
					"responseElements": map[string]any{"ConsoleLogin": "Failure"}}),
				"root", "Root", "Failure", "111111111111"),
		},
		filepath.Join(dir, "b.json.gz"): {
			ev(3, ctRecord("evt-b1", "AssumeRole", "ap-southeast-2", at.Add(3*time.Minute), map[string]any{
				"type": "AWSService", "invokedBy": "ec2.amazonaws.com"}, map[string]any{"recipientAccountId": "333333333333"}),
				"ec2.amazonaws.com", "AWSService", "Success", "333333333333"),
			// No recipientAccountId: the account comes from userIdentity.
			ev(4, ctRecord("evt-b2", "ListAccounts", "us-west-2", at.Add(4*time.Minute), map[string]any{
				"type": "IdentityCenterUser", "accountId": "444444444444",
				"onBehalfOf": map[string]any{"userId": "u-1234abcd", "identityStoreArn": "arn:aws:identitystore::444444444444:identitystore/d-1"}}, nil),
				"u-1234abcd", "IdentityCenterUser", "Success", "444444444444"),
		},
		filepath.Join(dir, "sub", "c.log"): {
			ev(5, ctRecord("evt-c1", "GetFederationToken", "us-east-2", at.Add(5*time.Minute), map[string]any{
				"type": "FederatedUser", "principalId": "555555555555:bob", "arn": "arn:aws:sts::555555555555:federated-user/bob",
				"accountId": "555555555555",
				"sessionContext": map[string]any{"sessionIssuer": map[string]any{"type": "IAMUser", "userName": "bob-issuer",
					"arn": "arn:aws:iam::555555555555:user/bob-issuer"}}}, map[string]any{"recipientAccountId": "555555555555"}),
				"bob-issuer", "FederatedUser", "Success", "555555555555"),
			ev(6, ctRecord("evt-c2", "DeleteBucket", "us-east-2", at.Add(6*time.Minute), map[string]any{
				"type": "IAMUser", "arn": "arn:aws:iam::555555555555:user/carol", "accountId": "555555555555", "userName": "carol"},
				map[string]any{"recipientAccountId": "555555555555", "errorCode": "AccessDenied", "errorMessage": "Access Denied"}),
				"carol", "IAMUser", "Failure", "555555555555"),
		},
	}
	for path, evs := range files {
		recs := make([]record, len(evs))
		for i, e := range evs {
			recs[i] = e.rec
		}
		body := logFile(t, recs...)
		if !strings.HasSuffix(path, ".json") {
			body = gzipBytes(t, body)
		}
		writeFile(t, path, body)
	}
	writeFile(t, filepath.Join(dir, ".hidden.json"), logFile(t, ctRecord("evt-hidden", "GetObject", "us-east-1", at, map[string]any{"type": "Root"}, nil)))
	return files
}

var summaryRE = regexp.MustCompile(`ingested (\d+) objects \((\d+) skipped as already ingested, (\d+) failed\): (\d+) events, (\d+) rejected records`)

// ingestSummary is the counts of ingest's last stderr line.
type ingestSummary struct{ objects, skipped, failed, events, rejected int }

func parseIngestSummary(t *testing.T, r result) ingestSummary {
	t.Helper()
	m := summaryRE.FindStringSubmatch(r.stderr)
	if m == nil {
		t.Fatalf("no ingest summary in the output\n%s", r)
	}
	n := make([]int, 5)
	for i := range n {
		n[i], _ = strconv.Atoi(m[i+1])
	}
	return ingestSummary{n[0], n[1], n[2], n[3], n[4]}
}

func TestIngestLocalDirectory(t *testing.T) {
	c := newCLI(t)
	dir := t.TempDir()
	files := localFixture(t, dir)
	var all []localEvent
	for _, evs := range files {
		all = append(all, evs...)
	}

	r := c.ok("ingest", dir)
	if got, want := parseIngestSummary(t, r), (ingestSummary{objects: 3, events: len(all)}); got != want {
		t.Fatalf("summary %+v, want %+v\n%s", got, want, r)
	}

	rows := c.query(`SELECT event_id, event_name, user_name, user_type, status, account_id, aws_region,
		strftime(time, '%Y-%m-%dT%H:%M:%SZ') AS t, s3_key, s3_bucket FROM events ORDER BY event_id`)
	if len(rows) != len(all) {
		t.Fatalf("%d events stored, want %d: %v", len(rows), len(all), rows)
	}
	byID := map[string]map[string]any{}
	for _, row := range rows {
		byID[fmt.Sprint(row["event_id"])] = row
	}
	for path, evs := range files {
		for _, e := range evs {
			row, ok := byID[e.want["event_id"]]
			if !ok {
				t.Errorf("event %s from %s not stored", e.want["event_id"], path)
				continue
			}
			for col, want := range e.want {
				if got := fmt.Sprint(row[col]); got != want {
					t.Errorf("event %s: %s = %q, want %q", e.want["event_id"], col, got, want)
				}
			}
			if row["s3_key"] != path || row["s3_bucket"] != nil {
				t.Errorf("event %s: provenance (%v, %v), want (nil, %s)", e.want["event_id"], row["s3_bucket"], row["s3_key"], path)
			}
		}
	}
	if _, ok := byID["evt-hidden"]; ok {
		t.Error("a hidden file was ingested")
	}

	// The ledger has one row per file, with its event count.
	ledger := c.query(`SELECT key, events, errors, kind, etag, CAST(ingested_at AS VARCHAR) AS at FROM objects ORDER BY key`)
	if len(ledger) != len(files) {
		t.Fatalf("objects ledger has %d rows, want %d: %v", len(ledger), len(files), ledger)
	}
	for _, o := range ledger {
		evs, ok := files[fmt.Sprint(o["key"])]
		if !ok {
			t.Errorf("ledger row for an unknown file: %v", o)
			continue
		}
		if fmt.Sprint(o["events"]) != strconv.Itoa(len(evs)) || fmt.Sprint(o["errors"]) != "0" || o["kind"] != "cloudtrail" {
			t.Errorf("ledger row %v: want %d events, 0 errors, kind cloudtrail", o, len(evs))
		}
	}

	// A re-run reads nothing again.
	r = c.ok("ingest", dir)
	if got, want := parseIngestSummary(t, r), (ingestSummary{skipped: 3}); got != want {
		t.Fatalf("re-run summary %+v, want %+v\n%s", got, want, r)
	}
	if again := c.query(`SELECT key, events, errors, kind, etag, CAST(ingested_at AS VARCHAR) AS at FROM objects ORDER BY key`); !slices.EqualFunc(ledger, again, mapsEqual) {
		t.Fatalf("the re-run changed the ledger:\nbefore %v\nafter  %v", ledger, again)
	}
	if n, d := c.count(`SELECT count(*) FROM events`), c.count(`SELECT count(DISTINCT event_id) FROM events`); n != int64(len(all)) || d != n {
		t.Fatalf("after the re-run: %d events, %d distinct, want %d", n, d, len(all))
	}

	// A new file is all a later run reads.
	at := time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)
	writeFile(t, filepath.Join(dir, "d.json"), logFile(t,
		ctRecord("evt-d1", "CreateUser", "us-east-1", at, map[string]any{"type": "IAMUser", "userName": "dave", "accountId": "111111111111"}, nil)))
	r = c.ok("ingest", dir)
	if got, want := parseIngestSummary(t, r), (ingestSummary{objects: 1, skipped: 3, events: 1}); got != want {
		t.Fatalf("third run summary %+v, want %+v\n%s", got, want, r)
	}
	if got := c.column(`SELECT user_name FROM events WHERE event_id = 'evt-d1'`, "user_name"); !slices.Equal(got, []string{"dave"}) {
		t.Fatalf("new file's event: %v", got)
	}
	if n, d := c.count(`SELECT count(*) FROM events`), c.count(`SELECT count(DISTINCT event_id) FROM events`); n != int64(len(all)+1) || d != n {
		t.Fatalf("after the new file: %d events, %d distinct, want %d", n, d, len(all)+1)
	}
}

func mapsEqual(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if fmt.Sprint(b[k]) != fmt.Sprint(v) {
			return false
		}
	}
	return true
}

// TestIngestLocalBadFiles checks that unreadable files fail the run (exit 1,
// naming ingest_errors) without keeping good files out, that each is
// recorded in ingest_errors with its path and reason, and that bad records
// inside a good file are rejected one by one.
func TestIngestLocalBadFiles(t *testing.T) {
	c := newCLI(t)
	dir := t.TempDir()
	at := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	id := map[string]any{"type": "IAMUser", "userName": "erin", "accountId": "111111111111"}
	good := writeFile(t, filepath.Join(dir, "good.json.gz"), gzipBytes(t, logFile(t,
		ctRecord("good-1", "GetObject", "us-east-1", at, id, nil), ctRecord("good-2", "PutObject", "us-east-1", at, id, nil))))
	valid := gzipBytes(t, logFile(t, ctRecord("fixed-1", "GetObject", "us-east-1", at, id, nil), ctRecord("fixed-2", "ListObjects", "us-east-1", at, id, nil)))
	truncated := writeFile(t, filepath.Join(dir, "truncated.json.gz"), valid[:len(valid)/2])
	notJSON := writeFile(t, filepath.Join(dir, "notes.json"), []byte("this is not a CloudTrail log file\n"))
	// One good file with two bad records: one without eventTime, one not an object.
	partial := writeFile(t, filepath.Join(dir, "partial.json"), []byte(`{"Records":[`+
		mustJSON(t, ctRecord("part-0", "GetObject", "us-east-1", at, id, nil))+`,`+
		`{"eventID":"part-1","eventName":"GetObject","userIdentity":{"type":"Root"}},`+
		mustJSON(t, ctRecord("part-2", "GetObject", "us-east-1", at, id, nil))+`,`+
		`"oops"]}`))

	r := c.fails(1, "ingest", dir)
	if got, want := parseIngestSummary(t, r), (ingestSummary{objects: 2, failed: 2, events: 4, rejected: 2}); got != want {
		t.Fatalf("summary %+v, want %+v\n%s", got, want, r)
	}
	if !strings.Contains(r.stderr, "2 objects failed") || !strings.Contains(r.stderr, "ingest_errors") {
		t.Fatalf("the error does not say how many objects failed and where to look\n%s", r)
	}
	for _, p := range []string{truncated, notJSON} {
		if !strings.Contains(r.stderr, p) {
			t.Errorf("the output does not name the failed file %s\n%s", p, r)
		}
	}

	ids := c.column(`SELECT event_id FROM events ORDER BY event_id`, "event_id")
	if want := []string{"good-1", "good-2", "part-0", "part-2"}; !slices.Equal(ids, want) {
		t.Fatalf("events %v, want %v", ids, want)
	}
	if keys := c.column(`SELECT key || ':' || events || ':' || errors AS k FROM objects ORDER BY key`, "k"); !slices.Equal(keys, []string{good + ":2:0", partial + ":2:2"}) {
		t.Fatalf("ledger %v: want only the readable files, with their event and error counts", keys)
	}

	errs := c.query(`SELECT key, bucket, reason, detail, record_index FROM ingest_errors ORDER BY key, record_index`)
	type errRow struct{ key, reason, index, detailHas string }
	want := []errRow{
		{notJSON, "corrupt", "-1", "unsupported format"},
		{partial, "bad_record", "1", "eventTime"},
		{partial, "bad_record", "3", "not a JSON object"},
		{truncated, "corrupt", "-1", "gzip"},
	}
	if len(errs) != len(want) {
		t.Fatalf("ingest_errors has %d rows, want %d: %v", len(errs), len(want), errs)
	}
	for i, w := range want {
		e := errs[i]
		if e["key"] != w.key || e["reason"] != w.reason || fmt.Sprint(e["record_index"]) != w.index || e["bucket"] != nil ||
			!strings.Contains(fmt.Sprint(e["detail"]), w.detailHas) {
			t.Errorf("ingest_errors row %d = %v, want key %s, reason %s, record_index %s, detail mentioning %q", i, e, w.key, w.reason, w.index, w.detailHas)
		}
	}

	// Failed files are not in the ledger, so a re-run tries them again;
	// the stored ones are skipped.
	r = c.fails(1, "ingest", dir)
	if got, want := parseIngestSummary(t, r), (ingestSummary{skipped: 2, failed: 2}); got != want {
		t.Fatalf("re-run summary %+v, want %+v\n%s", got, want, r)
	}
	// Once the files are repaired, the run succeeds and stores them.
	writeFile(t, truncated, valid)
	writeFile(t, notJSON, logFile(t, ctRecord("notes-1", "GetObject", "us-east-1", at, id, nil)))
	r = c.ok("ingest", dir)
	if got, want := parseIngestSummary(t, r), (ingestSummary{objects: 2, skipped: 2, events: 3}); got != want {
		t.Fatalf("run after the repair: summary %+v, want %+v\n%s", got, want, r)
	}
	if n, d := c.count(`SELECT count(*) FROM events`), c.count(`SELECT count(DISTINCT event_id) FROM events`); n != 7 || d != 7 {
		t.Fatalf("%d events (%d distinct), want 7", n, d)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestIngestUsage checks mistakes in the call are refused before anything is read.
func TestIngestUsage(t *testing.T) {
	c := newCLI(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.json"), logFile(t, ctRecord("u-1", "GetObject", "us-east-1", time.Now(), map[string]any{"type": "Root"}, nil)))
	c.fails(2, "ingest", dir, "--since", "2024-13-01")
	c.fails(2, "ingest", "s3:///prefix")
	c.fails(1, "ingest") // no path: cobra's argument check
	r := c.fails(1, "ingest", filepath.Join(dir, "missing"))
	if !strings.Contains(r.stderr, "missing") {
		t.Fatalf("the error does not name the missing path\n%s", r)
	}
}
