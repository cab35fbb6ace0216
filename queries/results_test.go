package queries_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/cloudtrail"
	"github.com/cairn-sec/cairn/duckdb"
	"github.com/cairn-sec/cairn/queries"
	"github.com/cairn-sec/cairn/search"
)

type collectEvents struct{ evs []*cairn.Event }

func (c *collectEvents) Emit(ev *cairn.Event) error { c.evs = append(c.evs, ev); return nil }
func (c *collectEvents) Reject(e cairn.IngestError) error {
	return fmt.Errorf("fixture record rejected: %s", e.Detail)
}

// openFixture writes testdata/events.json through the CloudTrail decoder
// and the store's writer into a new store.
func openFixture(t *testing.T) *duckdb.Store {
	t.Helper()
	ctx := context.Background()
	st, err := duckdb.Open(ctx, duckdb.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f, err := os.Open("testdata/events.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out collectEvents
	if err := (cloudtrail.Decoder{}).Decode(ctx, f, cairn.ObjectRef{Bucket: "b", Key: "events.json", ETag: "1"}, &out); err != nil {
		t.Fatal(err)
	}
	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Append(ctx, out.evs); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	return st
}

func run(t *testing.T, st *duckdb.Store, q string) *duckdb.Result {
	t.Helper()
	stmt, err := search.Compile(q, search.Options{})
	if err != nil {
		t.Fatalf("%s:\n%v", q, err)
	}
	res, err := st.Query(context.Background(), stmt.SQL, 0, stmt.Args...)
	if err != nil {
		t.Fatalf("%s: %v\n%s", q, err, stmt.SQL)
	}
	return res
}

func col(t *testing.T, res *duckdb.Result, name string) []string {
	t.Helper()
	i := slices.Index(res.Columns, name)
	if i < 0 {
		t.Fatalf("no column %s in %v", name, res.Columns)
	}
	var out []string
	for _, row := range res.Rows {
		out = append(out, fmt.Sprint(row[i]))
	}
	slices.Sort(out)
	return out
}

// The saved queries that filter events return exactly the fixture's
// matching events (testdata/events.json, e01..e31).
func TestSavedQueriesFindTheRightEvents(t *testing.T) {
	st := openFixture(t)
	lib, err := queries.Load(queries.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		// The seed's five.
		"failed-api-calls":             "e11 e12 e13 e14 e15 e16",
		"iam-changes":                  "e06 e07 e08 e11 e19 e25",
		"root-account-usage":           "e04 e05",
		"unauthorized-access-attempts": "e11 e12 e13 e14",
		"console-logins":               "e01 e02 e03 e04",
		// And the others with a fixture event.
		"console-logins-without-mfa":   "e02",
		"access-keys-created":          "e08",
		"new-iam-users":                "e06",
		"admin-policy-attached":        "e07",
		"mfa-device-deactivated":       "e19",
		"cloudtrail-tampering":         "e17",
		"security-group-open-to-world": "e18",
		"public-bucket-policy":         "e21",
		"snapshot-sharing":             "e22",
		"kms-key-disable-or-deletion":  "e23",
		"password-policy-changes":      "e25",
		"s3-bucket-deletions":          "e26",
		"guardduty-tampering":          "e27",
		"public-bucket-acl":            "e28",
		"log-deletion":                 "e29",
		"config-tampering":             "e30",
	}
	for name, ids := range want {
		t.Run(name, func(t *testing.T) {
			q, ok := lib.Get(name)
			if !ok {
				t.Fatalf("no saved query %s", name)
			}
			got := strings.Join(col(t, run(t, st, q.Query), "event_id"), " ")
			if got != ids {
				t.Fatalf("%s\ngot  [%s]\nwant [%s]", q.Query, got, ids)
			}
		})
	}
}

// The aggregating queries produce their summary columns.
func TestSavedAggregations(t *testing.T) {
	st := openFixture(t)
	lib, _ := queries.Load(queries.Options{})
	get := func(name string) string { q, _ := lib.Get(name); return q.Query }

	res := run(t, st, get("console-login-failures-by-source"))
	if got := col(t, res, "source_ip"); !slices.Equal(got, []string{"203.0.113.50"}) {
		t.Fatalf("failures by source: %v", got)
	}
	if got := col(t, res, "failures"); !slices.Equal(got, []string{"2"}) {
		t.Fatalf("failures: %v", got)
	}
	res = run(t, st, get("assume-role-from-other-accounts"))
	if got := col(t, res, "calls"); !slices.Equal(got, []string{"1"}) {
		t.Fatalf("cross-account assume role: %v %v", res.Columns, res.Rows)
	}
	res = run(t, st, get("top-talkers-by-source-ip"))
	if len(res.Rows) != 6 || fmt.Sprint(res.Rows[0][0]) != "203.0.113.66" {
		t.Fatalf("top talkers: %v %v", res.Columns, res.Rows)
	}
	res = run(t, st, get("ec2-instances-in-unusual-regions"))
	if got := col(t, res, "aws_region"); !slices.Equal(got, []string{"ap-southeast-3"}) { // e12 failed, e31 succeeded
		t.Fatalf("launches: %v %v", res.Columns, res.Rows)
	}
	res = run(t, st, get("new-regions-by-principal"))
	if got := col(t, res, "aws_region"); !slices.Contains(got, "ap-southeast-3") {
		t.Fatalf("regions by principal: %v", got)
	}
	// Below their thresholds in the fixture.
	for _, name := range []string{"access-denied-bursts-by-principal", "secrets-access-bursts"} {
		if res := run(t, st, get(name)); len(res.Rows) != 0 {
			t.Fatalf("%s: %v", name, res.Rows)
		}
	}
}
