package push

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
)

func TestFirehoseGoodRequest(t *testing.T) {
	e := newEnv(t)
	const id = "ed4acda5-034f-9f42-bba1-f29aea6d7d8f"
	body := delivery(id, 1578090901599, []byte("first line\n[ERROR] second line\n"), []byte("third"))
	st, hdr, b := e.firehose(PathFirehoseRaw, id, body, nil)
	wantFirehose(t, st, hdr, b, 200, id, "")
	rows := e.rows(`SELECT message, level, source, time, s3_key, record_index FROM events ORDER BY s3_key, record_index`)
	if len(rows) != 3 {
		t.Fatalf("rows %v", rows)
	}
	want := []struct {
		msg, level, key string
		idx             int64
	}{{"first line", "", "firehose/" + id + "/0", 0}, {"[ERROR] second line", "ERROR", "firehose/" + id + "/0", 1}, {"third", "", "firehose/" + id + "/1", 0}}
	for i, w := range want {
		r := rows[i]
		if r[0] != w.msg || (w.level == "" && r[1] != nil) || (w.level != "" && r[1] != w.level) || r[2] != SourceApplication ||
			!asTime(t, r[3]).Equal(time.UnixMilli(1578090901599)) || r[4] != w.key || toInt(r[5]) != w.idx {
			t.Fatalf("row %d: %v, want %+v", i, r, w)
		}
	}
	if n := e.count(`SELECT count(*) FROM push_requests WHERE endpoint = ? AND request_id = ? AND records = 2 AND events = 3 AND errors = 0`, PathFirehoseRaw, id); n != 1 {
		t.Fatalf("ledger rows %d", n)
	}
}

// AWS's own example request and responses, when the datasets are here.
func TestFirehoseAWSExample(t *testing.T) {
	const dir = "/work/shared/datasets/firehose-cwl/"
	body, err := os.ReadFile(dir + "awsdocs_firehose_http_request_example.json")
	if err != nil {
		t.Skip("datasets absent:", err)
	}
	e := newEnv(t)
	const id = "ed4acda5-034f-9f42-bba1-f29aea6d7d8f"
	st, hdr, b := e.firehose(PathFirehoseRaw, id, body, nil)
	wantFirehose(t, st, hdr, b, 200, id, "")
	if n := e.count(`SELECT count(*) FROM events WHERE message IN ('hello', 'hello world')`); n != 2 {
		t.Fatalf("%d events", n)
	}
}

func TestFirehoseAuth(t *testing.T) {
	e := newEnv(t)
	body := delivery("r1", 1, []byte("x"))
	for _, c := range []struct{ name, key, want string }{
		{"missing", "", "missing X-Amz-Firehose-Access-Key"},
		{"wrong", "not-the-key", "invalid X-Amz-Firehose-Access-Key"},
		{"api token", testToken, "invalid"},
	} {
		t.Run(c.name, func(t *testing.T) {
			st, hdr, b := e.post(PathFirehoseRaw, body, map[string]string{HeaderRequestID: "r1", HeaderAccessKey: c.key})
			wantFirehose(t, st, hdr, b, 401, "r1", c.want)
			if strings.Contains(string(b), testKey) {
				t.Fatal("the key is echoed")
			}
		})
	}
	if n := e.count(`SELECT count(*) FROM events`); n != 0 {
		t.Fatalf("%d events stored without a key", n)
	}
}

func TestFirehoseGzip(t *testing.T) {
	e := newEnv(t)
	// Content-Encoding gzip, and each record gzip'd by its producer.
	body := gz(t, delivery("gz1", 1700000000000, gz(t, []byte("a\nb\n")), []byte("c")))
	st, hdr, b := e.firehose(PathFirehoseRaw, "gz1", body, map[string]string{"Content-Encoding": "gzip"})
	wantFirehose(t, st, hdr, b, 200, "gz1", "")
	if n := e.count(`SELECT count(*) FROM events WHERE message IN ('a', 'b', 'c')`); n != 3 {
		t.Fatalf("%d events", n)
	}
	if n := e.count(`SELECT count(*) FROM push_requests WHERE bytes = ? AND raw_bytes = 5`, int64(len(body))); n != 1 {
		t.Fatalf("ledger sizes: %v", e.rows(`SELECT bytes, raw_bytes FROM push_requests`))
	}
}

