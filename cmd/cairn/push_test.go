package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cairn-sec/cairn/emulator/emutest"
	"github.com/cairn-sec/cairn/web"
)

const (
	e2eFirehoseKey = "fh-e2e-key-5d1c"
	e2eLogsToken   = "cairn_e2e-logs-7a"
	e2eAPIToken    = "cairn_e2e-api-3f"
)

// pushConfig writes a cairn.yaml with both push endpoints into the CLI's
// working directory: the Firehose key from an environment variable, the
// logs token as its hash.
func pushConfig(t *testing.T, c *cli) {
	t.Helper()
	yaml := fmt.Sprintf(`api:
  push:
    firehose:
      access_keys:
        - name: eks-stream
          env: E2E_FIREHOSE_KEY
    logs:
      tokens:
        - name: forwarder
          sha256: %s
`, web.HashToken(e2eLogsToken))
	if err := os.WriteFile(filepath.Join(c.work, "cairn.yaml"), []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	c.setenv("E2E_FIREHOSE_KEY", e2eFirehoseKey)
	c.setenv("CAIRN_API_TOKEN", e2eAPIToken)
}

// server is a running cairn process.
type server struct {
	cmd     *exec.Cmd
	out     *lockedBuffer
	exited  chan struct{} // closed once it exited, with err set
	err     error
	baseURL string
}

// stop sends SIGTERM and waits for a clean exit.
func (s *server) stop(t *testing.T) {
	t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
		if s.err != nil {
			t.Fatalf("exit: %v\n%s", s.err, s.out.String())
		}
	case <-time.After(time.Minute):
		t.Fatalf("no exit after SIGTERM:\n%s", s.out.String())
	}
}

// startServer runs cairn with args until the test ends, once it logged
// the API's address.
func startServer(t *testing.T, c *cli, args ...string) *server {
	t.Helper()
	var out lockedBuffer
	cmd := exec.Command(cairnBin, append(args, "--store", c.store)...)
	cmd.Dir, cmd.Env = c.work, c.env
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = &out, io.MultiWriter(&out, pw)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, out: &out, exited: make(chan struct{})}
	go func() { s.err = cmd.Wait(); pw.Close(); close(s.exited) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-s.exited })
	addr := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`serving the API.*addr=(https?://[0-9.:]+)`)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
				break
			}
		}
		io.Copy(io.Discard, pr)
	}()
	select {
	case s.baseURL = <-addr:
		return s
	case <-s.exited:
		t.Fatalf("cairn %s exited:\n%s", strings.Join(args, " "), out.String())
	case <-time.After(time.Minute):
		t.Fatalf("cairn %s did not start:\n%s", strings.Join(args, " "), out.String())
	}
	return nil
}

// eksAuditDelivery is a Firehose delivery of one CloudWatch Logs
// subscription record from an EKS cluster's audit log stream.
func eksAuditDelivery(t *testing.T, requestID string) []byte {
	t.Helper()
	audit := `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"e2e-audit-1","stage":"ResponseComplete",` +
		`"requestURI":"/api/v1/namespaces/payments/secrets","verb":"list","user":{"username":"mallory","groups":["system:authenticated"]},` +
		`"sourceIPs":["203.0.113.99"],"userAgent":"kubectl/v1.30.0","objectRef":{"resource":"secrets","namespace":"payments","apiVersion":"v1"},` +
		`"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":"2026-11-20T10:00:00.1Z","stageTimestamp":"2026-11-20T10:00:00.2Z"}`
	return cwlDelivery(t, requestID, "/aws/eks/e2e/cluster", "kube-apiserver-audit-1f2e", audit)
}

