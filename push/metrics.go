package push

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the push endpoints' Prometheus metrics.
type Metrics struct {
	Requests   *prometheus.CounterVec   // by endpoint, status
	Records    *prometheus.CounterVec   // by endpoint, outcome: decoded | quarantined
	Events     *prometheus.CounterVec   // by endpoint, outcome: stored | duplicate
	Bytes      *prometheus.CounterVec   // by endpoint, stage: body | decoded
	Duplicates *prometheus.CounterVec   // requests already committed, by endpoint
	Commit     *prometheus.HistogramVec // seconds per commit, by endpoint
}

// NewMetrics registers the metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cairn_push_requests_total",
			Help: "Push requests answered, by endpoint and HTTP status."}, []string{"endpoint", "status"}),
		Records: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cairn_push_records_total",
			Help: "Pushed records (Firehose records, log entries) in committed requests, by outcome."}, []string{"endpoint", "outcome"}),
		Events: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cairn_push_events_total",
			Help: "Events of committed push requests: stored, or dropped as duplicates of stored events."}, []string{"endpoint", "outcome"}),
		Bytes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cairn_push_bytes_total",
			Help: "Push request body bytes read, as received and decompressed."}, []string{"endpoint", "stage"}),
		Duplicates: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cairn_push_duplicate_requests_total",
			Help: "Retried push requests that were committed before (answered 200, nothing stored)."}, []string{"endpoint"}),
		Commit: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "cairn_push_commit_seconds",
			Help: "Seconds per push request commit (waiting for the writer included).", Buckets: prometheus.ExponentialBuckets(0.001, 2, 16)},
			[]string{"endpoint"}),
	}
	if reg != nil {
		reg.MustRegister(m.Requests, m.Records, m.Events, m.Bytes, m.Duplicates, m.Commit)
	}
	return m
}
