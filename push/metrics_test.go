package push

import (
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// Concurrent deliveries of one request (Firehose retrying while the first
// attempt is still in flight) are all answered 200 and stored once; the
// metrics count each outcome.
func TestConcurrentRetriesAndMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	e := newEnv(t, func(o *Options) { o.Metrics = m })
	body := delivery("conc", 1700000000000, []byte("a\nb\nc"), []byte(`{"x":`))
	var wg sync.WaitGroup
	statuses := make([]int, 4)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i], _, _ = e.firehose(PathFirehoseRaw+"?format=cloudtrail", "conc", body, nil)
		}()
	}
	wg.Wait()
	for i, st := range statuses {
		if st != 200 {
			t.Fatalf("attempt %d: %d", i, st)
		}
	}
	e.firehose(PathFirehoseRaw, "conc", body, map[string]string{HeaderAccessKey: "wrong"})
	if n := e.count(`SELECT count(*) FROM ingest_errors`); n != 4 {
		// 3 lines that are no CloudTrail records ("a", "b", "c") and a fourth, once.
		t.Fatalf("%d ingest errors", n)
	}
	for _, c := range []struct {
		c    prometheus.Collector
		want float64
	}{
		{m.Requests.WithLabelValues(PathFirehoseRaw, "200"), 4},
		{m.Requests.WithLabelValues(PathFirehoseRaw, "401"), 1},
		{m.Duplicates.WithLabelValues(PathFirehoseRaw), 3},
		{m.Records.WithLabelValues(PathFirehoseRaw, "decoded"), 2},
		{m.Records.WithLabelValues(PathFirehoseRaw, "quarantined"), 4},
		{m.Events.WithLabelValues(PathFirehoseRaw, "stored"), 0},
		{m.Bytes.WithLabelValues(PathFirehoseRaw, "body"), float64(4 * len(body))},
	} {
		if got := testutil.ToFloat64(c.c); got != c.want {
			t.Errorf("%v: %v, want %v", c.c, got, c.want)
		}
	}
	if n := testutil.CollectAndCount(m.Commit); n != 1 {
		t.Errorf("commit histogram series: %d", n)
	}
}