func postFirehose(t *testing.T, base, requestID string, body []byte) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/firehose/cwlogs", bytes.NewReader(body))
	req.Header.Set("X-Amz-Firehose-Request-Id", requestID)
	req.Header.Set("X-Amz-Firehose-Access-Key", e2eFirehoseKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestServePushEndToEnd: cairn serve with push endpoints receives a
// Firehose delivery of EKS audit events and a /v1/logs batch; the events
// are queryable with cairn sql and cairn search while it runs (over its
// socket) and after it stops; another writer is refused meanwhile.
func TestServePushEndToEnd(t *testing.T) {
	c := newCLI(t)
	pushConfig(t, c)
	srv := startServer(t, c, "serve", "--addr", "127.0.0.1:0")
	base := srv.baseURL

	st, body := postFirehose(t, base, "e2e-req-1", eksAuditDelivery(t, "e2e-req-1"))
	if st != 200 || !regexp.MustCompile(`^\{"requestId":"e2e-req-1","timestamp":\d{13}\}$`).MatchString(body) {
		t.Fatalf("firehose: %d %s", st, body)
	}
	// A retry after a lost response stores nothing twice.
	if st, body := postFirehose(t, base, "e2e-req-1", eksAuditDelivery(t, "e2e-req-1")); st != 200 {
		t.Fatalf("retry: %d %s", st, body)
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/v1/logs", strings.NewReader(
		`{"logs":[{"timestamp":"2026-11-20T10:00:01Z","body":"payment failed","severity_text":"error","attributes":{"service.name":"billing"}}]}`))
	req.Header.Set("Authorization", "Bearer "+e2eLogsToken)
	req.Header.Set("X-Organization-Id", "acme")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	lb, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(lb), `"events":1`) {
		t.Fatalf("/v1/logs: %d %s", resp.StatusCode, lb)
	}

	check := func(when string) {
		rows := c.query(`SELECT source, event_name, user_name, cluster, namespace, source_ip FROM events WHERE source = 'aws.eks.audit'`)
		if len(rows) != 1 || rows[0]["event_name"] != "list secrets" || rows[0]["user_name"] != "mallory" ||
			rows[0]["cluster"] != "e2e" || rows[0]["source_ip"] != "203.0.113.99" {
			t.Fatalf("%s: EKS audit events %v", when, rows)
		}
		rows = c.query(`SELECT service, level, organization_id FROM events WHERE source = 'application'`)
		if len(rows) != 1 || rows[0]["service"] != "billing" || rows[0]["level"] != "ERROR" || rows[0]["organization_id"] != "acme" {
			t.Fatalf("%s: application events %v", when, rows)
		}
		r := c.ok("search", "--format", "json", `cluster:e2e AND event_name:"list secrets" | stats count() as n by user_name`)
		if !strings.Contains(r.stdout, `"user_name":"mallory"`) || !strings.Contains(r.stdout, `"n":1`) {
			t.Fatalf("%s: search\n%s", when, r)
		}
	}
	check("while serving")

	// The API answers from the same process.
	req, _ = http.NewRequest(http.MethodPost, base+"/api/v1/sql", strings.NewReader(`{"sql":"SELECT count(*) AS n FROM push_requests"}`))
	req.Header.Set("Authorization", "Bearer "+e2eAPIToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	ab, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(ab), `"rows":[[2]]`) {
		t.Fatalf("/api/v1/sql: %d %s", resp.StatusCode, ab)
	}

	// Another writer is refused, saying why and what to do.
	other := newCLI(t)
	other.store, other.work, other.env = c.store, c.work, c.env
	r := other.run("serve", "--addr", "127.0.0.1:0")
	if r.code == 0 || !strings.Contains(r.stderr, "locked") || !strings.Contains(r.stderr, "cairn collect --http-addr") {
		t.Fatalf("second writer:\n%s", r)
	}

	srv.stop(t)
	if log := srv.out.String(); strings.Contains(log, e2eFirehoseKey) || strings.Contains(log, e2eLogsToken) || !strings.Contains(log, "key=eks-stream") {
		t.Fatalf("logs (no secret, the key's name):\n%s", log)
	}
	check("after stopping")
}

// TestCollectHTTPAddr: cairn collect --http-addr serves the push endpoints
// and the API from the collector, which stays the only writer: pushed
// events and collected CloudTrail land in the same store.
func TestCollectHTTPAddr(t *testing.T) {
	emu := emutest.Start(t)
	c := newCLI(t)
	pushConfig(t, c)
	w := emutest.Wire(t, emu, 5, 30*time.Second)
	aws := []string{"--endpoint-url", emu.Endpoint, "--region", "us-east-1"}
	srv := startServer(t, c, append([]string{"collect", "--queue-url", w.QueueURL, "--http-addr", "127.0.0.1:0"}, aws...)...)

	if st, body := postFirehose(t, srv.baseURL, "collect-req-1", eksAuditDelivery(t, "collect-req-1")); st != 200 {
		t.Fatalf("firehose: %d %s", st, body)
	}
	sim := parseSimulate(t, c.ok(append([]string{"simulate", "--bucket", w.Bucket, "--topic-arn", w.TopicARN, "--files", "2",
		"--events-per-file", "10", "--seed", "7", "--quiet"}, aws...)...))
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := c.run("sql", "--format", "csv", `SELECT count(*) FILTER (WHERE source = 'aws.cloudtrail') AS ct, count(*) FILTER (WHERE source = 'aws.eks.audit') AS eks FROM events`)
		if r.code == 0 && r.stdout == fmt.Sprintf("ct,eks\n%d,1\n", sim.events) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("store never held both:\n%s\n%s", r, srv.out.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	srv.stop(t)
}
