package detect

import (
	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the engine's Prometheus metrics.
type metrics struct {
	rules     *prometheus.GaugeVec   // rules loaded, by kind and source
	evaluated prometheus.Counter     // events evaluated in streaming
	matches   *prometheus.CounterVec // detection and correlation matches, by rule
	alerts    *prometheus.CounterVec // alert upserts, by outcome (created, updated, unchanged)
	errors    *prometheus.CounterVec // records that could not be evaluated, by reason
	seconds   prometheus.Histogram   // evaluation time per transaction
	state     prometheus.Gauge       // bytes of the persisted correlation state
	seenKeys  prometheus.Gauge       // value combinations the first-seen memory holds
	seenBytes prometheus.Gauge       // bytes of the persisted first-seen state
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		rules:     prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "cairn_detect_rules_loaded", Help: "Rules loaded, by kind (detection, correlation) and event source (\"\" = no source Cairn collects)."}, []string{"kind", "source"}),
		evaluated: prometheus.NewCounter(prometheus.CounterOpts{Name: "cairn_detect_events_evaluated_total", Help: "Events evaluated against the rules as they were committed."}),
		matches:   prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cairn_detect_matches_total", Help: "Rule matches (detection and correlation), by rule."}, []string{"rule"}),
		alerts:    prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cairn_detect_alerts_total", Help: "Alerts written, by outcome (created, updated, unchanged)."}, []string{"outcome"}),
		errors:    prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cairn_detect_errors_total", Help: "Records that could not be evaluated, by reason."}, []string{"reason"}),
		seconds: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "cairn_detect_eval_seconds", Help: "Seconds spent evaluating (and recording alerts for) one write transaction.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 16)}),
		state:     prometheus.NewGauge(prometheus.GaugeOpts{Name: "cairn_detect_correlation_state_bytes", Help: "Size of the persisted correlation state."}),
		seenKeys:  prometheus.NewGauge(prometheus.GaugeOpts{Name: "cairn_detect_first_seen_combinations", Help: "Value combinations the first-seen (cairn.new_value) memory holds."}),
		seenBytes: prometheus.NewGauge(prometheus.GaugeOpts{Name: "cairn_detect_first_seen_state_bytes", Help: "Size of the persisted first-seen state."}),
	}
	if reg != nil {
		reg.MustRegister(m.rules, m.evaluated, m.matches, m.alerts, m.errors, m.seconds, m.state, m.seenKeys, m.seenBytes)
	}
	return m
}
