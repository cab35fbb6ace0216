package search

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/cairn-sec/cairn/duckdb"
)

// benchStart is the first day of the generated month of events.
var benchStart = time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)

var (
	benchOnce  sync.Once
	benchStore *duckdb.Store
	benchDir   string
	benchErr   error
)

// benchEvents is CAIRN_BENCH_EVENTS, default one million.
func benchEvents() int {
	if n, err := strconv.Atoi(os.Getenv("CAIRN_BENCH_EVENTS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// genSQL fills events_data with n events spread in time order over 30
// days: 40 API names (ConsoleLogin 1 in 40), 200 users, 1000 addresses,
// 1 in 10 failed, and a raw record of about 400 bytes.
const genSQL = `INSERT INTO events_data (time, source, event_id, event_name, event_source, event_type, read_only, account_id,
	aws_region, user_type, user_arn, user_name, user_principal_id, access_key_id, session_issuer_arn, session_mfa, invoked_by,
	source_ip, user_agent, error_code, error_message, status, level, class_uid, activity_id, type_uid, raw, s3_bucket, s3_key,
	record_index, ingested_at)
SELECT
	TIMESTAMP '2024-04-01' + to_microseconds(CAST(i * (30 * 86400000000 / $1) AS BIGINT)) AS time,
	'aws.cloudtrail', 'ev-' || i,
	['ConsoleLogin','GetObject','PutObject','ListBuckets','DescribeInstances','RunInstances','TerminateInstances','AssumeRole',
	 'GetCallerIdentity','CreateUser','DeleteUser','AttachUserPolicy','PutUserPolicy','CreateAccessKey','ListUsers','GetBucketPolicy',
	 'PutBucketPolicy','DeleteBucket','Decrypt','Encrypt','GenerateDataKey','CreateSecurityGroup','AuthorizeSecurityGroupIngress',
	 'DescribeSecurityGroups','StopLogging','StartLogging','DeleteTrail','UpdateTrail','GetSecretValue','ListSecrets','Invoke',
	 'CreateFunction','UpdateFunctionCode','ListFunctions','DescribeDBInstances','CreateDBSnapshot','GetParameter','PutParameter',
	 'SendMessage','ReceiveMessage'][i % 40 + 1] AS event_name,
	['s3.amazonaws.com','ec2.amazonaws.com','iam.amazonaws.com','sts.amazonaws.com','kms.amazonaws.com'][i % 5 + 1] AS event_source,
	'AwsApiCall', i % 3 = 0, '111122223333', ['us-east-1','us-west-2','eu-west-1','ap-southeast-2'][i % 4 + 1],
	'IAMUser', 'arn:aws:iam::111122223333:user/user' || (i % 200), 'user' || (i % 200), 'AIDA' || (i % 200), 'AKIA' || (i % 200),
	NULL, NULL, NULL,
	'10.' || (i % 7) || '.' || (i % 250) || '.' || (i % 4 + 1) AS source_ip,
	'aws-cli/2.15.0 Python/3.11',
	CASE WHEN i % 10 = 0 THEN 'AccessDenied' END, CASE WHEN i % 10 = 0 THEN 'Access Denied' END,
	CASE WHEN i % 10 = 0 THEN 'Failure' ELSE 'Success' END, CASE WHEN i % 10 = 0 THEN 'ERROR' ELSE 'INFO' END,
	6003, i % 4 + 1, 600300 + i % 4 + 1,
	'{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","userName":"user' || (i % 200) || '","accountId":"111122223333"},"eventTime":"' ||
		strftime(TIMESTAMP '2024-04-01' + to_microseconds(CAST(i * (30 * 86400000000 / $1) AS BIGINT)), '%Y-%m-%dT%H:%M:%SZ') ||
		'","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"10.0.0.1",' ||
		'"requestParameters":{"bucketName":"bucket' || (i % 50) || '","key":"path/to/object/' || i || '"},"eventID":"ev-' || i || '","readOnly":true}',
	'bench-bucket', 'AWSLogs/111122223333/CloudTrail/us-east-1/file' || (i // 1000) || '.json.gz', i % 1000, now()
FROM range($2, $3) r(i)`

// openBenchStore builds the generated store once per process.
func openBenchStore(b *testing.B) *duckdb.Store {
	benchOnce.Do(func() {
		n := benchEvents()
		if benchDir, benchErr = os.MkdirTemp("", "cairn-bench-"); benchErr != nil {
			return
		}
		ctx := context.Background()
		if benchStore, benchErr = duckdb.Open(ctx, duckdb.Options{Dir: benchDir}); benchErr != nil {
			return
		}
		start := time.Now()
		const chunk = 2_000_000
		for lo := 0; lo < n && benchErr == nil; lo += chunk {
			_, benchErr = benchStore.DB().ExecContext(ctx, genSQL, n, lo, min(lo+chunk, n))
		}
		if benchErr == nil {
			_, benchErr = benchStore.DB().ExecContext(ctx, "CHECKPOINT")
		}
		fmt.Fprintf(os.Stderr, "generated %d events in %v\n", n, time.Since(start).Round(time.Millisecond))
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchStore
}

// BenchmarkSearch measures searches on a generated store (size from
// CAIRN_BENCH_EVENTS), each through Compile and Store.Query, and the
// compiled SQL run directly, and the SQL one would write by hand.
func BenchmarkSearch(b *testing.B) {
	s := openBenchStore(b)
	ctx := context.Background()
	month := Options{From: benchStart, To: benchStart.AddDate(0, 0, 30)}
	page := Options{Limit: 100}
	for _, tc := range []struct {
		name, query string
		opts        Options
		hand        string
	}{
		{"filter_first_page", `event_name:ConsoleLogin`, page,
			`SELECT * FROM events WHERE event_name = 'ConsoleLogin' ORDER BY time DESC LIMIT 100`},
		{"stats_count_by_event_name", `| stats count() by event_name`, Options{},
			`SELECT event_name, count(*) AS count FROM events GROUP BY event_name ORDER BY event_name`},
		{"timechart_1h_30d", `| timechart span=1h count()`, month,
			`SELECT time_bucket(INTERVAL 1 HOUR, time) AS time, count(*) AS count FROM events WHERE time >= TIMESTAMP '2024-04-01' AND time < TIMESTAMP '2024-05-01' GROUP BY 1 ORDER BY 1`},
	} {
		st, err := Compile(tc.query, tc.opts)
		if err != nil {
			b.Fatal(err)
		}
		// Warm the buffer cache so that no variant pays for first reads.
		if err := drain(ctx, s.DB(), st.SQL, st.Args...); err != nil {
			b.Fatal(err)
		}
		// The three ways run in turn in each iteration, so that drift in
		// the machine's speed affects them alike.
		b.Run(tc.name, func(b *testing.B) {
			var tSearch, tDirect, tHand time.Duration
			for b.Loop() {
				t0 := time.Now()
				st, err := Compile(tc.query, tc.opts)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := s.Query(ctx, st.SQL, 0, st.Args...); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				if err := drain(ctx, s.DB(), st.SQL, st.Args...); err != nil {
					b.Fatal(err)
				}
				t2 := time.Now()
				if err := drain(ctx, s.DB(), tc.hand); err != nil {
					b.Fatal(err)
				}
				tSearch, tDirect, tHand = tSearch+t1.Sub(t0), tDirect+t2.Sub(t1), tHand+time.Since(t2)
			}
			n := float64(b.N)
			b.ReportMetric(0, "ns/op")
			b.ReportMetric(tSearch.Seconds()*1000/n, "search-ms")
			b.ReportMetric(tDirect.Seconds()*1000/n, "direct-ms")
			b.ReportMetric(tHand.Seconds()*1000/n, "handwritten-ms")
			b.ReportMetric(100*(float64(tSearch)/float64(tDirect)-1), "overhead-%")
		})
	}
}

// drain runs a query and reads every row.
func drain(ctx context.Context, db *sql.DB, q string, args ...any) error {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
	}
	return rows.Err()
}
