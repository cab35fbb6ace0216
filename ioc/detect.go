package ioc

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cairn-sec/cairn"
)

// Tx is what IOC detection needs from a store's write transaction
// (duckdb.Tx implements it).
type Tx interface {
	// Inserted returns the events the transaction stores, duplicates of
	// stored events left out.
	Inserted(ctx context.Context) ([]*cairn.Event, error)
	// UpsertAlerts records alerts with suppression.
	UpsertAlerts(ctx context.Context, alerts []cairn.Alert, window time.Duration) (cairn.AlertCounts, error)
}

// SetSource gives the current indicator set (a *Watcher).
type SetSource interface{ Set() *Set }

// DetectorOptions configure a Detector.
type DetectorOptions struct {
	Sets SetSource
	// Severity of IOC alerts, by list name; DefaultSeverity otherwise.
	Severity        map[string]string
	DefaultSeverity string        // default "high"
	Suppression     time.Duration // matches of one indicator within this window update one alert
	Registry        prometheus.Registerer
}

// Detector raises an alert of kind "ioc" for every event a write
// transaction stores that matches an indicator, in that transaction.
// It implements ingest.Detector.
type Detector struct {
	opts    DetectorOptions
	matches *prometheus.CounterVec
	alerts  *prometheus.CounterVec
}

// NewDetector returns a detector over the sets opts.Sets gives.
func NewDetector(opts DetectorOptions) *Detector {
	if opts.DefaultSeverity == "" {
		opts.DefaultSeverity = "high"
	}
	d := &Detector{opts: opts,
		matches: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cairn_ioc_matches_total", Help: "Indicator matches in stored events, by list, indicator type and event field."}, []string{"list", "type", "field"}),
		alerts:  prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cairn_ioc_alerts_total", Help: "IOC alerts written, by result (created, updated, unchanged)."}, []string{"result"}),
	}
	if opts.Registry != nil {
		opts.Registry.MustRegister(d.matches, d.alerts)
	}
	return d
}

// Detect matches the events the transaction stores and records the alerts
// in it. An error means the transaction must not commit.
func (d *Detector) Detect(ctx context.Context, wtx cairn.WriteTx) error {
	set := d.opts.Sets.Set()
	if set.Len() == 0 {
		return nil
	}
	tx, ok := wtx.(Tx)
	if !ok {
		return fmt.Errorf("ioc: the store's transaction (%T) cannot record alerts", wtx)
	}
	evs, err := tx.Inserted(ctx)
	if err != nil {
		return fmt.Errorf("ioc: %w", err)
	}
	alerts := d.Alerts(set, evs)
	if len(alerts) == 0 {
		return nil
	}
	n, err := tx.UpsertAlerts(ctx, alerts, d.opts.Suppression)
	if err != nil {
		return fmt.Errorf("ioc: %w", err)
	}
	d.alerts.WithLabelValues("created").Add(float64(n.Created))
	d.alerts.WithLabelValues("updated").Add(float64(n.Updated))
	d.alerts.WithLabelValues("unchanged").Add(float64(n.Unchanged))
	return nil
}

// Alerts matches events against set and returns their alerts, matches of
// one indicator (from one list) within the suppression window folded into
// one.
func (d *Detector) Alerts(set *Set, evs []*cairn.Event) []cairn.Alert {
	var (
		out    []cairn.Alert
		byKey  = map[string]int{} // rule + group → index in out of its latest alert
		buf    []Match
		window = d.opts.Suppression
	)
	seen := map[string]bool{}
	for _, ev := range evs {
		buf = set.Match(ev, buf[:0])
		clear(seen)
		for _, m := range buf {
			d.matches.WithLabelValues(m.Indicator.List, string(m.Indicator.Type), m.Field).Inc()
			a := d.alert(m, ev)
			key := a.RuleID + "\x00" + a.GroupKey
			if seen[key] {
				continue // one event counts once per indicator, however many fields name it
			}
			seen[key] = true
			if i, ok := byKey[key]; ok && out[i].Absorbs(&a, window) {
				out[i].Merge(&a)
				continue
			}
			byKey[key] = len(out)
			out = append(out, a)
		}
	}
	for i := range out {
		out[i].SetID()
	}
	return out
}

// alert is the alert for one match: rule = the list, group = the
// indicator, so repeated sightings of one indicator fold into one alert.
func (d *Detector) alert(m Match, ev *cairn.Event) cairn.Alert {
	ind := m.Indicator
	sev := d.opts.Severity[ind.List]
	if sev == "" {
		sev = d.opts.DefaultSeverity
	}
	fields := map[string]string{
		"indicator": ind.Value, "indicator_type": string(ind.Type), "list": ind.List,
		"field": m.Field, "value": m.Value,
	}
	for k, v := range map[string]string{"indicator_source": ind.Source, "indicator_name": ind.Name,
		"indicator_description": ind.Description, "indicator_labels": strings.Join(ind.Labels, ",")} {
		if v != "" {
			fields[k] = v
		}
	}
	title := fmt.Sprintf("IOC %s %s (list %s) in %s", ind.Type, ind.Value, ind.List, m.Field)
	if ind.Name != "" {
		title += ": " + ind.Name
	}
	var samples []string
	if ev.EventID != "" {
		samples = []string{ev.EventID}
	}
	return cairn.Alert{Kind: cairn.AlertIOC, RuleID: ind.List, Title: title, Severity: sev, Tags: ind.Labels,
		Source: ev.Source, GroupKey: string(ind.Type) + "|" + ind.Value, Fields: fields,
		FirstSeen: ev.Time, LastSeen: ev.Time, Count: 1, SampleEventIDs: samples}
}
