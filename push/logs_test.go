package push

import (
	"encoding/json"
	"strings"
	"testing"
)

func (e *env) logs(body string, headers map[string]string) (int, map[string]any) {
	e.t.Helper()
	h := map[string]string{"Authorization": "Bearer " + testToken, "Content-Type": "application/json"}
	for k, v := range headers {
		h[k] = v
	}
	st, hdr, b := e.post(PathLogs, []byte(body), h)
	if hdr.Get("Content-Type") != "application/json" {
		e.t.Fatalf("content type %q", hdr.Get("Content-Type"))
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		e.t.Fatalf("response %s: %v", b, err)
	}
	return st, out
}

const cloudTrailBody = `{\"eventVersion\":\"1.08\",\"eventTime\":\"2026-11-01T10:00:00Z\",\"eventSource\":\"signin.amazonaws.com\",\"eventName\":\"ConsoleLogin\",\"awsRegion\":\"us-east-1\",\"eventID\":\"ct-login-1\",\"userIdentity\":{\"type\":\"IAMUser\",\"userName\":\"alice\",\"accountId\":\"111122223333\"},\"responseElements\":{\"ConsoleLogin\":\"Failure\"}}`

const goodBatch = `{"logs":[
 {"timestamp":"2026-11-01T10:00:00.123Z","body":"user alice logged in","severity_text":"info","attributes":{"service.name":"auth","host":"h1"}},
 {"timestamp":1793527200000,"body":"disk full","severity_text":"ERROR","attributes":{"service":"api"}},
 {"timestamp":"2026-11-01T10:00:00Z","body":"` + cloudTrailBody + `","attributes":{"source":"aws-cloudtrail"}}
]}`

func TestLogsBatch(t *testing.T) {
	e := newEnv(t)
	st, out := e.logs(goodBatch, map[string]string{HeaderOrganization: "org-42"})
	if st != 200 || out["accepted"] != 3.0 || out["events"] != 3.0 || out["quarantined"] != 0.0 || out["duplicate_request"] != false ||
		!strings.HasPrefix(out["request_id"].(string), "sha256:") {
		t.Fatalf("%d %v", st, out)
	}
	rows := e.rows(`SELECT source, level, message, service, organization_id, event_name, user_name, status, time FROM events ORDER BY time, source`)
	if len(rows) != 3 {
		t.Fatalf("rows %v", rows)
	}
	app2, ct, app1 := rows[0], rows[1], rows[2]
	if ct[0] != "aws.cloudtrail" || ct[5] != "ConsoleLogin" || ct[6] != "alice" || ct[7] != "Failure" || ct[4] != "org-42" {
		t.Fatalf("CloudTrail event %v", ct)
	}
	if app1[0] != SourceApplication || app1[1] != "INFO" || app1[2] != "user alice logged in" || app1[3] != "auth" || app1[4] != "org-42" ||
		asTime(t, app1[8]).UnixMilli() != 1793527200123 {
		t.Fatalf("application event %v", app1)
	}
	if app2[1] != "ERROR" || app2[2] != "disk full" || app2[3] != "api" || asTime(t, app2[8]).UnixMilli() != 1793527200000 {
		t.Fatalf("application event %v", app2)
	}
	if n := e.count(`SELECT count(*) FROM push_requests WHERE endpoint = '/v1/logs' AND organization_id = 'org-42' AND records = 3 AND events = 3`); n != 1 {
		t.Fatalf("ledger %v", e.rows(`SELECT * FROM push_requests`))
	}
	// The raw entry is searchable JSON.
	if n := e.count(`SELECT count(*) FROM events WHERE raw->>'$.attributes.host' = 'h1'`); n != 1 {
		t.Fatal("raw entry not stored")
	}
}

func TestLogsAuth(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct{ name, auth, want string }{
		{"missing", "", "missing bearer token"},
		{"malformed", "Basic abc", "malformed Authorization"},
		{"wrong", "Bearer nope", "invalid token"},
		{"firehose key", "Bearer " + testKey, "invalid token"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := map[string]string{}
			if c.auth != "" {
				h["Authorization"] = c.auth
			}
			st, hdr, b := e.post(PathLogs, []byte(goodBatch), h)
			if st != 401 || !strings.Contains(string(b), c.want) || hdr.Get("WWW-Authenticate") == "" {
				t.Fatalf("%d %s", st, b)
			}
		})
	}
	if n := e.count(`SELECT count(*) FROM events`); n != 0 {
		t.Fatalf("%d events", n)
	}
}

