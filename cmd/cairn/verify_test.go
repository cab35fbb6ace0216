package main

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cairn-sec/cairn/cloudtrailapi/cloudtrailtest"
	"github.com/cairn-sec/cairn/digest"
	"github.com/cairn-sec/cairn/digest/digesttest"
	"github.com/cairn-sec/cairn/emulator"
	"github.com/cairn-sec/cairn/emulator/emutest"
)

func TestVerifyUsage(t *testing.T) {
	c := newCLI(t)
	junk := writeFile(t, filepath.Join(c.work, "junk.pem"), []byte("hello"))
	for _, args := range [][]string{
		{"verify"},
		{"verify", "s3://a", "s3://b"},
		{"verify", "bucket/prefix"},
		{"verify", "s3://"},
		{"verify", "s3://b", "--format", "xml"},
		{"verify", "s3://b", "--from", "yesterday"},
		{"verify", "s3://b", "--from", "2024-03-02", "--to", "2024-03-01"},
		{"verify", "s3://b", "--public-key", filepath.Join(c.work, "missing.pem")},
		{"verify", "s3://b", "--public-key", junk},
	} {
		c.fails(2, args...)
	}
}

func TestParseVerifyTime(t *testing.T) {
	for _, tc := range []struct {
		in    string
		upper bool
		want  time.Time
	}{
		{"", false, time.Time{}},
		{"2024-03-01", false, time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)},
		{"2024-03-01", true, time.Date(2024, 3, 1, 23, 59, 59, 0, time.UTC)},
		{"2024-03-01T10:30", true, time.Date(2024, 3, 1, 10, 30, 0, 0, time.UTC)},
		{"2024-03-01T10:30:00+02:00", false, time.Date(2024, 3, 1, 8, 30, 0, 0, time.UTC)},
	} {
		got, err := parseVerifyTime(tc.in, tc.upper)
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("parseVerifyTime(%q, %v) = %v, %v; want %v", tc.in, tc.upper, got, err, tc.want)
		}
	}
}

func putObjectMeta(t *testing.T, e *emulator.Emulator, bucket, key string, body []byte, meta map[string]string) {
	t.Helper()
	_, err := s3Client(e).PutObject(awsCtx(t), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
		Body: strings.NewReader(string(body)), Metadata: meta})
	if err != nil {
		t.Fatalf("put s3://%s/%s: %v", bucket, key, err)
	}
}

func deleteObject(t *testing.T, e *emulator.Emulator, bucket, key string) {
	t.Helper()
	if _, err := s3Client(e).DeleteObject(awsCtx(t), &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}); err != nil {
		t.Fatalf("delete s3://%s/%s: %v", bucket, key, err)
	}
}

