package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cairn-sec/cairn/alertout"
	"github.com/cairn-sec/cairn/config"
	"github.com/cairn-sec/cairn/ingest"
	"github.com/cairn-sec/cairn/ioc"
)

// alerting is the IOC lists (matched in the commit path) and the alert
// outputs' dispatcher of an ingesting command.
type alerting struct {
	watcher    *ioc.Watcher  // nil without ioc.lists
	detector   *ioc.Detector // nil without ioc.lists
	dispatcher *alertout.Dispatcher
	routes     []alertout.Route
	cfg        config.Config
}

// newAlerting loads the IOC lists and builds the outputs; a list that
// cannot be loaded at start is an error.
func newAlerting(cfg config.Config, reg prometheus.Registerer, log *slog.Logger, store alertout.Store) (*alerting, error) {
	a := &alerting{cfg: cfg}
	if len(cfg.IOC.Lists) > 0 {
		lists := make([]ioc.ListConfig, len(cfg.IOC.Lists))
		sev := map[string]string{}
		for i, l := range cfg.IOC.Lists {
			lists[i] = ioc.ListConfig{Name: l.ListName(), Path: l.Path, Format: ioc.Format(l.Format)}
			sev[l.ListName()] = l.Severity
		}
		w, err := ioc.NewWatcher(ioc.WatcherOptions{Lists: lists, Interval: cfg.IOC.Reload, Registry: reg, Log: log})
		if err != nil {
			return nil, err
		}
		a.watcher = w
		window := cfg.IOC.Suppression
		if window == 0 {
			window = cfg.Detect.Suppression // the rules' suppression
		}
		a.detector = ioc.NewDetector(ioc.DetectorOptions{Sets: w, Severity: sev, DefaultSeverity: cfg.IOC.Severity,
			Suppression: window, Registry: reg})
	}
	for i, o := range cfg.Outputs {
		out, err := newOutput(o, log)
		if err != nil {
			return nil, fmt.Errorf("outputs[%d] (%s): %w", i, o.OutputName(), err)
		}
		a.routes = append(a.routes, alertout.Route{Output: out, MinSeverity: o.MinSeverity, ResendAfter: o.ResendAfter})
	}
	if len(a.routes) > 0 {
		d := cfg.AlertDelivery
		a.dispatcher = alertout.NewDispatcher(store, alertout.DispatcherOptions{Routes: a.routes, Poll: d.Poll,
			RetryBackoff: d.RetryBackoff, MaxBackoff: d.MaxBackoff, MaxAge: d.MaxAge, Registry: reg, Log: log})
	}
	return a, nil
}

func newOutput(o config.Output, log *slog.Logger) (alertout.Output, error) {
	secret := o.Secret
	if o.SecretEnv != "" {
		if secret = os.Getenv(o.SecretEnv); secret == "" {
			return nil, fmt.Errorf("secret_env %s is not set", o.SecretEnv)
		}
	}
	opts := alertout.HTTPOptions{Name: o.OutputName(), URL: o.URL, Secret: secret, Timeout: o.Timeout}
	switch o.Type {
	case "webhook":
		return alertout.NewWebhook(opts), nil
	case "slack":
		return alertout.NewSlack(opts), nil
	case "log":
		return alertout.NewLog(o.OutputName(), log.With("output", o.OutputName())), nil
	}
	return nil, fmt.Errorf("unknown output type %q", o.Type)
}

// chain adds the IOC detector, if any, after d.
func (a *alerting) chain(d ingest.Detector) ingest.Detector {
	if a.detector == nil {
		return d
	}
	return ingest.ChainDetectors(d, a.detector)
}

// start runs the list watcher and the dispatcher until ctx is done; wg
// waits for them.
func (a *alerting) start(ctx context.Context, wg *sync.WaitGroup) {
	if a.watcher != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a.watcher.Run(ctx)
		}()
	}
	if a.dispatcher != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a.dispatcher.Run(ctx)
		}()
	}
}

// flush makes one last delivery pass (a one-shot ingest's alerts go out
// before it exits), bounded by timeout; what is left stays queued in the
// store for the next run.
func (a *alerting) flush(log *slog.Logger, timeout time.Duration) {
	if a.dispatcher == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for _, r := range a.routes {
		if err := a.dispatcher.Deliver(ctx, r); err != nil {
			log.Warn("alerts left queued for a later run", "output", r.Output.Name(), "err", err)
		}
	}
}
