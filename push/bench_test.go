package push

import (
	"fmt"
	"testing"
)

// BenchmarkFirehoseCWLogs: one Firehose delivery of 100 records, each a
// gzip'd CloudWatch Logs message of 50 EKS audit events (new ones every
// iteration), over HTTP into a real store: parse, gunzip, decode, commit
// with the ledger entry.
func BenchmarkFirehoseCWLogs(b *testing.B) {
	t := &testing.T{}
	e := newEnv(t)
	defer e.srv.Close()
	const records, perRecord = 100, 50
	bodies := 0
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		var recs [][]byte
		for r := 0; r < records; r++ {
			var msgs []string
			for j := 0; j < perRecord; j++ {
				msgs = append(msgs, auditEvent(fmt.Sprintf("bench-%d-%d-%d", i, r, j), "get", "pods", "default", "ci"))
			}
			recs = append(recs, cwlMessage(t, "/aws/eks/bench/cluster", "kube-apiserver-audit-1", msgs...))
		}
		id := fmt.Sprintf("bench-%d", i)
		body := delivery(id, 1763632801000, recs...)
		bodies += len(body)
		b.StartTimer()
		if st, _, resp := e.firehose(PathFirehoseCWLogs, id, body, nil); st != 200 {
			b.Fatalf("%d %s", st, resp)
		}
	}
	b.ReportMetric(float64(records*perRecord*b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(bodies)/float64(b.N), "body_bytes/op")
}
