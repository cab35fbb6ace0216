package ingest

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/notification"
)

// CollectorOptions configure a Collector.
type CollectorOptions struct {
	Workers       int           // messages processed at once, across queues (default 32)
	Visibility    time.Duration // visibility timeout asked for on receive; keepalive at half (default 5m)
	WaitTime      time.Duration // long-poll wait (default 20s; 1s with Drain)
	RetryBackoff  time.Duration // first release delay after a failure; doubles per receive (default 30s)
	MaxBackoff    time.Duration // cap on the release delay (default 15m, at most 12h)
	Drain         bool          // return once every queue is empty and nothing is in flight
	ShutdownGrace time.Duration // time in-flight messages get to finish after ctx ends (default 30s)
	DepthInterval time.Duration // how often queue depth is sampled (default 30s)
}

func (o *CollectorOptions) defaults() {
	if o.Workers <= 0 {
		o.Workers = 32
	}
	if o.Visibility <= 0 {
		o.Visibility = 5 * time.Minute
	}
	if o.WaitTime <= 0 {
		o.WaitTime = 20 * time.Second
		if o.Drain {
			o.WaitTime = time.Second
		}
	}
	if o.RetryBackoff <= 0 {
		o.RetryBackoff = 30 * time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 15 * time.Minute
	}
	if o.MaxBackoff > 12*time.Hour {
		o.MaxBackoff = 12 * time.Hour
	}
	if o.ShutdownGrace <= 0 {
		o.ShutdownGrace = 30 * time.Second
	}
	if o.DepthInterval <= 0 {
		o.DepthInterval = 30 * time.Second
	}
}

// Summary counts what a collector run did.
type Summary struct {
	Messages, Deleted, Released, Ignored int64
	Objects, Skipped, Failed             int64
	Events, Rejected, Bytes              int64
}

// Source is a queue and the processor that reads what its notifications
// point at (with the queue's own credentials).
type Source struct {
	Queue     Queue
	Processor *Processor
}

// Collector polls queues and processes what their notifications point at.
type Collector struct {
	sources []Source
	opts    CollectorOptions
	m       *Metrics
	log     *slog.Logger

	messages, deleted, released, ignored atomic.Int64
	objects, skipped, failed             atomic.Int64
	events, rejected, bytes              atomic.Int64
}

// NewCollector returns a collector over queues.
func NewCollector(sources []Source, opts CollectorOptions, m *Metrics, log *slog.Logger) *Collector {
	opts.defaults()
	return &Collector{sources: sources, opts: opts, m: m, log: log}
}

// Summary returns the counts so far.
func (c *Collector) Summary() Summary {
	return Summary{
		Messages: c.messages.Load(), Deleted: c.deleted.Load(), Released: c.released.Load(), Ignored: c.ignored.Load(),
		Objects: c.objects.Load(), Skipped: c.skipped.Load(), Failed: c.failed.Load(),
		Events: c.events.Load(), Rejected: c.rejected.Load(), Bytes: c.bytes.Load(),
	}
}

// Run receives until ctx ends (or, with Drain, until the queues are
// empty). In-flight messages then get ShutdownGrace to finish; those that
// do not are released for another consumer. work is the context the
// committer runs under; it must outlive ctx by the grace period.
func (c *Collector) Run(ctx context.Context) error {
	workCtx, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	recvCtx, stopRecv := context.WithCancel(ctx)
	defer stopRecv()

	slots := make(chan struct{}, c.opts.Workers)
	var handlers sync.WaitGroup
	var receivers sync.WaitGroup
	for _, src := range c.sources {
		receivers.Add(1)
		go func() {
			defer receivers.Done()
			c.receiveLoop(recvCtx, workCtx, src, slots, &handlers)
		}()
	}
	var depth sync.WaitGroup
	depthCtx, stopDepth := context.WithCancel(ctx)
	defer stopDepth()
	for _, src := range c.sources {
		depth.Add(1)
		go func() {
			defer depth.Done()
			c.depthLoop(depthCtx, src.Queue)
		}()
	}
	receivers.Wait()
	stopDepth()
	depth.Wait()

	finished := make(chan struct{})
	go func() { handlers.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(c.opts.ShutdownGrace):
		c.log.Warn("shutdown grace period over; releasing in-flight messages", "grace", c.opts.ShutdownGrace)
		cancelWork()
		<-finished
	}
	return nil
}

func (c *Collector) receiveLoop(ctx, workCtx context.Context, src Source, slots chan struct{}, handlers *sync.WaitGroup) {
	q := src.Queue
	var inFlight atomic.Int64
	backoff := time.Duration(0)
	lastLog := time.Time{}
	for ctx.Err() == nil {
		// Take at least one slot, then as many free ones as SQS allows.
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		n := 1
		for n < 10 {
			select {
			case slots <- struct{}{}:
				n++
				continue
			default:
			}
			break
		}
		msgs, err := q.Receive(ctx, n, c.opts.WaitTime, c.opts.Visibility)
		for i := len(msgs); i < n; i++ {
			<-slots
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			c.m.Errors.WithLabelValues(receiveReason(err)).Inc()
			backoff = nextBackoff(backoff)
			if time.Since(lastLog) > 30*time.Second {
				c.log.Error("receive failed; backing off", "queue", q.Name(), "backoff", backoff, "err", err)
				lastLog = time.Now()
			}
			sleep(ctx, backoff)
			continue
		}
		backoff = 0
		if len(msgs) == 0 && c.opts.Drain && inFlight.Load() == 0 && c.drained(ctx, q, &inFlight) {
			c.log.Info("queue drained", "queue", q.Name())
			return
		}
		for _, msg := range msgs {
			inFlight.Add(1)
			handlers.Add(1)
			go func() {
				defer handlers.Done()
				defer func() { <-slots }()
				defer inFlight.Add(-1)
				c.handle(workCtx, src, msg)
			}()
		}
	}
}