func TestLogsShapeErrors(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct{ name, body, want string }{
		{"not json", `logs`, "the body"},
		{"no logs", `{"entries":[]}`, `no "logs" array`},
		{"logs not array", `{"logs":{}}`, "logs: want"},
		{"entry not object", `{"logs":[1]}`, "logs[0]: want an object"},
		{"no timestamp", `{"logs":[{"timestamp":1,"body":"a"},{"body":"b"}]}`, "logs[1].timestamp: missing"},
		{"bad timestamp", `{"logs":[{"timestamp":"yesterday","body":"a"}]}`, "logs[0].timestamp"},
		{"no body", `{"logs":[{"timestamp":1}]}`, "logs[0].body: missing"},
		{"severity", `{"logs":[{"timestamp":1,"body":"a","severity_text":3}]}`, "logs[0].severity_text"},
		{"attributes", `{"logs":[{"timestamp":1,"body":"a","attributes":[]}]}`, "logs[0].attributes: want an object"},
		{"trailing", `{"logs":[]}x`, "after the JSON body"},
	} {
		t.Run(c.name, func(t *testing.T) {
			st, out := e.logs(c.body, nil)
			if st != 400 || !strings.Contains(out["error"].(string), c.want) {
				t.Fatalf("%d %v, want 400 with %q", st, out, c.want)
			}
		})
	}
	st, out := e.logs(goodBatch, map[string]string{HeaderOrganization: "has space"})
	if st != 400 || !strings.Contains(out["error"].(string), HeaderOrganization) {
		t.Fatalf("%d %v", st, out)
	}
}

func TestLogsLimits(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Logs = Limits{MaxBody: 2 << 10, MaxDecoded: 16 << 10, MaxRecords: 2} })
	st, out := e.logs(`{"logs":[`+strings.Repeat(`{"timestamp":1,"body":"a"},`, 2)+`{"timestamp":1,"body":"a"}]}`, nil)
	if st != 413 || !strings.Contains(out["error"].(string), "more than 2 log entries") {
		t.Fatalf("%d %v", st, out)
	}
	st, out = e.logs(`{"logs":[{"timestamp":1,"body":"`+strings.Repeat("a", 4<<10)+`"}]}`, nil)
	if st != 413 || !strings.Contains(out["error"].(string), "request body exceeds") {
		t.Fatalf("%d %v", st, out)
	}
	bomb := gz(t, []byte(`{"logs":[{"timestamp":1,"body":"`+strings.Repeat("a", 64<<10)+`"}]}`))
	st, hdr, b := e.post(PathLogs, bomb, map[string]string{"Authorization": "Bearer " + testToken, "Content-Encoding": "gzip"})
	if st != 413 || !strings.Contains(string(b), "decompressed request body exceeds") || hdr.Get("Content-Type") != "application/json" {
		t.Fatalf("%d %s", st, b)
	}
}

func TestLogsIdempotent(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < 2; i++ {
		st, out := e.logs(goodBatch, nil)
		if st != 200 || out["duplicate_request"] != (i == 1) {
			t.Fatalf("attempt %d: %d %v", i, st, out)
		}
	}
	// The same entries, serialized differently, under another request ID:
	// the same event IDs, so nothing new is stored.
	reordered := `{"logs":[{"attributes":{"host":"h1","service.name":"auth"},"severity_text":"info","body":"user alice logged in","timestamp":"2026-11-01T10:00:00.123Z"}]}`
	st, out := e.logs(reordered, map[string]string{HeaderLogsRequest: "fwd-batch-7"})
	if st != 200 || out["request_id"] != "fwd-batch-7" || out["events"] != 0.0 || out["duplicate_events"] != 1.0 {
		t.Fatalf("%d %v", st, out)
	}
	if n := e.count(`SELECT count(*) FROM events`); n != 3 {
		t.Fatalf("%d events", n)
	}
	// Another organization's identical entry is its own event.
	st, out = e.logs(reordered, map[string]string{HeaderOrganization: "org-2"})
	if st != 200 || out["events"] != 1.0 {
		t.Fatalf("%d %v", st, out)
	}
}

func TestLogsBadEntryQuarantined(t *testing.T) {
	e := newEnv(t)
	body := `{"logs":[{"timestamp":1700000000,"body":"ok"},{"timestamp":1700000000,"body":"{\"eventName\":\"x\"}","attributes":{"source":"aws-cloudtrail"}}]}`
	st, out := e.logs(body, map[string]string{HeaderLogsRequest: "q-1"})
	if st != 200 || out["events"] != 1.0 || out["quarantined"] != 1.0 {
		t.Fatalf("%d %v", st, out)
	}
	rows := e.rows(`SELECT key, etag, record_index, reason, detail FROM ingest_errors`)
	if len(rows) != 1 || rows[0][0] != "v1/logs/q-1" || rows[0][1] != "q-1" || toInt(rows[0][2]) != 1 || rows[0][3] != "bad_record" ||
		!strings.Contains(rows[0][4].(string), "logs[1]: body is not a CloudTrail record") {
		t.Fatalf("ingest_errors %v", rows)
	}
}

func TestLogsStoreFailure(t *testing.T) {
	fs := &failingStore{failAt: "mark"}
	e := newEnv(t, func(o *Options) { o.Store = fs })
	fs.st = e.store
	st, out := e.logs(goodBatch, nil)
	if st != 500 || !strings.Contains(out["error"].(string), "retry later") {
		t.Fatalf("%d %v", st, out)
	}
	if n := e.count(`SELECT count(*) FROM events`); n != 0 {
		t.Fatalf("%d events after a failed commit", n)
	}
}
