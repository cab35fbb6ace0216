package detect

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/cloudtrail"
	"github.com/cairn-sec/cairn/duckdb"
	"github.com/cairn-sec/cairn/rulepack"
	"github.com/cairn-sec/cairn/sigma"
	"github.com/cairn-sec/cairn/simulate"
	"github.com/cairn-sec/cairn/vpcflow"
)

// datasets is the shared, read-only dataset folder; tests that need it
// skip that part when it is absent (CI).
const datasets = "../../shared/datasets/"

func dataset(rel string) (string, bool) {
	p := filepath.Join(datasets, rel)
	_, err := os.Stat(p)
	return p, err == nil
}

func loadRules(t testing.TB, paths ...string) []*sigma.Rule {
	t.Helper()
	rules, errs := sigma.Load(paths, nil)
	for _, err := range errs {
		t.Errorf("load rules: %v", err)
	}
	if len(rules) == 0 {
		t.Fatal("no rules loaded")
	}
	return rules
}

// newEngine builds an engine on rules, with their cairn.new_value
// attributes.
func newEngine(t testing.TB, rules []*sigma.Rule) *Engine {
	t.Helper()
	specs, errs := rulepack.NewValues(rules)
	for _, err := range errs {
		t.Errorf("new_value: %v", err)
	}
	e, err := New(Options{Rules: rules, Suppression: time.Hour, NewValues: specs})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func openStore(t testing.TB) *duckdb.Store {
	t.Helper()
	s, err := duckdb.Open(context.Background(), duckdb.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

type collect struct{ evs []*cairn.Event }

func (c *collect) Emit(ev *cairn.Event) error     { e := *ev; c.evs = append(c.evs, &e); return nil }
func (c *collect) Reject(cairn.IngestError) error { return nil }

// decodeCloudTrail decodes one (gzip or plain) CloudTrail file.
func decodeCloudTrail(t testing.TB, key string, body []byte) []*cairn.Event {
	t.Helper()
	var r io.Reader = bytes.NewReader(body)
	if len(body) > 2 && body[0] == 0x1f && body[1] == 0x8b {
		zr, err := gzip.NewReader(r)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	var c collect
	if err := (cloudtrail.Decoder{}).Decode(context.Background(), r, cairn.ObjectRef{Bucket: "b", Key: key, ETag: "e"}, &c); err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	return c.evs
}

// simBatches generates CloudTrail files with the simulator, one batch of
// events per file.
func simBatches(t testing.TB, seed int64, files, perFile int) [][]*cairn.Event {
	t.Helper()
	g := simulate.NewGenerator(simulate.Options{Seed: seed, EventsPerFile: perFile,
		Start: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Interval: 10 * time.Minute})
	var out [][]*cairn.Event
	for range files {
		f, err := g.NextFile()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, decodeCloudTrail(t, f.Key, f.Body))
	}
	return out
}

// flowLog is a VPC flow log in the default format.
const flowLog = `version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status
2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1792800000 1792800060 ACCEPT OK
2 123456789010 eni-1235b8ca123456789 198.51.100.7 172.31.16.21 49761 22 6 1 40 1792800010 1792800070 REJECT OK
2 123456789010 eni-1235b8ca123456789 198.51.100.7 172.31.16.21 49762 3389 6 1 40 1792800020 1792800080 REJECT OK
2 123456789010 eni-1235b8ca123456789 203.0.113.12 172.31.16.21 50001 22 6 1 40 1792800030 1792800090 REJECT OK
2 123456789010 eni-1235b8ca123456789 - - - - - - - 1792800100 1792800160 - NODATA
`

func flowEvents(t testing.TB) []*cairn.Event {
	t.Helper()
	var c collect
	ref := cairn.ObjectRef{Bucket: "b", Key: "AWSLogs/123456789010/vpcflowlogs/us-east-1/2026/10/23/flow.log", ETag: "e"}
	if err := (vpcflow.Decoder{}).Decode(context.Background(), strings.NewReader(flowLog), ref, &c); err != nil {
		t.Fatal(err)
	}
	if len(c.evs) != 5 {
		t.Fatalf("flow events: %d", len(c.evs))
	}
	return c.evs
}

// auditEvents are Kubernetes audit records as the EKS decoder will store
// them (source aws.eks.audit, raw = the audit event).
func auditEvents() []*cairn.Event {
	recs := []struct{ id, verb, sub, user string }{
		{"a-1", "create", "exec", "alice"},
		{"a-2", "get", "", "alice"},
		{"a-3", "create", "", "bob"},
		{"a-4", "create", "exec", "system:serviceaccount:kube-system:x"},
	}
	var out []*cairn.Event
	t0 := time.Date(2026, 10, 23, 12, 0, 0, 0, time.UTC)
	for i, r := range recs {
		raw := `{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"` + r.id + `","verb":"` + r.verb +
			`","user":{"username":"` + r.user + `"},"objectRef":{"resource":"pods","namespace":"default","name":"web"`
		if r.sub != "" {
			raw += `,"subresource":"` + r.sub + `"`
		}
		raw += `},"requestReceivedTimestamp":"` + t0.Add(time.Duration(i)*time.Minute).Format(time.RFC3339) + `"}`
		out = append(out, &cairn.Event{Time: t0.Add(time.Duration(i) * time.Minute), Source: SourceEKSAudit, EventID: r.id,
			UserName: r.user, AccountID: "123456789010", Raw: []byte(raw)})
	}
	return out
}

// commit stores one batch the way ingest.Committer does: append, detect,
// commit, in one transaction.
func commit(t testing.TB, s *duckdb.Store, e *Engine, evs []*cairn.Event) {
	t.Helper()
	ctx := context.Background()
	tx, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() // a failed check must not leave the store locked
	if err := tx.Append(ctx, evs); err != nil {
		t.Fatal(err)
	}
	if err := e.Detect(ctx, tx); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

// loginFailure is a failed console login from ip at t.
func loginFailure(id, ip string, t time.Time) *cairn.Event {
	raw := `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","accountId":"111111111111","arn":"arn:aws:iam::111111111111:user/bob","userName":"bob"},` +
		`"eventTime":"` + t.Format(time.RFC3339) + `","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1",` +
		`"sourceIPAddress":"` + ip + `","responseElements":{"ConsoleLogin":"Failure"},"eventID":"` + id + `"}`
	var ev cairn.Event
	if err := cloudtrail.Normalize([]byte(raw), &ev); err != nil {
		panic(err)
	}
	return &ev
}