// TestVerifyS3Emulator signs a digest chain into the emulator's S3 (with
// x-amz-meta-signature metadata), verifies it clean, then tampers with
// it and checks the report and exit code.
func TestVerifyS3Emulator(t *testing.T) {
	emu := emutest.Start(t)
	c := newCLI(t)
	const bucket, acct = "trail-verify", "123456789012"
	createBucket(t, emu, bucket)
	key, other := digesttest.NewKey(t), digesttest.NewKey(t)
	tr := &digesttest.Trail{Bucket: bucket, Prefix: "ct/", Account: acct, Region: "us-east-1", Name: "main", Key: key,
		Put: func(k string, body []byte, meta map[string]string) { putObjectMeta(t, emu, bucket, k, body, meta) }}
	hour0 := time.Date(2024, 5, 1, 0, 1, 31, 0, time.UTC)
	var digests []string
	var logs [][]string
	for i := range 4 {
		end := hour0.Add(time.Duration(i+1) * time.Hour)
		l := []string{tr.LogFile(end.Add(-50 * time.Minute)), tr.LogFile(end.Add(-20 * time.Minute))}
		logs = append(logs, l)
		digests = append(digests, tr.Digest(end, nil, l...))
	}
	pemFile := writeFile(t, filepath.Join(c.work, "keys.pem"), key.PEM())
	listFile := writeFile(t, filepath.Join(c.work, "keys.json"), digesttest.ListPublicKeysJSON(other, key))
	otherFile := writeFile(t, filepath.Join(c.work, "other.pem"), other.PEM())
	verify := func(args ...string) []string {
		return append([]string{"verify", "s3://" + bucket + "/ct/", "--endpoint-url", emu.Endpoint, "--region", "us-east-1"}, args...)
	}
	report := func(r result) digest.Report {
		t.Helper()
		var rep digest.Report
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
			t.Fatalf("report is not JSON: %v\n%s", err, r)
		}
		return rep
	}

	// Clean, with a PEM key: the whole table.
	r := c.ok(verify("--public-key", pemFile)...)
	wantTable := `s3://trail-verify/ct/, log files delivered all time

ACCOUNT       REGION     TRAILS  DIGESTS OK  LOG FILES OK  MISSING  MODIFIED  UNLISTED  GAPS  DIGESTED                               STATUS
123456789012  us-east-1  main    4/4         8/8           0        0         0         0     2024-05-01T00:01Z – 2024-05-01T04:01Z  ok

OK: 0 error(s), 0 warning(s), 0 log file(s) awaiting their digest
`
	if r.stdout != wantTable {
		t.Fatalf("table:\n%s\nwant:\n%s", r.stdout, wantTable)
	}
	// Clean, with list-public-keys JSON, as JSON.
	rep := report(c.ok(verify("--public-key", listFile, "--format", "json")...))
	if g := rep.Groups; !rep.OK || len(g) != 1 || g[0].Account != acct || g[0].Base != "ct/" || g[0].ValidDigests != 4 ||
		g[0].ValidLogFiles != 8 || len(g[0].Problems) != 0 {
		t.Fatalf("clean JSON report: %+v", rep)
	}
	// Without --public-key the keys come from CloudTrail ListPublicKeys in
	// the digests' region: a CloudTrail double in front of the emulator.
	ct := &cloudtrailtest.Server{Next: httputil.NewSingleHostReverseProxy(mustURL(t, emu.Endpoint))}
	ct.AddKey("us-east-1", cloudtrailtest.Key{DER: x509.MarshalPKCS1PublicKey(&key.Private.PublicKey), Fingerprint: key.Fingerprint,
		Start: hour0.AddDate(0, -1, 0), End: hour0.AddDate(0, 1, 0)})
	ct.AddKey("eu-west-1", cloudtrailtest.Key{DER: x509.MarshalPKCS1PublicKey(&other.Private.PublicKey), Fingerprint: other.Fingerprint,
		Start: hour0.AddDate(0, -1, 0), End: hour0.AddDate(0, 1, 0)})
	front := httptest.NewServer(ct)
	defer front.Close()
	c.ok("verify", "s3://"+bucket+"/ct/", "--endpoint-url", front.URL, "--region", "eu-west-1")
	if calls := ct.Calls(); len(calls) != 1 || calls[0].Region != "us-east-1" || calls[0].StartTime == nil || calls[0].EndTime == nil ||
		*calls[0].StartTime > float64(hour0.Unix()) || *calls[0].EndTime < float64(hour0.Add(4*time.Hour).Unix()) {
		t.Fatalf("ListPublicKeys calls %+v: want one, in the digests' region, spanning them", calls)
	}

	// The wrong key: every digest is invalid.
	rep = report(c.fails(1, verify("--public-key", otherFile, "--format", "json")...))
	if g := rep.Groups[0]; rep.OK || g.ValidDigests != 0 || g.Count(digest.InvalidDigest) != 4 ||
		!strings.Contains(g.Problems[0].Detail, "no public key with fingerprint "+key.Fingerprint) {
		t.Fatalf("wrong key: %+v", rep)
	}

	// Tamper: modify one log file, delete another, add an unlisted one,
	// delete a digest (its log files become unlisted, the chain dangles).
	putObjectMeta(t, emu, bucket, logs[0][0], gzipBytes(t, []byte(`{"Records":[]}`)), nil)
	deleteObject(t, emu, bucket, logs[1][0])
	extra := tr.LogFile(hour0.Add(90 * time.Minute))
	deleteObject(t, emu, bucket, digests[2])
	r = c.fails(1, verify("--public-key", pemFile, "--format", "json")...)
	rep = report(r)
	var got []string
	for _, p := range rep.Groups[0].Problems {
		got = append(got, fmt.Sprintf("%s %s", p.Kind, p.Key))
	}
	want := []string{
		"modified-log " + logs[0][0], "missing-log " + logs[1][0], "missing-digest " + digests[2],
		"unlisted-log " + logs[2][0], "unlisted-log " + logs[2][1], "unlisted-log " + extra,
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(r.stderr, "verification failed: 6 problem(s)") {
		t.Fatalf("stderr: %s", r.stderr)
	}
	// The table names each problem and the verdict.
	r = c.fails(1, verify("--public-key", pemFile)...)
	for _, s := range []string{
		"123456789012  us-east-1  main    3/3         4/6           1        1         3         1",
		"error     modified-log    s3://trail-verify/" + logs[0][0],
		"error     missing-digest  s3://trail-verify/" + digests[2],
		"FAILED: 6 error(s), 0 warning(s)",
	} {
		if !strings.Contains(r.stdout, s) {
			t.Fatalf("table lacks %q:\n%s", s, r.stdout)
		}
	}
	// Nothing to verify is a failure, not a pass.
	r = c.fails(1, append(verify("--public-key", pemFile), "--from", "2030-01-01")...)
	if !strings.Contains(r.stderr, "nothing verified") {
		t.Fatalf("empty range: %s", r)
	}
	// A range after the damage is clean: the dangling link points before it.
	c.ok(verify("--public-key", pemFile, "--from", "2024-05-01T03:05", "--to", "2024-05-01T04:00")...)
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
