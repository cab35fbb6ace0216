package search

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-sec/cairn/duckdb"
)

var (
	fixtureOnce  sync.Once
	fixtureStore *duckdb.Store
)

// fixtureDB is a store of the hand-made fixtures, shared by the tests of
// this file (it is only read).
func fixtureDB(t *testing.T) *duckdb.Store {
	t.Helper()
	fixtureOnce.Do(func() {
		fixtureStore = newStore(&onceTB{T: t}, decode(t, logFile(t, fixtures())))
	})
	if fixtureStore == nil {
		t.Fatal("fixture store failed")
	}
	return fixtureStore
}

// onceTB keeps a store built once alive past the test that built it, in a
// directory TestMain removes.
type onceTB struct{ *testing.T }

func (o *onceTB) Cleanup(func())  {}
func (o *onceTB) TempDir() string { return tempDir }

var tempDir string

func TestMain(m *testing.M) {
	var err error
	if tempDir, err = os.MkdirTemp("", "cairn-search-"); err != nil {
		panic(err)
	}
	code := m.Run()
	if fixtureStore != nil {
		fixtureStore.Close()
	}
	os.RemoveAll(tempDir)
	if benchStore != nil {
		benchStore.Close()
	}
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// search compiles and runs q.
func search(t *testing.T, s *duckdb.Store, q string, opts Options) *duckdb.Result {
	t.Helper()
	st, err := Compile(q, opts)
	if err != nil {
		t.Fatalf("Compile(%q): %v", q, err)
	}
	res, err := s.Query(context.Background(), st.SQL, 0, st.Args...)
	if err != nil {
		t.Fatalf("query %q: %v\n%s\nargs %#v", q, err, st.SQL, st.Args)
	}
	return res
}

// colOf returns one column of a result as text.
func colOf(t *testing.T, res *duckdb.Result, name string) []string {
	t.Helper()
	i := slices.Index(res.Columns, name)
	if i < 0 {
		t.Fatalf("no column %s in %v", name, res.Columns)
	}
	out := make([]string, len(res.Rows))
	for r, row := range res.Rows {
		if row[i] == nil {
			out[r] = "NULL"
		} else {
			out[r] = fmt.Sprint(row[i])
		}
	}
	return out
}

func sorted(xs []string) []string { xs = slices.Clone(xs); slices.Sort(xs); return xs }

// The seed's five questions, asked in the query language.
func TestSeedQueries(t *testing.T) {
	s := fixtureDB(t)
	for _, tc := range []struct {
		name, query string
		want        []string
	}{
		{"failed API calls", `error_code:*`, []string{"e09", "e10", "e16", "e20"}},
		{"IAM changes", `event_source:iam.amazonaws.com AND read_only:false`, []string{"e05", "e06", "e07", "e20"}},
		{"root account usage", `userIdentity.type:Root`, []string{"e04", "e05"}},
		{"unauthorized access attempts", `errorCode:(AccessDenied OR *UnauthorizedOperation)`, []string{"e09", "e10", "e16"}},
		{"console logins", `eventName:ConsoleLogin`, []string{"e01", "e02", "e03", "e04", "e19"}},
		{"failed console logins", `event_name:ConsoleLogin AND status:Failure`, []string{"e02", "e03"}},
		{"console logins without MFA", `event_name:ConsoleLogin AND session_mfa:false AND status:success`, []string{"e04", "e19"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := colOf(t, search(t, s, tc.query, Options{}), "event_id")
			if !slices.Equal(sorted(got), tc.want) {
				t.Errorf("%s: got %v, want %v", tc.query, sorted(got), tc.want)
			}
			// Newest first.
			if !slices.IsSortedFunc(got, func(a, b string) int { return strings.Compare(b, a) }) {
				t.Errorf("%s: not newest first: %v", tc.query, got)
			}
		})
	}
}

// Every operator of the filter, against the fixtures.
func TestFilterResults(t *testing.T) {
	s := fixtureDB(t)
	for _, tc := range []struct{ query, want string }{
		{`event_name:consolelogin`, "e01 e02 e03 e04 e19"},
		{`eventName:"ConsoleLogin"`, "e01 e02 e03 e04 e19"},
		{`api.operation:Delete*`, "e13 e16 e20"},
		{`event.action:Delete????`, "e20"},
		{`event.action:Delete??????`, "e16"},
		{`event_name:*Bucket*`, "e10 e16 e17 e22"},
		{`user_name:svc_%admin`, "e22"},
		{`user_name:svc_\%admin`, "e22"},
		{`user_name:svc?%admin`, "e22"},
		{`user_name:svc\_*`, "e22"},
		{`user_name:s_c*`, ""},
		{`user_name:/^(alice|bob)$/ AND event_source:s3.amazonaws.com`, "e10 e16 e17"},
		{`NOT error_code:AccessDenied AND event_source:s3.amazonaws.com`, "e17 e22"},
		{`-error_code:AccessDenied event_source:s3.amazonaws.com`, "e17 e22"},
		{`event_source:s3.amazonaws.com !errorCode:*`, "e17 e22"},
		{`event_source:s3.amazonaws.com AND error_code!=AccessDenied`, "e17 e22"},
		{`(event_name:CreateUser OR event_name:DeleteUser) AND user_name:alice`, "e06 e20"},
		{`event_name:(CreateUser OR DeleteUser OR AttachUserPolicy)`, "e06 e07 e20"},
		{`event_name:(CreateUser DeleteUser)`, ""},
		{`source_ip:203.0.113.0/24`, "e02 e03 e09 e10"},
		{`sourceIPAddress:10.0.0.0/8`, "e11 e12 e14 e22"},
		{`source.ip:10.1.0.0/16`, "e11 e12"},
		{`src_endpoint.ip:2001:db8::/32`, "e04 e05 e16"},
		{`source_ip:2001:db8:0:1::/64`, "e16"},
		{`source_ip:2001:DB8::10`, "e04 e05"},
		{`source_ip:0.0.0.0/0`, "e01 e02 e03 e06 e07 e08 e09 e10 e11 e12 e13 e14 e17 e18 e19 e20 e22"},
		{`source_ip:[10.0.0.0 TO 10.1.2.3]`, "e11 e14 e22"},
		{`source_ip:[10.0.0.0 TO 10.1.2.3}`, "e14 e22"},
		{`time:[2024-05-02 TO 2024-05-03}`, "e16 e17"},
		{`time:[2024-05-02 TO 2024-05-03]`, "e16 e17 e18 e19 e20 e21 e22"},
		{`time:{2024-05-01 TO *]`, "e16 e17 e18 e19 e20 e21 e22"},
		{`time:2024-05-02`, "e16 e17"},
		{`@timestamp:"2024-05-01T08:05:00Z"`, "e02"},
		{`time:>=2024-05-03T02:00:00Z`, "e20 e21 e22"},
		{`time:>2024-05-03T02:00:00Z`, "e21 e22"},
		{`time:<2024-05-01T08:06:00Z`, "e01 e02"},
		{`time:<=2024-05-01T08:06:00Z`, "e01 e02 e03"},
		{`eventTime<2024-05-01T08:06:00Z`, "e01 e02"},
		{`time:<now-3650d`, ""},
		{`read_only:true AND event_source:iam.amazonaws.com`, "e08"},
		{`readOnly:yes AND eventSource:iam.amazonaws.com`, "e08"},
		{`class_uid:6003 AND activity_id:4`, "e13 e16 e20"},
		{`activity_id:[3 TO 4] AND event_source:ec2.amazonaws.com`, "e12"},
		{`activity_id>=4 event_source:iam.amazonaws.com`, "e20"},
		{`requestParameters.policyArn:*AdministratorAccess`, "e07"},
		{`request_parameters.userName:MALLORY`, "e06 e07 e20"},
		{`requestParameters.instancesSet.items.imageId:ami-0002`, "e11"},
		{`requestParameters.instancesSet.items.minCount:>=2`, "e11"},
		{`requestParameters.instancesSet.items.minCount:[0 TO 1]`, "e11"},
		{`requestParameters.ipPermissions.items.ipRanges.items.cidrIp:"0.0.0.0/0"`, "e12"},
		{`requestParameters.bucketPolicy.Statement.Principal:\*`, "e17"},
		{`resources.ARN:*role/deploy`, "e15"},
		{`responseElements.accessKey.userName:alice`, "e05"},
		{`requestParameters.bucketName:* AND NOT requestParameters.bucketName:payroll`, "e17"},
		{`userIdentity.accountId:111122223333 AND event_name:AssumeRole`, ""},
		{`userIdentity.sessionContext.sessionIssuer.userName:deploy`, "e11 e12"},
		{`userIdentity.sessionContext.sessionIssuer.arn:*deploy`, "e11 e12"},
		{`source:aws-cloudtrail AND event_name:AssumeRole`, "e15"},
		{`source:aws.cloudtrail AND event_name:AssumeRole`, "e15"},
		{`"main-trail"`, "e13 e14"},
		{`Terraform`, "e14"},
		{`mallory AND NOT event_name:DeleteUser`, "e06 e07"},
		{`/ami-000[12]/`, "e11"},
		{`_exists_:error_code AND event_source:iam.amazonaws.com`, "e20"},
		{`user_agent:"Mozilla'; DROP TABLE events; --"`, "e22"},
		{`requestParameters.note:"it's \"quoted\" \\ back"`, "e22"},
		{`invoked_by:* OR user_type:Root`, "e04 e05 e15 e21"},
		{`*`, "e01 e02 e03 e04 e05 e06 e07 e08 e09 e10 e11 e12 e13 e14 e15 e16 e17 e18 e19 e20 e21 e22"},
		{`*:* AND user_name:carol`, "e18 e19"},
		{`cloud.region:eu-west-1 OR aws_region:ap-southeast-2`, "e17 e18"},
		{`level:ERROR AND NOT error_code:*`, "e02 e03"},
		{`event_type:AwsServiceEvent || user_name:carol && event_name:Get*`, "e18 e21"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			got := strings.Join(sorted(colOf(t, search(t, s, tc.query, Options{}), "event_id")), " ")
			if got != tc.want {
				t.Errorf("%s\n got: %s\nwant: %s", tc.query, got, tc.want)
			}
		})
	}
}

// The time range of Options bounds every query.
func TestTimeRange(t *testing.T) {
	s := fixtureDB(t)
	from := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	to := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	got := strings.Join(sorted(colOf(t, search(t, s, `*`, Options{From: from, To: to}), "event_id")), " ")
	if got != "e06 e07 e08 e09 e10" {
		t.Errorf("from/to: got %s", got)
	}
	got = strings.Join(colOf(t, search(t, s, `*`, Options{From: from, To: to, Limit: 2}), "event_id"), " ")
	if got != "e10 e09" {
		t.Errorf("limit 2, newest first: got %s", got)
	}
}
