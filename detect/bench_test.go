package detect

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/duckdb"
)

// benchEvents is CAIRN_BENCH_EVENTS, default one million.
func benchEvents() int {
	if n, err := strconv.Atoi(os.Getenv("CAIRN_BENCH_EVENTS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// huntGenSQL fills events_data with $1 CloudTrail-shaped events in time
// order over 30 days from 2024-04-01: 40 API names (DeleteTrail 1 in
// 1000), 200 users, raw records of about 450 bytes whose eventName and
// eventSource agree with the columns.
const huntGenSQL = `INSERT INTO events_data (time, source, event_id, event_name, event_source, account_id, aws_region, user_arn, user_name, source_ip, raw, ingested_at)
SELECT t, 'aws.cloudtrail', 'ev-' || i, name, src, '111122223333', 'us-east-1', 'arn:aws:iam::111122223333:user/user' || (i % 200),
	'user' || (i % 200), '10.0.' || (i % 250) || '.' || (i % 7 + 1),
	'{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","userName":"user' || (i % 200) || '","arn":"arn:aws:iam::111122223333:user/user' || (i % 200) ||
	'","accountId":"111122223333"},"eventTime":"' || strftime(t, '%Y-%m-%dT%H:%M:%SZ') || '","eventSource":"' || src || '","eventName":"' || name ||
	'","awsRegion":"us-east-1","sourceIPAddress":"10.0.0.1","userAgent":"aws-cli/2.15.0","requestParameters":{"bucketName":"bucket' || (i % 50) ||
	'","key":"path/to/object/' || i || '"},"eventID":"ev-' || i || '","readOnly":false,"eventType":"AwsApiCall"}', now()
FROM (SELECT i, TIMESTAMP '2024-04-01' + to_microseconds(CAST(i * (30 * 86400000000 / $1) AS BIGINT)) AS t,
	CASE WHEN i % 1000 = 7 THEN 'DeleteTrail' ELSE ['GetObject','PutObject','ListBuckets','DescribeInstances','RunInstances','AssumeRole',
		'GetCallerIdentity','CreateUser','AttachUserPolicy','CreateAccessKey','Decrypt','Encrypt','GenerateDataKey','GetSecretValue','ListSecrets',
		'Invoke','GetParameter','SendMessage','ReceiveMessage','DescribeSecurityGroups'][i % 20 + 1] END AS name,
	CASE WHEN i % 1000 = 7 THEN 'cloudtrail.amazonaws.com' ELSE ['s3.amazonaws.com','ec2.amazonaws.com','iam.amazonaws.com','sts.amazonaws.com','kms.amazonaws.com'][i % 5 + 1] END AS src
	FROM range($2, $3) r(i))`

const huntRule = `title: CloudTrail trail deleted
id: bench-delete-trail
logsource: {product: aws, service: cloudtrail}
detection:
  sel: {eventSource: cloudtrail.amazonaws.com, eventName: DeleteTrail}
  condition: sel
level: high
`

var (
	huntOnce  sync.Once
	huntStore *duckdb.Store
	huntErr   error
)

func openHuntStore(b *testing.B) *duckdb.Store {
	huntOnce.Do(func() {
		n := benchEvents()
		// CAIRN_BENCH_STORE keeps the generated store between runs.
		dir := os.Getenv("CAIRN_BENCH_STORE")
		if dir == "" {
			if dir, huntErr = os.MkdirTemp("", "cairn-hunt-bench-"); huntErr != nil {
				return
			}
		}
		ctx := context.Background()
		// CAIRN_BENCH_COMPRESSION=zstd: the store.compression option.
		if huntStore, huntErr = duckdb.Open(ctx, duckdb.Options{Dir: dir, Compression: os.Getenv("CAIRN_BENCH_COMPRESSION")}); huntErr != nil {
			return
		}
		var have int
		if huntErr = huntStore.DB().QueryRowContext(ctx, "SELECT count(*) FROM events_data").Scan(&have); huntErr != nil || have == n {
			return
		}
		start := time.Now()
		const chunk = 2_000_000
		for lo := 0; lo < n && huntErr == nil; lo += chunk {
			_, huntErr = huntStore.DB().ExecContext(ctx, huntGenSQL, n, lo, min(lo+chunk, n))
		}
		if huntErr == nil {
			_, huntErr = huntStore.DB().ExecContext(ctx, "CHECKPOINT")
		}
		fmt.Fprintf(os.Stderr, "generated %d events in %v\n", n, time.Since(start).Round(time.Millisecond))
	})
	if huntErr != nil {
		b.Fatal(huntErr)
	}
	return huntStore
}

// BenchmarkHunt is a 30-day retro-hunt of one rule over the generated store
// (CAIRN_BENCH_EVENTS events): the SQL prefilter keeps the DeleteTrail
// rows (1 in 1000), the matcher confirms them.
func BenchmarkHunt(b *testing.B) {
	s := openHuntStore(b)
	dir := b.TempDir()
	path := dir + "/rule.yml"
	if err := os.WriteFile(path, []byte(huntRule), 0o644); err != nil {
		b.Fatal(err)
	}
	e := newEngine(b, loadRules(b, path))
	from := time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)
	ctx := context.Background()
	var res *HuntResult
	cpu0 := cpuTime()
	for b.Loop() {
		var err error
		res, err = e.Hunt(ctx, StoreQuerier{s}, HuntOptions{From: from, To: from.AddDate(0, 0, 30), PageSize: 100_000})
		if err != nil {
			b.Fatal(err)
		}
	}
	if want := int64(benchEvents()) / 1000; res.Matches < want-1 || res.Matches > want+1 {
		b.Fatalf("matches %d, want about %d", res.Matches, want)
	}
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(res.Candidates), "candidates")
}

// cpuTime is the process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkCommit measures the commit path (append, detect, commit) per
// batch of 1000 simulated CloudTrail events, without the engine and with
// the SigmaHQ rules (when the datasets are present) plus the test rules.
// cpu-ns/event is the process CPU time per event, which a loaded machine
// distorts less than wall time; compare the two sub-benchmarks.
func BenchmarkCommit(b *testing.B) {
	const perBatch = 1000
	rules := loadRules(b, "testdata/rules")
	if p, ok := dataset("sigma/rules/cloud/aws/cloudtrail"); ok {
		rules = loadRules(b, "testdata/rules", p)
	}
	// The same events for both: fresh IDs per batch so nothing is a
	// duplicate.
	pool := simBatches(b, 11, 64, perBatch)
	for _, mode := range []string{"none", "sigma"} {
		b.Run(mode, func(b *testing.B) {
			s := openStore(b)
			var eng *Engine
			if mode == "sigma" {
				eng = newEngine(b, rules)
			}
			ctx := context.Background()
			b.ResetTimer()
			cpu0 := cpuTime()
			for i := 0; b.Loop(); i++ {
				evs := replayBatch(pool, i)
				tx, err := s.Begin(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if err := tx.Append(ctx, evs); err != nil {
					b.Fatal(err)
				}
				if eng != nil {
					if err := eng.Detect(ctx, tx); err != nil {
						b.Fatal(err)
					}
				}
				if _, err := tx.Commit(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N*perBatch), "cpu-ns/event")
			if eng != nil {
				b.ReportMetric(float64(eng.stream.matched)/float64(b.N), "matches/op")
				b.ReportMetric((testutil.ToFloat64(eng.m.alerts.WithLabelValues("created"))+testutil.ToFloat64(eng.m.alerts.WithLabelValues("updated")))/float64(b.N), "alert-writes/op")
			}
			b.ReportMetric(float64(b.Elapsed())/float64(b.N*perBatch), "ns/event")
		})
	}
}

// replayBatch is the i-th batch of the benchmarks' commit loops: the
// pool's batches in turn, with event IDs fresh for each round through the
// pool so that nothing is a duplicate.
func replayBatch(pool [][]*cairn.Event, i int) []*cairn.Event {
	batch, round := pool[i%len(pool)], i/len(pool)
	evs := make([]*cairn.Event, len(batch))
	for j, ev := range batch {
		c := *ev
		c.EventID = ev.EventID + "-" + strconv.Itoa(round)
		evs[j] = &c
	}
	return evs
}

// BenchmarkEvaluate is the rules' evaluation alone (parse, route, match,
// correlate, gather alerts in memory), per event, without the store: the
// part of BenchmarkCommit/sigma that does not depend on alert volume.
func BenchmarkEvaluate(b *testing.B) { benchEvaluator(b, false) }

// BenchmarkWriterPrepared is what the committer does per event once the
// workers have matched it (Prepare): correlate, apply first-seen, gather
// alerts in memory — the single writer's share of detection.
func BenchmarkWriterPrepared(b *testing.B) { benchEvaluator(b, true) }

// benchEvaluator runs the streaming evaluator over simulated events, with
// the test rules and SigmaHQ's when the datasets are present; prepared:
// the events were matched beforehand, as ingest's workers do.
func benchEvaluator(b *testing.B, prepared bool) {
	rules := loadRules(b, "testdata/rules")
	if p, ok := dataset("sigma/rules/cloud/aws/cloudtrail"); ok {
		rules = loadRules(b, "testdata/rules", p)
	}
	e := newEngine(b, rules)
	pool := simBatches(b, 11, 16, 1000)
	if prepared {
		for _, batch := range pool {
			for _, ev := range batch {
				e.Prepare(ev)
			}
		}
	}
	corr, err := e.newCorrelator()
	if err != nil {
		b.Fatal(err)
	}
	v := &evaluator{e: e, corr: corr, out: newAlertSet(time.Hour)}
	n := 0
	cpu0 := cpuTime()
	for i := 0; b.Loop(); i++ {
		v.out.reset()
		for _, ev := range pool[i%len(pool)] {
			v.event(ev)
			n++
		}
		v.out.alerts()
	}
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(n), "cpu-ns/event")
	b.ReportMetric(float64(v.matched)/float64(n), "matches/event")
	b.ReportMetric(float64(len(v.out.list)), "alerts/batch")
}
