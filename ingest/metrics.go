package ingest

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the pipeline's Prometheus metrics, registered on the
// registerer given to NewMetrics.
type Metrics struct {
	MessagesReceived *prometheus.CounterVec // messages received, by queue
	MessagesDeleted  *prometheus.CounterVec // messages deleted after commit (or ignorable), by queue
	MessagesReleased *prometheus.CounterVec // messages made visible again for retry, by queue and reason
	MessagesIgnored  *prometheus.CounterVec // test events and subscription confirmations, by shape
	Notifications    *prometheus.CounterVec // notifications parsed, by shape
	Objects          *prometheus.CounterVec // objects finished, by kind and outcome (committed, skipped, failed)
	Events           prometheus.Counter     // events stored
	Duplicates       prometheus.Counter     // events dropped because their ID was already stored
	Bytes            *prometheus.CounterVec // bytes read, by stage (compressed, raw)
	Errors           *prometheus.CounterVec // errors, by reason
	Rejected         *prometheus.CounterVec // bad records stored in ingest_errors, by reason
	InFlight         prometheus.Gauge       // messages being processed
	Lag              prometheus.Histogram   // seconds from the object's time to its commit
	QueueDepth       *prometheus.GaugeVec   // queue messages, by queue and state (visible, in_flight)
	Commits          prometheus.Histogram   // seconds per store commit
	Skipped          *prometheus.CounterVec // records read and deliberately not stored (CloudWatch Logs control messages), by reason
}

// NewMetrics creates the metrics and registers them on reg (nil: not
// registered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		MessagesReceived: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cairn_sqs_messages_received_total", Help: "SQS messages received."}, []string{"queue"}),
		MessagesDeleted:  prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cairn_sqs_messages_deleted_total", Help: "SQS messages deleted after everything they point to was committed."}, []string{"queue"}),
		MessagesReleased: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cairn_sqs_messages_released_total", Help: "SQS messages released for a later retry."}, []string{"queue", "reason"}),
		MessagesIgnored:  prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cairn_sqs_messages_ignored_total", Help: "SQS messages acknowledged without work (test events, subscription confirmations)."}, []string{"shape"}),
		Notifications:    prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cairn_notifications_total", Help: "Notifications parsed, by shape."}, []string{"shape"}),
		Objects:          prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cairn_objects_total", Help: "Objects finished, by kind and outcome."}, []string{"kind", "outcome"}),
		Events:           prometheus.NewCounter(prometheus.CounterOpts{Name: "cairn_events_total", Help: "Events stored."}),
		Duplicates:       prometheus.NewCounter(prometheus.CounterOpts{Name: "cairn_events_duplicate_total", Help: "Events not stored because their event ID was already stored."}),
		Bytes:            prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cairn_bytes_total", Help: "Bytes read from objects, compressed and decompressed."}, []string{"stage"}),
		Errors:           prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cairn_errors_total", Help: "Errors, by reason."}, []string{"reason"}),
		Rejected:         prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cairn_records_rejected_total", Help: "Bad records stored in ingest_errors."}, []string{"reason"}),
		InFlight:         prometheus.NewGauge(prometheus.GaugeOpts{Name: "cairn_inflight_messages", Help: "Messages being processed."}),
		Lag: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "cairn_lag_seconds", Help: "Seconds from an object's time to the commit of its events.",
			Buckets: prometheus.ExponentialBuckets(0.5, 2, 16)}),
		QueueDepth: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "cairn_queue_messages", Help: "Messages in the queue, by state."}, []string{"queue", "state"}),
		Commits: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "cairn_commit_seconds", Help: "Seconds per store commit.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14)}),
	}
	m.Skipped = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cairn_records_skipped_total", Help: "Records read and deliberately not stored, by reason."}, []string{"reason"})
	if reg != nil {
		reg.MustRegister(m.Skipped)
		reg.MustRegister(m.MessagesReceived, m.MessagesDeleted, m.MessagesReleased, m.MessagesIgnored, m.Notifications,
			m.Objects, m.Events, m.Duplicates, m.Bytes, m.Errors, m.Rejected, m.InFlight, m.Lag, m.QueueDepth, m.Commits)
	}
	return m
}
