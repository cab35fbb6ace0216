package detect

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/cloudtrail"
	"github.com/cairn-sec/cairn/duckdb"
	"github.com/cairn-sec/cairn/rulepack"
	"github.com/cairn-sec/cairn/sigma"
)

// The shipped pack's first-seen rule and the correlation built on it.
const (
	regionRule = "411666a2-89b1-593d-afef-3a7659653c13" // principal_region_activity
	burstRule  = "fa1d2b6d-4305-58dd-830e-6754972b508e" // principal_multi_region_burst
)

// shippedEngine builds an engine on the shipped rule pack with its
// new_value attributes, as cairn collect does.
func shippedEngine(t *testing.T, max int) *Engine {
	t.Helper()
	rules, errs := rulepack.Load(rulepack.Options{})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	specs, errs := rulepack.NewValues(rules)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	e, err := New(Options{Rules: rules, NewValues: specs, MaxFirstSeen: max})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// change is a write call by principal arn in region at t.
func change(id, arn, region string, t time.Time) *cairn.Event {
	raw := fmt.Sprintf(`{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","accountId":"111111111111","arn":%q,"userName":"u"},`+
		`"eventTime":%q,"eventSource":"ec2.amazonaws.com","eventName":"CreateTags","awsRegion":%q,"sourceIPAddress":"203.0.113.9",`+
		`"readOnly":false,"eventID":%q,"recipientAccountId":"111111111111"}`, arn, t.Format(time.RFC3339), region, id)
	var ev cairn.Event
	if err := cloudtrail.Normalize([]byte(raw), &ev); err != nil {
		panic(err)
	}
	return &ev
}

// alertsOf lists the stored alerts of one rule.
func alertsOf(t *testing.T, s *duckdb.Store, rule string) []cairn.Alert {
	t.Helper()
	as, err := s.ListAlerts(context.Background(), cairn.AlertFilter{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	var out []cairn.Alert
	for _, a := range as {
		if a.RuleID == rule {
			out = append(out, a)
		}
	}
	return out
}

// stateGen is the first-seen state's generation (of its blob or latest
// delta) and stored size (blob and deltas).
func stateGen(t *testing.T, s *duckdb.Store) (int64, int) {
	t.Helper()
	return stateGenOf(t, s, firstSeenStateName)
}

// stateGenOf is stateGen for any named state.
func stateGenOf(t *testing.T, s *duckdb.Store, name string) (int64, int) {
	t.Helper()
	var gen, size sql.NullInt64
	err := s.DB().QueryRowContext(context.Background(), `SELECT max(g), sum(n) FROM (
		SELECT generation g, length(state) n FROM detect_state WHERE name = $1
		UNION ALL SELECT generation, length(delta) FROM detect_state_deltas WHERE name = $1)`, name).Scan(&gen, &size)
	if err != nil {
		t.Fatal(err)
	}
	return gen.Int64, int(size.Int64)
}

// A principal acting in us-east-1 while the rule learns, then in eu-west-1
// after the learning week, raises one alert for eu-west-1, across engine
// restarts; acting there again raises nothing; a rolled-back transaction
// does not learn; the matches still feed the several-regions correlation.
func TestFirstSeenStreaming(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	alice := "arn:aws:iam::111111111111:user/alice"
	t0 := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	day := 24 * time.Hour

	e := shippedEngine(t, 0)
	commit(t, s, e, []*cairn.Event{change("c-1", alice, "us-east-1", t0)})
	commit(t, s, e, []*cairn.Event{change("c-2", alice, "us-east-1", t0.Add(day)), change("c-3", alice, "us-east-1", t0.Add(day+time.Minute))})
	if as := alertsOf(t, s, regionRule); len(as) != 0 {
		t.Fatalf("alerts during learning: %+v", as)
	}
	gen, size := stateGen(t, s)
	if gen == 0 || size == 0 {
		t.Fatalf("first-seen state not saved: generation %d, %d bytes", gen, size)
	}

	// Restart: the new engine knows us-east-1 and when learning began.
	e = shippedEngine(t, 0)
	after := t0.Add(8 * day)
	commit(t, s, e, []*cairn.Event{change("c-4", alice, "us-east-1", after), change("c-5", alice, "eu-west-1", after.Add(time.Minute))})
	as := alertsOf(t, s, regionRule)
	if len(as) != 1 {
		t.Fatalf("after learning: %d alerts, want 1 (eu-west-1): %+v", len(as), as)
	}
	a := as[0]
	if a.GroupKey != "userIdentity.arn="+alice+"|awsRegion=eu-west-1" || a.Fields["awsRegion"] != "eu-west-1" ||
		a.Fields["userIdentity.arn"] != alice || a.Count != 1 || len(a.SampleEventIDs) != 1 || a.SampleEventIDs[0] != "c-5" {
		t.Errorf("alert %+v", a)
	}

	// Again in eu-west-1, after another restart: nothing new.
	e = shippedEngine(t, 0)
	commit(t, s, e, []*cairn.Event{change("c-6", alice, "eu-west-1", after.Add(3*time.Hour))})
	if as := alertsOf(t, s, regionRule); len(as) != 1 || as[0].Count != 1 {
		t.Errorf("eu-west-1 again: %+v", as)
	}
	// A known pair seen again within the granularity (forget/100 = 21.6h)
	// of the last save does not rewrite the state; a day later it does.
	gen, _ = stateGen(t, s)
	commit(t, s, e, []*cairn.Event{change("c-7", alice, "eu-west-1", after.Add(3*time.Hour+10*time.Minute)),
		change("c-7b", alice, "us-east-1", after.Add(20*time.Hour))})
	if g, _ := stateGen(t, s); g != gen {
		t.Errorf("state rewritten for sightings within the granularity: generation %d → %d", gen, g)
	}
	commit(t, s, e, []*cairn.Event{change("c-7c", alice, "eu-west-1", after.Add(27*time.Hour))})
	if g, _ := stateGen(t, s); g != gen+1 {
		t.Errorf("state not rewritten for a sighting a day later: generation %d → %d", gen, g)
	}

	// A rolled-back transaction does not learn: the retried batch alerts.
	retry := []*cairn.Event{change("c-8", alice, "ap-south-1", t0.Add(9*day))}
	tx, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Append(ctx, retry); err != nil {
		t.Fatal(err)
	}
	if err := e.Detect(ctx, tx); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	commit(t, s, e, retry)
	if as := alertsOf(t, s, regionRule); len(as) != 2 {
		t.Errorf("after a rolled-back transaction and its retry: %d alerts, want 2", len(as))
	}

	// Detection that fails part-way (the alerts could not be written)
	// leaves the transaction to roll back: the retry alerts too.
	failing := []*cairn.Event{change("c-9", alice, "me-south-1", t0.Add(9*day+time.Hour))}
	tx, err = s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Append(ctx, failing); err != nil {
		t.Fatal(err)
	}
	if err := e.Detect(ctx, failingUpsert{tx.(*duckdb.Tx)}); err == nil {
		t.Fatal("Detect did not report the failed alert write")
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	commit(t, s, e, failing)
	if as := alertsOf(t, s, regionRule); len(as) != 3 {
		t.Errorf("after a failed detection and its retry: %d alerts, want 3", len(as))
	}

	// Three new regions within the hour: three first-seen alerts, and the
	// correlation the rule feeds fires.
	t1 := t0.Add(10 * day)
	commit(t, s, e, []*cairn.Event{change("c-10", alice, "us-west-2", t1), change("c-11", alice, "ca-central-1", t1.Add(10*time.Minute)),
		change("c-12", alice, "sa-east-1", t1.Add(20*time.Minute))})
	if as := alertsOf(t, s, regionRule); len(as) != 6 {
		t.Errorf("three new regions: %d alerts, want 6", len(as))
	}
	if as := alertsOf(t, s, burstRule); len(as) != 1 {
		t.Errorf("several-regions correlation: %d alerts, want 1", len(as))
	}
}

// failingUpsert is a real transaction whose alert write fails.
type failingUpsert struct{ *duckdb.Tx }

func (failingUpsert) UpsertAlerts(context.Context, []cairn.Alert, time.Duration) (cairn.AlertCounts, error) {
	return cairn.AlertCounts{}, errors.New("disk full")
}

// The memory is capped, in the engine and in the state it saves.
func TestFirstSeenBounded(t *testing.T) {
	s := openStore(t)
	e := shippedEngine(t, 20)
	t0 := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	var evs []*cairn.Event
	for i := range 200 {
		evs = append(evs, change(fmt.Sprintf("b-%d", i), fmt.Sprintf("arn:aws:iam::111111111111:user/u%d", i), "us-east-1", t0.Add(time.Duration(i)*time.Second)))
	}
	commit(t, s, e, evs)
	if n := e.seen.Len(); n > 20 {
		t.Errorf("%d combinations in memory, cap 20", n)
	}
	if n := testutil.ToFloat64(e.m.seenKeys); n != float64(e.seen.Len()) || testutil.ToFloat64(e.m.seenBytes) == 0 {
		t.Errorf("metrics: %v combinations, %v bytes", n, testutil.ToFloat64(e.m.seenBytes))
	}
	for _, ri := range e.Rules() {
		if ri.ID == regionRule && fmt.Sprint(ri.NewValue) != "[userIdentity.sessionContext.sessionIssuer.arn or userIdentity.arn awsRegion]" {
			t.Errorf("rule info: %+v", ri)
		}
	}
	e = shippedEngine(t, 20)
	commit(t, s, e, nil) // loads the state
	if n := e.seen.Len(); n == 0 || n > 20 {
		t.Errorf("%d combinations restored, want 1..20", n)
	}
	// The most recent principal is remembered, the first one forgotten.
	seen := e.seen
	var region *sigma.Rule
	for r := range e.specs {
		region = r
	}
	last, first := evs[len(evs)-1], evs[0]
	var pe sigma.Event
	for _, c := range []struct {
		ev   *cairn.Event
		want bool
	}{{last, false}, {first, true}} {
		if err := pe.Reset(c.ev.Raw); err != nil {
			t.Fatal(err)
		}
		if obs := seen.Record(region, &pe, c.ev.Time.Add(time.Minute)); obs.Changed != c.want {
			t.Errorf("%s: changed %v, want %v", c.ev.EventID, obs.Changed, c.want)
		}
	}
}

// The memory is saved as deltas, and as a full state that replaces them
// when they grow; a restart reads the full state and the deltas after it.
func TestFirstSeenDeltasAndFullStates(t *testing.T) {
	defer func(n int) { maxStateDeltas = n }(maxStateDeltas)
	maxStateDeltas = 2
	s := openStore(t)
	t0 := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	regions := []string{"us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2", "eu-central-1"}
	e := shippedEngine(t, 0)
	for i, r := range regions {
		// One new principal per batch, learned (the rule learns a week).
		who := fmt.Sprintf("arn:aws:iam::111111111111:user/u%d", i)
		commit(t, s, e, []*cairn.Event{change(fmt.Sprintf("l-%d", i), who, r, t0.Add(time.Duration(i)*time.Hour))})
	}
	var blobs, deltas int
	if err := s.DB().QueryRow(`SELECT (SELECT count(*) FROM detect_state WHERE name = $1), (SELECT count(*) FROM detect_state_deltas WHERE name = $1)`,
		firstSeenStateName).Scan(&blobs, &deltas); err != nil {
		t.Fatal(err)
	}
	if blobs != 1 || deltas > maxStateDeltas {
		t.Fatalf("stored: %d full states, %d deltas; want 1 and at most %d", blobs, deltas, maxStateDeltas)
	}
	// After a restart, every learned pair is known and a new one alerts.
	e = shippedEngine(t, 0)
	late := t0.Add(10 * 24 * time.Hour)
	var evs []*cairn.Event
	for i, r := range regions {
		evs = append(evs, change(fmt.Sprintf("k-%d", i), fmt.Sprintf("arn:aws:iam::111111111111:user/u%d", i), r, late))
	}
	evs = append(evs, change("new", "arn:aws:iam::111111111111:user/u0", "ap-south-1", late.Add(time.Minute)))
	commit(t, s, e, evs)
	as := alertsOf(t, s, regionRule)
	if len(as) != 1 || as[0].SampleEventIDs[0] != "new" {
		t.Fatalf("after restart: %d alerts, want 1 for the new region: %+v", len(as), as)
	}
}