func TestFirehoseMalformed(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		name, body, want string
		hdr              map[string]string
	}{
		{"not json", `hello`, "the body", nil},
		{"truncated", `{"requestId":"m","records":[{"data":"aGk="}`, "unexpected end", nil},
		{"no records", `{"requestId":"m","timestamp":1}`, `no "records"`, nil},
		{"records not array", `{"requestId":"m","records":{}}`, "records", nil},
		{"no data", `{"requestId":"m","records":[{}]}`, "records[0]: no data", nil},
		{"bad base64", `{"requestId":"m","records":[{"data":"!!"}]}`, "records[0].data: not base64", nil},
		{"bad timestamp", `{"requestId":"m","timestamp":"soon","records":[]}`, "timestamp", nil},
		{"id mismatch", `{"requestId":"other","records":[]}`, "differs", nil},
		{"trailing", `{"requestId":"m","records":[]} {}`, "after the JSON body", nil},
		{"bad gzip", `not gzip`, "gzip", map[string]string{"Content-Encoding": "gzip"}},
		{"bad format", `{"requestId":"m","records":[]}`, "format", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := PathFirehoseRaw
			if c.name == "bad format" {
				path += "?format=xml"
			}
			st, hdr, b := e.firehose(path, "m", []byte(c.body), c.hdr)
			wantFirehose(t, st, hdr, b, 400, "m", c.want)
		})
	}
	if n := e.count(`SELECT count(*) FROM push_requests`); n != 0 {
		t.Fatalf("%d requests recorded", n)
	}
	// Unsupported encodings are 415.
	st, hdr, b := e.firehose(PathFirehoseRaw, "m", []byte(`{}`), map[string]string{"Content-Encoding": "br"})
	wantFirehose(t, st, hdr, b, 415, "m", "br")
}

func TestFirehoseTooLarge(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Firehose = Limits{MaxBody: 4 << 10, MaxDecoded: 64 << 10, MaxRecords: 3} })
	big := bytes.Repeat([]byte("x"), 8<<10)
	bomb := gz(t, bytes.Repeat([]byte("y\n"), 1<<20)) // 2 MiB from ~2 KiB
	if len(bomb) > 4<<10 {
		t.Fatalf("bomb is %d bytes", len(bomb))
	}
	for _, c := range []struct {
		name string
		body []byte
		hdr  map[string]string
		want string
	}{
		{"body", delivery("big", 1, big), nil, "request body exceeds 4096 bytes"},
		{"gzip bomb body", gz(t, delivery("big", 1, bytes.Repeat(big, 3), bytes.Repeat(big, 3), bytes.Repeat(big, 3))), map[string]string{"Content-Encoding": "gzip"}, "decompressed request body exceeds"},
		{"gzip bomb record", delivery("big", 1, bomb), nil, "record 0"},
		{"records", delivery("big", 1, []byte("a"), []byte("b"), []byte("c"), []byte("d")), nil, "more than 3 records"},
	} {
		t.Run(c.name, func(t *testing.T) {
			st, hdr, b := e.firehose(PathFirehoseRaw, "big", c.body, c.hdr)
			wantFirehose(t, st, hdr, b, 413, "big", c.want)
		})
	}
	if n := e.count(`SELECT count(*) FROM events`); n != 0 {
		t.Fatalf("%d events stored", n)
	}
}

func TestFirehoseRetryStoredOnce(t *testing.T) {
	e := newEnv(t)
	body := delivery("again", 1700000000000, []byte("one\ntwo"))
	for i := 0; i < 3; i++ {
		st, hdr, b := e.firehose(PathFirehoseRaw, "again", body, nil)
		wantFirehose(t, st, hdr, b, 200, "again", "")
	}
	if n := e.count(`SELECT count(*) FROM events`); n != 2 {
		t.Fatalf("%d events after 3 deliveries of one request", n)
	}
	if n := e.count(`SELECT count(*) FROM push_requests`); n != 1 {
		t.Fatalf("%d ledger rows", n)
	}
}

