package main

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cairn-sec/cairn/awstest"
	"github.com/cairn-sec/cairn/emulator/emutest"
)

// The real binary against a healthy source (the emulator behind the AWS
// doubles), then a broken one; flags and cairn.yaml; the store's ledger.
func TestDoctorCLI(t *testing.T) {
	emu := emutest.Start(t)
	next, err := awstest.Proxy(emu.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	st := awstest.NewStack(next)
	front := httptest.NewServer(st)
	defer front.Close()
	w := emutest.Wire(t, emu, 5, 5*time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	h, err := st.WireHealthy(ctx, emu.Config(), w, awstest.HealthyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := newCLI(t)
	args := []string{"doctor", "--queue-url", w.QueueURL, "--endpoint-url", front.URL, "--role-arn", h.RoleARN, "--external-id", h.ExternalID}

	r := c.ok(args...)
	for _, want := range []string{"✓  credentials", "assumed-role/cairn-reader/cairn", "✓  kms.policy", "18 ok, 0 warnings, 0 failed"} {
		if !strings.Contains(r.stdout, want) {
			t.Fatalf("healthy: no %q\n%s", want, r)
		}
	}
	// The AssumeRole went out with the external ID, as cairn collect's does.
	if calls := st.STS.Calls(); len(calls) == 0 || calls[0].Op != "AssumeRole" || calls[0].ExternalID != h.ExternalID {
		t.Fatalf("STS calls %+v", calls)
	}

	// The same source from cairn.yaml, with the role on the queue.
	writeFile(t, filepath.Join(c.work, "cairn.yaml"), []byte("aws:\n  endpoint_url: "+front.URL+"\nqueues:\n  - url: "+w.QueueURL+
		"\n    role_arn: "+h.RoleARN+"\n    external_id: "+h.ExternalID+"\n"))
	r = c.ok("doctor", "--format", "json")
	var rs []struct{ Source, Check, Status, Detail, Fix string }
	if err := json.Unmarshal([]byte(r.stdout), &rs); err != nil || len(rs) != 18 {
		t.Fatalf("json: %v\n%s", err, r)
	}
	for _, x := range rs {
		if x.Status != "ok" || x.Source != w.QueueURL || x.Detail == "" {
			t.Fatalf("json result %+v", x)
		}
	}

	// Warnings alone exit 0; a failure exits 1 with the fix printed.
	st.CloudTrail.UpdateTrail("cairn-trail", func(tr *awstest.Trail) { tr.LogFileValidation = false })
	r = c.ok("doctor")
	if !strings.Contains(r.stdout, "!  trail.validation") || !strings.Contains(r.stdout, "17 ok, 1 warning, 0 failed") {
		t.Fatalf("warning:\n%s", r)
	}
	st.CloudTrail.UpdateTrail("cairn-trail", func(tr *awstest.Trail) { tr.Logging = false })
	r = c.fails(1, "doctor")
	if !strings.Contains(r.stdout, "✗  trail.logging") || !strings.Contains(r.stdout, "fix: aws cloudtrail start-logging --name "+h.Trail.ARN()) ||
		!strings.Contains(r.stderr, "doctor: 1 check failed: trail.logging") {
		t.Fatalf("failure:\n%s", r)
	}

	// With a store, the newest stored object is checked too.
	log := writeFile(t, filepath.Join(c.work, "logs", "a.json"), logFile(t, record{"eventVersion": "1.08", "eventID": "e-1",
		"eventTime": time.Now().UTC().Format(time.RFC3339), "eventName": "ListBuckets", "eventSource": "s3.amazonaws.com",
		"awsRegion": "us-east-1", "userIdentity": map[string]any{"type": "IAMUser", "accountId": "111111111111"}}))
	c.ok("ingest", log)
	r = c.fails(1, "doctor")
	if !strings.Contains(r.stdout, "✓  store.recent") {
		t.Fatalf("store:\n%s", r)
	}

	// Usage errors exit 2.
	c.fails(2, "doctor", "--format", "xml")
	c2 := newCLI(t)
	c2.fails(2, "doctor")
}
