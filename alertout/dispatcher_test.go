package alertout

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/duckdb"
)

// switchable is a webhook endpoint that can be taken down and brought
// back; it counts the deliveries of each alert.
type switchable struct {
	mu   sync.Mutex
	down bool
	seen map[string]int
	hits int
}

func (s *switchable) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hits++
	if s.down {
		http.Error(w, "outage", http.StatusServiceUnavailable)
		return
	}
	var p struct {
		Alert cairn.Alert `json:"alert"`
	}
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.seen[p.Alert.ID]++
}

func (s *switchable) set(down bool) {
	s.mu.Lock()
	s.down = down
	s.mu.Unlock()
}

func (s *switchable) delivered() (map[string]int, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := map[string]int{}
	for k, v := range s.seen {
		m[k] = v
	}
	return m, s.hits
}

func openStore(t *testing.T) *duckdb.Store {
	t.Helper()
	s, err := duckdb.Open(context.Background(), duckdb.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// The output is down while alerts are raised: ingestion (event and alert
// writes) goes on, the alerts stay queued with their failures recorded,
// and once the output is back every alert is delivered exactly once.
func TestDispatcherOutage(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	hook := &switchable{seen: map[string]int{}, down: true}
	srv := newServer(t, hook)
	reg := prometheus.NewRegistry()
	d := NewDispatcher(store, DispatcherOptions{
		Routes:       []Route{{Output: NewWebhook(HTTPOptions{Name: "hook", URL: srv.URL, Secret: "k", Tries: 1}), MinSeverity: "medium"}},
		Poll:         5 * time.Millisecond,
		RetryBackoff: 5 * time.Millisecond,
		MaxBackoff:   20 * time.Millisecond,
		Registry:     reg,
	})
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); d.Run(rctx) }()
	defer func() { cancel(); <-done }()

	t0 := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	var ids []string
	for i := range 5 {
		// Each "commit" stores events and an alert together, as ingest does.
		tx, err := store.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ev := &cairn.Event{Time: t0.Add(time.Duration(i) * time.Second), Source: "aws.cloudtrail", EventID: fmt.Sprintf("e%d", i), EventName: "ConsoleLogin"}
		if err := tx.Append(ctx, []*cairn.Event{ev}); err != nil {
			t.Fatal(err)
		}
		a := cairn.Alert{Kind: cairn.AlertSigma, RuleID: fmt.Sprintf("r%d", i), Title: "t", Severity: "high", GroupKey: "g",
			FirstSeen: ev.Time, LastSeen: ev.Time, Count: 1, SampleEventIDs: []string{ev.EventID}}
		a.SetID()
		ids = append(ids, a.ID)
		if _, err := tx.(*duckdb.Tx).UpsertAlerts(ctx, []cairn.Alert{a}, time.Hour); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// A low alert is below the output's threshold: never sent.
	low := cairn.Alert{Kind: cairn.AlertSigma, RuleID: "low", Title: "t", Severity: "low", GroupKey: "g", FirstSeen: t0, LastSeen: t0, Count: 1}
	if _, err := store.UpsertAlerts(ctx, []cairn.Alert{low}, time.Hour); err != nil {
		t.Fatal(err)
	}

	// Failures pile up and are recorded; the queue shows all five.
	waitFor(t, "failed attempts", func() bool {
		return testutil.ToFloat64(d.deliveries.WithLabelValues("hook", "failed")) >= 10
	})
	if n := testutil.ToFloat64(d.queue.WithLabelValues("hook")); n < 1 || n > 5 {
		t.Errorf("queue gauge %v during the outage", n)
	}
	due, err := store.DueAlerts(ctx, cairn.DeliveryQuery{Output: "hook", MinSeverity: "medium", Now: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 5 {
		t.Fatalf("%d alerts pending during the outage, want 5", len(due))
	}
	for _, a := range due {
		if a.Delivery.Attempts == 0 || a.Delivery.LastError == "" {
			t.Errorf("alert %s: no failure recorded: %+v", a.Alert.ID, a.Delivery)
		}
	}

	// Ingestion is not blocked while the output is down.
	tx, err := store.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Append(ctx, []*cairn.Event{{Time: t0, Source: "aws.cloudtrail", EventID: "later", EventName: "x"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}

	hook.set(false)
	waitFor(t, "all five delivered", func() bool { m, _ := hook.delivered(); return len(m) == 5 })
	waitFor(t, "empty queue", func() bool { return testutil.ToFloat64(d.queue.WithLabelValues("hook")) == 0 })
	time.Sleep(50 * time.Millisecond) // more polls: nothing is sent twice
	m, _ := hook.delivered()
	for _, id := range ids {
		if m[id] != 1 {
			t.Errorf("alert %s delivered %d times", id, m[id])
		}
	}
	if got := testutil.ToFloat64(d.deliveries.WithLabelValues("hook", "delivered")); got != 5 {
		t.Errorf("delivered counter %v", got)
	}
}

// A delivered alert that absorbs more matches is re-sent per ResendAfter.
func TestDispatcherResend(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	hook := &switchable{seen: map[string]int{}}
	srv := newServer(t, hook)
	d := NewDispatcher(store, DispatcherOptions{Routes: []Route{{Output: NewWebhook(HTTPOptions{Name: "hook", URL: srv.URL}), ResendAfter: time.Hour}}})
	r := d.opts.Routes[0]
	t0 := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	a := cairn.Alert{Kind: cairn.AlertIOC, RuleID: "feed", Title: "t", Severity: "high", GroupKey: "g", FirstSeen: t0, LastSeen: t0, Count: 1, SampleEventIDs: []string{"a"}}
	a.SetID()
	if _, err := store.UpsertAlerts(ctx, []cairn.Alert{a}, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := d.Deliver(ctx, r); err != nil {
		t.Fatal(err)
	}
	b := a
	b.FirstSeen, b.LastSeen, b.SampleEventIDs = t0.Add(time.Minute), t0.Add(time.Minute), []string{"b"}
	b.SetID()
	if _, err := store.UpsertAlerts(ctx, []cairn.Alert{b}, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := d.Deliver(ctx, r); err != nil {
		t.Fatal(err)
	}
	if m, _ := hook.delivered(); m[a.ID] != 1 {
		t.Fatalf("re-sent too soon: %v", m)
	}
	d.now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	if err := d.Deliver(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := d.Deliver(ctx, r); err != nil {
		t.Fatal(err)
	}
	if m, _ := hook.delivered(); m[a.ID] != 2 {
		t.Fatalf("not re-sent once after ResendAfter: %v", m)
	}
}

func TestBackoff(t *testing.T) {
	d := NewDispatcher(nil, DispatcherOptions{RetryBackoff: time.Second, MaxBackoff: 10 * time.Second})
	for n, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 4: 8 * time.Second, 5: 10 * time.Second, 60: 10 * time.Second} {
		if got := d.backoff(n); got != want {
			t.Errorf("backoff(%d) = %v, want %v", n, got, want)
		}
	}
}
