package push

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cairn-sec/cairn/internal/benchrate"
)

// BenchmarkFirehoseCWLogs: one Firehose delivery of 100 records, each a
// gzip'd CloudWatch Logs message of 50 EKS audit events (new ones every
// iteration), over HTTP into a real store: parse, gunzip, decode, commit
// with the ledger entry. records/cpu-s counts the whole process (the HTTP
// client included).
func BenchmarkFirehoseCWLogs(b *testing.B) {
	t := &testing.T{}
	e := newEnv(t)
	defer e.srv.Close()
	const records, perRecord = 100, 50
	bodies := make([][]byte, b.N)
	for i := range bodies {
		var recs [][]byte
		for r := 0; r < records; r++ {
			var msgs []string
			for j := 0; j < perRecord; j++ {
				msgs = append(msgs, auditEvent(fmt.Sprintf("bench-%d-%d-%d", i, r, j), "get", "pods", "default", "ci"))
			}
			recs = append(recs, cwlMessage(t, "/aws/eks/bench/cluster", "kube-apiserver-audit-1", msgs...))
		}
		bodies[i] = delivery(fmt.Sprintf("bench-%d", i), 1763632801000, recs...)
	}
	b.SetBytes(int64(len(bodies[0])))
	b.ResetTimer()
	m := benchrate.Start()
	for i := 0; i < b.N; i++ {
		if st, _, resp := e.firehose(PathFirehoseCWLogs, fmt.Sprintf("bench-%d", i), bodies[i], nil); st != 200 {
			b.Fatalf("%d %s", st, resp)
		}
	}
	m.Report(b, records*perRecord*b.N)
}

// BenchmarkLogs: one /v1/logs batch of 1000 application entries (new ones
// every iteration) over HTTP into a real store.
func BenchmarkLogs(b *testing.B) {
	t := &testing.T{}
	e := newEnv(t)
	defer e.srv.Close()
	const entries = 1000
	bodies := make([][]byte, b.N)
	for i := range bodies {
		var sb strings.Builder
		sb.WriteString(`{"logs":[`)
		for j := 0; j < entries; j++ {
			if j > 0 {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, `{"timestamp":%d,"body":"request %d-%d served in 12ms","severity_text":"info","attributes":{"service.name":"api","host":"h%d"}}`,
				1763632800000+int64(j), i, j, j%7)
		}
		sb.WriteString(`]}`)
		bodies[i] = []byte(sb.String())
	}
	b.SetBytes(int64(len(bodies[0])))
	b.ResetTimer()
	m := benchrate.Start()
	for i := 0; i < b.N; i++ {
		if st, _, resp := e.post(PathLogs, bodies[i], map[string]string{"Authorization": "Bearer " + testToken}); st != 200 {
			b.Fatalf("%d %s", st, resp)
		}
	}
	m.Report(b, entries*b.N)
}