func TestFirehoseStoreFailure(t *testing.T) {
	for _, at := range []string{"begin", "append", "reject", "mark", "commit"} {
		t.Run(at, func(t *testing.T) {
			fs := &failingStore{failAt: at}
			e := newEnv(t, func(o *Options) { o.Store = fs })
			fs.st = e.store
			body := delivery("sf", 1700000000000, []byte("one\ntwo"), []byte{0x1f, 0x8b, 0, 1, 2})
			st, hdr, b := e.firehose(PathFirehoseRaw+"?format=json", "sf", body, nil)
			wantFirehose(t, st, hdr, b, 500, "sf", "injected")
			for _, q := range []string{`SELECT count(*) FROM events`, `SELECT count(*) FROM ingest_errors`, `SELECT count(*) FROM push_requests`} {
				if n := e.count(q); n != 0 {
					t.Fatalf("%s: %d after a failed commit", q, n)
				}
			}
			// Firehose retries; the store works again.
			fs.failAt = ""
			st, hdr, b = e.firehose(PathFirehoseRaw+"?format=json", "sf", body, nil)
			wantFirehose(t, st, hdr, b, 200, "sf", "")
			if n := e.count(`SELECT count(*) FROM events`) + 10*e.count(`SELECT count(*) FROM ingest_errors`); n != 12 {
				t.Fatalf("%d events + 10 × ingest errors after the retry, want 2 + 10", n)
			}
		})
	}
}

func TestFirehoseBadRecordsQuarantined(t *testing.T) {
	e := newEnv(t)
	body := delivery("q1", 1700000000000,
		[]byte(`{"time":"2026-11-01T00:00:00Z","level":"warning","msg":"disk low","service":"api"}`+"\n"+`2026-11-02T00:00:00Z [ERROR] a text line`),
		[]byte{0x1f, 0x8b, 0, 1, 2}, // a gzip header, then garbage
		[]byte(`{"message":"fine"}`))
	st, hdr, b := e.firehose(PathFirehoseRaw+"?format=json", "q1", body, nil)
	wantFirehose(t, st, hdr, b, 200, "q1", "")
	rows := e.rows(`SELECT message, level, service, time FROM events ORDER BY time, message`)
	if len(rows) != 3 || rows[0][0] != "fine" || !asTime(t, rows[0][3]).Equal(time.UnixMilli(1700000000000)) ||
		rows[1][0] != "disk low" || rows[1][1] != "WARN" || rows[1][2] != "api" || !asTime(t, rows[1][3]).Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) ||
		rows[2][1] != "ERROR" || !asTime(t, rows[2][3]).Equal(time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("events %v", rows)
	}
	errs := e.rows(`SELECT key, etag, record_index, reason, detail FROM ingest_errors`)
	if len(errs) != 1 || errs[0][0] != "firehose/q1/1" || errs[0][1] != "q1" || toInt(errs[0][2]) != -1 || errs[0][3] != "gzip" ||
		!strings.Contains(errs[0][4].(string), "Firehose request q1 record 1") {
		t.Fatalf("ingest_errors %v", errs)
	}
	if n := e.count(`SELECT count(*) FROM push_requests WHERE records = 3 AND events = 3 AND errors = 1`); n != 1 {
		t.Fatalf("ledger %v", e.rows(`SELECT * FROM push_requests`))
	}
}

