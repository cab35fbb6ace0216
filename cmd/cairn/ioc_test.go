package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/alertout"
)

// hookReceiver is a webhook endpoint checking Cairn's signature.
type hookReceiver struct {
	mu     sync.Mutex
	secret string
	alerts map[string]int // alert ID → deliveries
	byID   map[string]cairn.Alert
	bad    []string
}

func newHookReceiver(t *testing.T, secret string) (*hookReceiver, *httptest.Server) {
	h := &hookReceiver{secret: secret, alerts: map[string]int{}, byID: map[string]cairn.Alert{}}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return h, srv
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := alertout.Verify(h.secret, r.Header, body, time.Now(), 5*time.Minute); err != nil {
		h.bad = append(h.bad, err.Error())
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	var p struct {
		Alert cairn.Alert `json:"alert"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		h.bad = append(h.bad, err.Error())
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	h.alerts[p.Alert.ID]++
	h.byID[p.Alert.ID] = p.Alert
}

func (h *hookReceiver) snapshot() (map[string]int, map[string]cairn.Alert, []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	a, b := map[string]int{}, map[string]cairn.Alert{}
	for k, v := range h.alerts {
		a[k] = v
		b[k] = h.byID[k]
	}
	return a, b, append([]string(nil), h.bad...)
}

// iocAlertRows are the ioc alerts stored: group → "rule count field".
func iocAlertRows(t *testing.T, c *cli) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, row := range c.query(`SELECT group_key, rule_id, count, json_extract_string(fields, '$.field') AS field FROM alerts WHERE kind = 'ioc'`) {
		out[fmt.Sprint(row["group_key"])] = fmt.Sprintf("%v %v %v", row["rule_id"], row["count"], row["field"])
	}
	return out
}

// cairn ingest with IOC lists (plain, CSV, STIX) stores an ioc alert in
// the same run as the events, and the webhook output receives each alert
// once, signed; ingesting the same files again changes nothing.
func TestIngestIOCAlertsAndOutputs(t *testing.T) {
	c := newCLI(t)
	hook, srv := newHookReceiver(t, "hook-secret")
	lists := t.TempDir()
	writeFile(t, filepath.Join(lists, "bad-ips.txt"), []byte("# scanners\n203.0.113.0/24\n"))
	writeFile(t, filepath.Join(lists, "keys.csv"), []byte("indicator,type,source,description\nAKIAIOSFODNN7EXAMPLE,,leak-tracker,key on pastebin\n"))
	writeFile(t, filepath.Join(lists, "cti.json"), []byte(`{"type":"bundle","id":"bundle--1","objects":[
		{"type":"indicator","id":"indicator--1","name":"Rogue partner","pattern":"[user-account:user_id = '999988887777']","pattern_type":"stix"}]}`))
	writeFile(t, filepath.Join(c.work, "cairn.yaml"), []byte(fmt.Sprintf(`
ioc:
  lists:
    - {name: scanners, path: %s}
    - {name: leaked-keys, path: %s, severity: critical}
    - {name: cti, path: %s, format: stix}
outputs:
  - {name: soc, type: webhook, url: %q, secret_env: TEST_HOOK_SECRET, min_severity: high}
  - {type: log}
`, filepath.Join(lists, "bad-ips.txt"), filepath.Join(lists, "keys.csv"), filepath.Join(lists, "cti.json"), srv.URL+"/hook?token=t0ps3cret")))
	c.setenv("TEST_HOOK_SECRET", "hook-secret")

	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	user := map[string]any{"type": "IAMUser", "arn": "arn:aws:iam::111111111111:user/alice", "accountId": "111111111111", "userName": "alice"}
	scan1 := ctRecord("ioc-1", "ListBuckets", "us-east-1", at, user, map[string]any{"sourceIPAddress": "203.0.113.9"})
	scan2 := ctRecord("ioc-2", "ListUsers", "us-east-1", at.Add(time.Minute), user, map[string]any{"sourceIPAddress": "203.0.113.10"})
	leaked := ctRecord("ioc-3", "GetCallerIdentity", "us-east-1", at, map[string]any{"type": "IAMUser", "arn": "arn:aws:iam::111111111111:user/bob",
		"accountId": "111111111111", "accessKeyId": "AKIAIOSFODNN7EXAMPLE", "userName": "bob"}, nil)
	partner := ctRecord("ioc-4", "AssumeRole", "us-east-1", at, map[string]any{"type": "AssumedRole",
		"arn": "arn:aws:sts::999988887777:assumed-role/Vendor/x", "accountId": "999988887777"}, map[string]any{"recipientAccountId": "111111111111"})
	clean := ctRecord("ioc-5", "ListBuckets", "us-east-1", at, user, map[string]any{"recipientAccountId": "999988887777"})
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.json"), logFile(t, scan1, leaked, clean))
	writeFile(t, filepath.Join(dir, "b.json.gz"), gzipBytes(t, logFile(t, scan2, partner)))

	r := c.ok("ingest", dir)
	if strings.Contains(r.stderr, "t0ps3cret") || strings.Contains(r.stderr, "hook-secret") {
		t.Errorf("a secret was logged:\n%s", r.stderr)
	}
	want := map[string]string{
		"cidr|203.0.113.0/24":                "scanners 2 source_ip",
		"access_key_id|AKIAIOSFODNN7EXAMPLE": "leaked-keys 1 access_key_id",
		"account_id|999988887777":            "cti 1 user_arn.account_id",
	}
	got := iocAlertRows(t, c)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("ioc alerts %v, want %v\n%s", got, want, r.stderr)
	}
	// Every alert (IOC and any rule alert these events raise) was logged,
	// and the webhook got each one of high severity or more, once, signed.
	all := c.column(`SELECT id FROM alerts ORDER BY id`, "id")
	sendable := c.column(`SELECT id FROM alerts WHERE severity IN ('high', 'critical') ORDER BY id`, "id")
	if n := strings.Count(r.stderr, "msg=alert "); n != len(all) {
		t.Errorf("%d alert log lines, want %d\n%s", n, len(all), r.stderr)
	}
	delivered, alerts, bad := hook.snapshot()
	if len(delivered) != len(sendable) || len(bad) != 0 {
		t.Fatalf("webhook: %v, want %v; refused %v\n%s", delivered, sendable, bad, r.stderr)
	}
	iocs := 0
	for _, id := range sendable {
		a := alerts[id]
		if delivered[id] != 1 {
			t.Errorf("alert %s delivered %d times", id, delivered[id])
		}
		if a.Kind == cairn.AlertIOC {
			iocs++
			if a.Fields["indicator"] == "" || a.Fields["list"] != a.RuleID {
				t.Errorf("ioc alert %+v", a)
			}
		}
	}
	if iocs != 3 {
		t.Errorf("%d ioc alerts delivered, want 3", iocs)
	}
	if n := c.count(`SELECT count(*) AS n FROM alert_deliveries WHERE delivered_at IS NOT NULL`); n != int64(len(all)+len(sendable)) {
		t.Errorf("delivery state (%d delivered): %v", n, c.query(`SELECT * FROM alert_deliveries`))
	}

	// Again: objects are in the ledger, nothing is counted or sent twice.
	c.ok("ingest", dir)
	if got := iocAlertRows(t, c); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after a second ingest: %v", got)
	}
	if d, _, _ := hook.snapshot(); len(d) != len(sendable) {
		t.Errorf("re-delivered: %v", d)
	}

	// A list that cannot be loaded at start is an error naming it.
	writeFile(t, filepath.Join(lists, "keys.csv"), []byte("nothing,useful\n"))
	r = c.fails(1, "ingest", dir)
	if !strings.Contains(r.stderr, "ioc list leaked-keys") || !strings.Contains(r.stderr, "no indicator column") {
		t.Errorf("broken list at start:\n%s", r)
	}
}
