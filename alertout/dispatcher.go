package alertout

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cairn-sec/cairn"
)

// Store is where alerts and their delivery state live.
type Store interface {
	DueAlerts(ctx context.Context, q cairn.DeliveryQuery) ([]cairn.DueAlert, error)
	CountDueAlerts(ctx context.Context, q cairn.DeliveryQuery) (int, error)
	RecordDelivery(ctx context.Context, d cairn.AlertDelivery) error
}

// Route is an output with its delivery policy.
type Route struct {
	Output      Output
	MinSeverity string        // send alerts of this severity and above; "" = all
	ResendAfter time.Duration // re-send a grown alert after this long; 0 = only on a severity rise
}

// DispatcherOptions configure a Dispatcher.
type DispatcherOptions struct {
	Routes       []Route
	Poll         time.Duration // how often the store is polled; default 5s
	RetryBackoff time.Duration // wait after a first failed attempt, doubling; default 30s
	MaxBackoff   time.Duration // default 30m
	MaxAge       time.Duration // see cairn.DeliveryQuery.MaxAge; default 24h
	SendTimeout  time.Duration // per alert, retries included; default 1m
	Registry     prometheus.Registerer
	Log          *slog.Logger
}

// Dispatcher sends due alerts to every output; see the package
// documentation.
type Dispatcher struct {
	store Store
	opts  DispatcherOptions
	log   *slog.Logger
	now   func() time.Time

	deliveries *prometheus.CounterVec
	queue      *prometheus.GaugeVec
}

// NewDispatcher returns a dispatcher; Run starts it.
func NewDispatcher(store Store, opts DispatcherOptions) *Dispatcher {
	if opts.Poll <= 0 {
		opts.Poll = 5 * time.Second
	}
	if opts.RetryBackoff <= 0 {
		opts.RetryBackoff = 30 * time.Second
	}
	if opts.MaxBackoff < opts.RetryBackoff {
		opts.MaxBackoff = max(30*time.Minute, opts.RetryBackoff)
	}
	if opts.SendTimeout <= 0 {
		opts.SendTimeout = time.Minute
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	d := &Dispatcher{store: store, opts: opts, log: opts.Log, now: time.Now,
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cairn_alert_deliveries_total",
			Help: "Alert delivery attempts, by output and result (delivered, failed)."}, []string{"output", "result"}),
		queue: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "cairn_alert_output_queue",
			Help: "Alerts due for delivery to an output (new, retrying or to re-send)."}, []string{"output"}),
	}
	if opts.Registry != nil {
		opts.Registry.MustRegister(d.deliveries, d.queue)
	}
	return d
}

// Run delivers until ctx is done, one goroutine per output, and returns
// when they all have.
func (d *Dispatcher) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, r := range d.opts.Routes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.runRoute(ctx, r)
		}()
	}
	wg.Wait()
}

func (d *Dispatcher) runRoute(ctx context.Context, r Route) {
	t := time.NewTicker(d.opts.Poll)
	defer t.Stop()
	for {
		if err := d.Deliver(ctx, r); err != nil && ctx.Err() == nil {
			d.log.Error("alert delivery", "output", r.Output.Name(), "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (d *Dispatcher) query(r Route, now time.Time) cairn.DeliveryQuery {
	return cairn.DeliveryQuery{Output: r.Output.Name(), MinSeverity: r.MinSeverity, Now: now,
		ResendAfter: r.ResendAfter, MaxAge: d.opts.MaxAge}
}

// Deliver sends what is due for one route now. It stops at the first
// failed alert (the output is probably down; that alert's retry is
// scheduled) and returns store errors.
func (d *Dispatcher) Deliver(ctx context.Context, r Route) error {
	for range 50 { // bounded: a poll later picks up the rest
		due, err := d.store.DueAlerts(ctx, d.query(r, d.now()))
		if err != nil {
			return err
		}
		for _, a := range due {
			ok, err := d.send(ctx, r, a)
			if err != nil {
				return err
			}
			if !ok {
				return d.updateQueue(ctx, r)
			}
		}
		if len(due) == 0 {
			return d.updateQueue(ctx, r)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return d.updateQueue(ctx, r)
}

func (d *Dispatcher) updateQueue(ctx context.Context, r Route) error {
	n, err := d.store.CountDueAlerts(ctx, d.query(r, d.now()))
	if err != nil {
		return err
	}
	d.queue.WithLabelValues(r.Output.Name()).Set(float64(n))
	return nil
}

// send delivers one alert and records the outcome; ok is false when the
// delivery failed.
func (d *Dispatcher) send(ctx context.Context, r Route, a cairn.DueAlert) (ok bool, err error) {
	name := r.Output.Name()
	resend := !a.Delivery.DeliveredAt.IsZero()
	sctx, cancel := context.WithTimeout(ctx, d.opts.SendTimeout)
	serr := r.Output.Send(sctx, a, resend)
	cancel()
	if serr != nil && ctx.Err() != nil {
		return false, ctx.Err() // shutting down: not the output's fault
	}
	now := d.now()
	rec := a.Delivery
	rec.AlertID, rec.Output = a.Alert.ID, name
	if serr != nil {
		rec.Attempts++
		rec.LastError = serr.Error()
		rec.NextAttempt = now.Add(d.backoff(rec.Attempts))
		d.deliveries.WithLabelValues(name, "failed").Inc()
		d.log.Warn("alert not delivered; will retry", "output", name, "alert", a.Alert.ID, "attempts", rec.Attempts,
			"next_attempt", rec.NextAttempt, "permanent", errors.Is(serr, ErrPermanent), "err", serr)
	} else {
		rec.Attempts, rec.LastError = 0, ""
		rec.NextAttempt, rec.DeliveredAt = now, now
		rec.SentSeverity, rec.SentCount = a.Alert.Severity, a.Alert.Count
		d.deliveries.WithLabelValues(name, "delivered").Inc()
		d.log.Debug("alert delivered", "output", name, "alert", a.Alert.ID, "resend", resend)
	}
	// Record even while shutting down: the send happened.
	if err := d.store.RecordDelivery(context.WithoutCancel(ctx), rec); err != nil {
		return false, err
	}
	return serr == nil, nil
}

// backoff is the wait before attempt n+1 after n failures.
func (d *Dispatcher) backoff(n int) time.Duration {
	b := d.opts.RetryBackoff
	for i := 1; i < n && b < d.opts.MaxBackoff; i++ {
		b *= 2
	}
	return min(b, d.opts.MaxBackoff)
}