// drained asks the queue whether anything is left, visible or not.
func (c *Collector) drained(ctx context.Context, q Queue, inFlight *atomic.Int64) bool {
	visible, invisible, err := q.Depth(ctx)
	if err != nil {
		c.log.Warn("queue depth unknown; assuming drained after an empty receive", "queue", q.Name(), "err", err)
		return true
	}
	return visible == 0 && invisible == 0 && inFlight.Load() == 0
}

func (c *Collector) depthLoop(ctx context.Context, q Queue) {
	t := time.NewTicker(c.opts.DepthInterval)
	defer t.Stop()
	for {
		if visible, invisible, err := q.Depth(ctx); err == nil {
			c.m.QueueDepth.WithLabelValues(q.Name(), "visible").Set(float64(visible))
			c.m.QueueDepth.WithLabelValues(q.Name(), "in_flight").Set(float64(invisible))
		}
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
	}
}

// handle processes one message and deletes or releases it.
func (c *Collector) handle(ctx context.Context, src Source, msg Message) {
	q := src.Queue
	c.m.InFlight.Inc()
	defer c.m.InFlight.Dec()
	c.messages.Add(1)
	c.m.MessagesReceived.WithLabelValues(q.Name()).Inc()
	log := c.log.With("queue", q.Name(), "message_id", msg.ID)

	n, err := notification.Parse([]byte(msg.Body))
	if err != nil {
		c.m.Errors.WithLabelValues(cairn.Reason(err)).Inc()
		log.Error("message left on the queue for its dead-letter queue", "receive_count", msg.ReceiveCount, "err", err)
		c.release(q, msg, "unknown_notification", c.backoff(msg.ReceiveCount), log)
		return
	}
	c.m.Notifications.WithLabelValues(string(n.Shape)).Inc()
	if n.Ignore {
		c.ignored.Add(1)
		c.m.MessagesIgnored.WithLabelValues(string(n.Shape)).Inc()
		log.Info("acknowledged and ignored", "shape", n.Shape, "reason", n.Reason)
		c.delete(ctx, q, msg, log)
		return
	}

	kaCtx, stopKeepalive := context.WithCancel(ctx)
	var ka sync.WaitGroup
	ka.Add(1)
	go func() {
		defer ka.Done()
		c.keepalive(kaCtx, q, msg, log)
	}()
	var failed error
	for _, ref := range n.Objects {
		res, err := src.Processor.Process(ctx, ref)
		c.bytes.Add(res.Bytes)
		if err != nil {
			c.failed.Add(1)
			if ctx.Err() == nil {
				log.Error("object failed; message will be retried", "object", res.Ref.String(), "reason", cairn.Reason(err), "err", err)
			}
			failed = err
			continue
		}
		if res.Skipped {
			c.skipped.Add(1)
			continue
		}
		c.objects.Add(1)
		c.events.Add(res.Events)
		c.rejected.Add(res.Rejected)
	}
	stopKeepalive()
	ka.Wait()
	switch {
	case failed == nil:
		c.delete(ctx, q, msg, log)
	case ctx.Err() != nil: // shutting down: let another consumer have it now
		c.release(q, msg, "shutdown", 0, log)
	default:
		c.release(q, msg, cairn.Reason(failed), c.backoff(msg.ReceiveCount), log)
	}
}

func (c *Collector) delete(ctx context.Context, q Queue, msg Message, log *slog.Logger) {
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := q.Delete(dctx, msg.ReceiptHandle); err != nil {
		// The data is committed; a redelivery finds it done.
		log.Warn("delete failed; the message will come back and be skipped", "err", err)
		return
	}
	c.deleted.Add(1)
	c.m.MessagesDeleted.WithLabelValues(q.Name()).Inc()
}

func (c *Collector) release(q Queue, msg Message, reason string, after time.Duration, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c.released.Add(1)
	c.m.MessagesReleased.WithLabelValues(q.Name(), reason).Inc()
	if err := q.ChangeVisibility(ctx, msg.ReceiptHandle, after); err != nil {
		log.Warn("release failed; the message returns when its visibility timeout ends", "err", err)
	}
}

// keepalive extends the message's invisibility at half the timeout.
func (c *Collector) keepalive(ctx context.Context, q Queue, msg Message, log *slog.Logger) {
	t := time.NewTicker(c.opts.Visibility / 2)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := q.ChangeVisibility(ctx, msg.ReceiptHandle, c.opts.Visibility); err != nil {
			if ctx.Err() != nil {
				return
			}
			log.Warn("keepalive failed", "err", err)
			if strings.Contains(err.Error(), "ReceiptHandleIsInvalid") {
				return
			}
		}
	}
}

// backoff is the release delay for a message received n times.
func (c *Collector) backoff(n int) time.Duration {
	d := c.opts.RetryBackoff
	for i := 1; i < n && d < c.opts.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, c.opts.MaxBackoff)
}

func nextBackoff(d time.Duration) time.Duration {
	if d == 0 {
		return 250 * time.Millisecond
	}
	return min(d*2, 30*time.Second)
}

func receiveReason(err error) string {
	if errors.Is(err, cairn.ErrThrottled) {
		return "throttled"
	}
	return "receive"
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
