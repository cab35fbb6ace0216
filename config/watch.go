package config

import (
	"fmt"
	"time"
)

// Watch configures cairn watch: the wiring to check. Empty names are
// discovered: the trail is <name_prefix>-trail, the bucket and topic come
// from the trail, the queue is the first of queues:, the DLQ <queue>-dlq.
type Watch struct {
	Trail           string        `yaml:"trail"`
	Bucket          string        `yaml:"bucket"`
	TopicARN        string        `yaml:"topic_arn"`
	QueueURL        string        `yaml:"queue_url"`
	DLQURL          string        `yaml:"dlq_url"`
	NamePrefix      string        `yaml:"name_prefix"` // resources named <prefix>-… are Cairn's (the templates' NamePrefix)
	Interval        time.Duration `yaml:"interval"`
	Repair          bool          `yaml:"repair"`
	MaxReceiveCount int           `yaml:"max_receive_count"` // of the redrive policy watch re-applies
}

func (w *Watch) validate() []error {
	var errs []error
	if w.Interval != 0 && (w.Interval < 10*time.Second || w.Interval > 24*time.Hour) {
		errs = append(errs, fmt.Errorf("watch.interval %s: must be 10s..24h", w.Interval))
	}
	if w.MaxReceiveCount < 0 || w.MaxReceiveCount > 1000 {
		errs = append(errs, fmt.Errorf("watch.max_receive_count %d: must be 1..1000", w.MaxReceiveCount))
	}
	return errs
}