func TestFirehoseRawCloudTrail(t *testing.T) {
	e := newEnv(t)
	rec := `{"eventVersion":"1.08","eventTime":"2026-11-01T10:00:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser","awsRegion":"us-east-1","eventID":"ct-1","userIdentity":{"type":"Root","accountId":"111122223333"},"recipientAccountId":"111122223333"}`
	body := delivery("ct", 1700000000000, []byte(rec+"\n"+`{"eventTime":"2026-11-01T10:00:00Z"}`))
	st, hdr, b := e.firehose(PathFirehoseRaw+"?format=cloudtrail", "ct", body, nil)
	wantFirehose(t, st, hdr, b, 200, "ct", "")
	if n := e.count(`SELECT count(*) FROM events WHERE source = 'aws.cloudtrail' AND event_name = 'CreateUser' AND event_id = 'ct-1'`); n != 1 {
		t.Fatal("CloudTrail record not stored")
	}
	if n := e.count(`SELECT count(*) FROM ingest_errors WHERE detail LIKE '%no eventName%'`); n != 1 {
		t.Fatalf("errors %v", e.rows(`SELECT detail FROM ingest_errors`))
	}
}

// The cwlogs route decodes through Options.CWLogs; its errors quarantine
// the record, and the events it emitted before failing are dropped.
func TestFirehoseCWLogsDecoderErrors(t *testing.T) {
	calls := 0
	dec := func(ctx context.Context, data []byte, ref cairn.ObjectRef, out cairn.Emitter) error {
		calls++
		out.Emit(&cairn.Event{Time: ref.EventTime, Source: "test", Message: string(data), Raw: []byte(`{}`)})
		if string(data) == "fail" {
			return cairn.Corruptf("not a subscription message")
		}
		return nil
	}
	e := newEnv(t, func(o *Options) { o.CWLogs = dec })
	body := delivery("cw", 1700000000000, []byte("ok"), []byte("fail"), gz(t, []byte("zipped")))
	st, hdr, b := e.firehose(PathFirehoseCWLogs, "cw", body, nil)
	wantFirehose(t, st, hdr, b, 200, "cw", "")
	if calls != 3 {
		t.Fatalf("%d decoder calls", calls)
	}
	rows := e.rows(`SELECT message FROM events ORDER BY message`)
	if len(rows) != 2 || rows[0][0] != "ok" || rows[1][0] != "zipped" {
		t.Fatalf("events %v", rows)
	}
	if n := e.count(`SELECT count(*) FROM ingest_errors WHERE key = 'firehose/cw/1' AND reason = 'bad_record'`); n != 1 {
		t.Fatalf("errors %v", e.rows(`SELECT * FROM ingest_errors`))
	}
	// A retry of a committed request is answered without decoding it.
	st, hdr, b = e.firehose(PathFirehoseCWLogs, "cw", body, nil)
	wantFirehose(t, st, hdr, b, 200, "cw", "")
	if calls != 3 {
		t.Fatalf("%d decoder calls after the retry", calls)
	}
}

func TestParseFirehoseTimestampString(t *testing.T) {
	// AWS's failure example writes the timestamp as a string; accept both.
	req, err := parseFirehose(strings.NewReader(`{"requestId":"a","timestamp":"1578090903599","records":[{"data":"`+
		base64.StdEncoding.EncodeToString([]byte("x"))+`"}],"extra":[1,{"b":2}]}`), 10)
	if err != nil || !req.Timestamp.Equal(time.UnixMilli(1578090903599)) || len(req.Records) != 1 || string(req.Records[0]) != "x" {
		t.Fatalf("%+v %v", req, err)
	}
}

// Events stream into the transaction record by record: a request whose
// events take more memory than max_decoded in all (many short lines) is
// stored; the bound applies to one record's events.
func TestFirehoseManyShortLines(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Firehose = Limits{MaxBody: 1 << 20, MaxDecoded: 8 << 20, MaxRecords: 10000} })
	var recs [][]byte
	for r := 0; r < 100; r++ {
		var sb strings.Builder
		for i := 0; i < 300; i++ {
			fmt.Fprintf(&sb, "r%d line %d\n", r, i)
		}
		recs = append(recs, []byte(sb.String()))
	}
	st, hdr, b := e.firehose(PathFirehoseRaw, "many", delivery("many", 1700000000000, recs...), nil)
	wantFirehose(t, st, hdr, b, 200, "many", "")
	if n := e.count(`SELECT count(*) FROM events`); n != 30000 {
		t.Fatalf("%d events", n)
	}
}
