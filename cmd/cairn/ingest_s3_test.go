package main

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/cairn-sec/cairn/emulator/emutest"
)

// s3Fixture is what a test uploaded: per day (YYYY-MM-DD), the event IDs
// and keys of that day's log files.
type s3Fixture struct {
	ids  map[string][]string
	keys map[string][]string
}

// trailKey is a CloudTrail log file key:
// AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<rand>.json.gz
func trailKey(prefix, kind, acct, region string, at time.Time, rnd *rand.Rand) string {
	const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	tail := make([]byte, 16)
	for i := range tail {
		tail[i] = letters[rnd.IntN(len(letters))]
	}
	return fmt.Sprintf("%sAWSLogs/%s/%s/%s/%s/%s_%s_%s_%s_%s.json.gz", prefix, acct, kind, region, at.Format("2006/01/02"),
		acct, kind, region, at.Format("20060102T1504Z"), tail)
}

// uploadTrail writes, for each day, one gzip log file per region with
// three records each, plus a digest file on the first day.
func uploadTrail(t *testing.T, put func(key string, body []byte), days []time.Time) s3Fixture {
	t.Helper()
	const acct = "123456789012"
	rnd := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	fx := s3Fixture{ids: map[string][]string{}, keys: map[string][]string{}}
	for _, day := range days {
		d := day.Format("2006-01-02")
		for _, region := range []string{"us-east-1", "eu-west-1"} {
			at := day.Add(10*time.Hour + 5*time.Minute)
			var recs []record
			for i := range 3 {
				id := fmt.Sprintf("%s-%s-%d", d, region, i)
				recs = append(recs, ctRecord(id, "DescribeInstances", region, at.Add(-time.Duration(i)*time.Minute),
					map[string]any{"type": "IAMUser", "userName": "ops", "accountId": acct}, map[string]any{"recipientAccountId": acct}))
				fx.ids[d] = append(fx.ids[d], id)
			}
			key := trailKey("", "CloudTrail", acct, region, at, rnd)
			put(key, gzipBytes(t, logFile(t, recs...)))
			fx.keys[d] = append(fx.keys[d], key)
		}
	}
	// A digest is recorded in the ledger but has no events.
	key := trailKey("", "CloudTrail-Digest", acct, "us-east-1", days[0].Add(11*time.Hour), rnd)
	put(key, gzipBytes(t, []byte(`{"awsAccountId":"`+acct+`","logFiles":[]}`)))
	fx.keys[days[0].Format("2006-01-02")] = append(fx.keys[days[0].Format("2006-01-02")], key)
	return fx
}

func (fx s3Fixture) pick(days ...string) (ids, keys []string) {
	for _, d := range days {
		ids = append(ids, fx.ids[d]...)
		keys = append(keys, fx.keys[d]...)
	}
	sort.Strings(ids)
	sort.Strings(keys)
	return ids, keys
}

// TestIngestS3DateRange backfills an S3 prefix in date slices with
// --since/--until and checks each run stores exactly the selected days.
func TestIngestS3DateRange(t *testing.T) {
	emu := emutest.Start(t)
	c := newCLI(t)
	const bucket = "trail-backfill"
	createBucket(t, emu, bucket)
	day := func(m time.Month, d int) time.Time { return time.Date(2024, m, d, 0, 0, 0, 0, time.UTC) }
	// Across a month end and a leap day.
	days := []time.Time{day(2, 28), day(2, 27), day(2, 29), day(3, 1), day(3, 2)}
	fx := uploadTrail(t, func(key string, body []byte) { putObject(t, emu, bucket, key, body) }, days)
	// Outside the prefix the runs name: never listed by them.
	outside := "archive/" + fx.keys["2024-02-29"][0]
	putObject(t, emu, bucket, outside, gzipBytes(t, logFile(t, ctRecord("outside-1", "GetObject", "us-east-1", days[2],
		map[string]any{"type": "Root"}, nil))))

	aws := []string{"--endpoint-url", emu.Endpoint, "--region", "us-east-1"}
	ingest := func(args ...string) ingestSummary {
		t.Helper()
		return parseIngestSummary(t, c.ok(append(append([]string{"ingest"}, args...), aws...)...))
	}
	check := func(step string, days ...string) {
		t.Helper()
		wantIDs, wantKeys := fx.pick(days...)
		if ids := c.column(`SELECT event_id FROM events ORDER BY event_id`, "event_id"); !slices.Equal(ids, wantIDs) {
			t.Fatalf("%s: events\n%v\nwant those of %v:\n%v", step, ids, days, wantIDs)
		}
		if keys := c.column(`SELECT key FROM objects ORDER BY key`, "key"); !slices.Equal(keys, wantKeys) {
			t.Fatalf("%s: ledger keys\n%v\nwant\n%v", step, keys, wantKeys)
		}
		if bad := c.count(`SELECT count(*) FROM events WHERE s3_bucket IS DISTINCT FROM '` + bucket + `' OR s3_key NOT LIKE 'AWSLogs/%'`); bad != 0 {
			t.Fatalf("%s: %d events with the wrong provenance", step, bad)
		}
	}

	// Both bounds are inclusive.
	s := ingest("s3://"+bucket+"/AWSLogs/", "--since", "2024-02-28", "--until", "2024-03-01")
	if want := (ingestSummary{objects: 7, events: 18}); s != want { // 3 days × 2 files, the digest; 3 × 2 × 3 events
		t.Fatalf("first slice: summary %+v, want %+v", s, want)
	}
	check("--since 2024-02-28 --until 2024-03-01", "2024-02-28", "2024-02-29", "2024-03-01")
	if n := c.count(`SELECT count(*) FROM objects WHERE kind = 'cloudtrail-digest' AND events = 0`); n != 1 {
		t.Fatalf("digest ledger rows: %d, want 1", n)
	}

	s = ingest("s3://"+bucket+"/AWSLogs/", "--until", "2024-02-27")
	if want := (ingestSummary{objects: 2, events: 6}); s != want {
		t.Fatalf("--until: summary %+v, want %+v", s, want)
	}
	check("--until 2024-02-27", "2024-02-27", "2024-02-28", "2024-02-29", "2024-03-01")

	s = ingest("s3://"+bucket+"/AWSLogs/123456789012/CloudTrail/", "--since", "2024-03-02")
	if want := (ingestSummary{objects: 2, events: 6}); s != want {
		t.Fatalf("--since: summary %+v, want %+v", s, want)
	}
	all := []string{"2024-02-27", "2024-02-28", "2024-02-29", "2024-03-01", "2024-03-02"}
	check("--since 2024-03-02", all...)

	// The whole prefix again: everything is skipped, nothing is doubled.
	s = ingest("s3://" + bucket + "/AWSLogs/")
	if want := (ingestSummary{skipped: 11}); s != want {
		t.Fatalf("full re-run: summary %+v, want %+v", s, want)
	}
	check("full re-run", all...)

	// Without a prefix the whole bucket is read, the archive copy too.
	s = ingest("s3://" + bucket)
	if want := (ingestSummary{objects: 1, skipped: 11, events: 1}); s != want {
		t.Fatalf("whole bucket: summary %+v, want %+v", s, want)
	}
	if n := c.count(`SELECT count(*) FROM events WHERE event_id = 'outside-1' AND s3_key = '` + outside + `'`); n != 1 {
		t.Fatalf("the object outside the prefix: %d events, want 1", n)
	}
	if n, d := c.count(`SELECT count(*) FROM events`), c.count(`SELECT count(DISTINCT event_id) FROM events`); n != 31 || d != n {
		t.Fatalf("%d events, %d distinct, want 31", n, d)
	}
}
