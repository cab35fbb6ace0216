package ioc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// ListConfig names one list file.
type ListConfig struct {
	Name   string
	Path   string
	Format Format // "" = auto
}

// WatcherOptions configure a Watcher.
type WatcherOptions struct {
	Lists    []ListConfig
	Interval time.Duration         // how often files are checked; default 30s
	Registry prometheus.Registerer // nil: metrics not registered
	Log      *slog.Logger
}

// Watcher holds the current Set built from the configured lists and
// reloads a list when its file changes.
type Watcher struct {
	opts  WatcherOptions
	cur   atomic.Pointer[Set]
	mu    sync.Mutex // guards lists during a reload
	lists []*loaded
	m     watcherMetrics
	log   *slog.Logger
}

// loaded is one list's last good version and the file state it came from.
type loaded struct {
	cfg   ListConfig
	inds  []Indicator
	mtime time.Time
	size  int64
}

type watcherMetrics struct {
	indicators *prometheus.GaugeVec
	skipped    *prometheus.GaugeVec
	reloads    *prometheus.CounterVec
}

// NewWatcher loads every list; any list that cannot be loaded is an
// error (at start there is no previous version to keep).
func NewWatcher(opts WatcherOptions) (*Watcher, error) {
	if opts.Interval <= 0 {
		opts.Interval = 30 * time.Second
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	w := &Watcher{opts: opts, log: opts.Log, m: watcherMetrics{
		indicators: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "cairn_ioc_indicators", Help: "Indicators loaded, by list."}, []string{"list"}),
		skipped:    prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "cairn_ioc_skipped_entries", Help: "Entries of the current version of a list that could not be used, by list."}, []string{"list"}),
		reloads:    prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cairn_ioc_reloads_total", Help: "List loads, by list and result (ok, error)."}, []string{"list", "result"}),
	}}
	if opts.Registry != nil {
		opts.Registry.MustRegister(w.m.indicators, w.m.skipped, w.m.reloads)
	}
	names := map[string]bool{}
	for _, lc := range opts.Lists {
		if names[lc.Name] {
			return nil, fmt.Errorf("ioc list %q: name used twice", lc.Name)
		}
		names[lc.Name] = true
		l := &loaded{cfg: lc}
		if err := w.load(l); err != nil {
			return nil, err
		}
		w.lists = append(w.lists, l)
	}
	w.swap()
	return w, nil
}

// Set returns the current set; it never changes once returned.
func (w *Watcher) Set() *Set {
	if w == nil {
		return nil
	}
	return w.cur.Load()
}

// Run checks the files every Interval until ctx is done.
func (w *Watcher) Run(ctx context.Context) {
	t := time.NewTicker(w.opts.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			w.Check()
		}
	}
}

// Check reloads the lists whose files changed (modification time or size)
// and swaps in a new set if any did. It reports whether the set changed.
func (w *Watcher) Check() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	changed := false
	for _, l := range w.lists {
		fi, err := os.Stat(l.cfg.Path)
		if err != nil {
			if !errors.Is(err, os.ErrNotExist) || !l.mtime.IsZero() {
				w.fail(l, fmt.Errorf("ioc list %s: %w", l.cfg.Name, err))
				l.mtime = time.Time{} // report once until it comes back
			}
			continue
		}
		if fi.ModTime().Equal(l.mtime) && fi.Size() == l.size {
			continue
		}
		if err := w.load(l); err != nil {
			w.fail(l, err)
			continue
		}
		changed = true
	}
	if changed {
		w.swap()
	}
	return changed
}

func (w *Watcher) fail(l *loaded, err error) {
	w.m.reloads.WithLabelValues(l.cfg.Name, "error").Inc()
	w.log.Error("ioc list not reloaded; keeping the previous version", "list", l.cfg.Name, "indicators", len(l.inds), "err", err)
}

// load parses a list file into l, leaving l unchanged on error.
func (w *Watcher) load(l *loaded) error {
	f, err := os.Open(l.cfg.Path)
	if err != nil {
		return fmt.Errorf("ioc list %s: %w", l.cfg.Name, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("ioc list %s: %w", l.cfg.Name, err)
	}
	res, err := Parse(f, l.cfg.Format, l.cfg.Name, l.cfg.Path)
	if err != nil {
		return fmt.Errorf("ioc list %s: %w", l.cfg.Name, err)
	}
	l.inds, l.mtime, l.size = res.Indicators, fi.ModTime(), fi.Size()
	w.m.reloads.WithLabelValues(l.cfg.Name, "ok").Inc()
	w.m.indicators.WithLabelValues(l.cfg.Name).Set(float64(len(res.Indicators)))
	w.m.skipped.WithLabelValues(l.cfg.Name).Set(float64(res.Skips))
	if res.Skips > 0 {
		w.log.Warn("ioc list entries skipped", "list", l.cfg.Name, "skipped", res.Skips, "first", res.Skipped[0].Error())
	}
	w.log.Info("ioc list loaded", "list", l.cfg.Name, "indicators", len(res.Indicators))
	return nil
}

// swap builds a set from every list's current version and publishes it.
func (w *Watcher) swap() {
	var all []Indicator
	for _, l := range w.lists {
		all = append(all, l.inds...)
	}
	w.cur.Store(NewSet(all))
}
