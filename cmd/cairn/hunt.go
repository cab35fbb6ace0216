package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/detect"
	"github.com/cairn-sec/cairn/duckdb"
	"github.com/cairn-sec/cairn/queryapi"
	"github.com/cairn-sec/cairn/web"
)

type huntFlags struct {
	rules   []string
	shipped bool
	time    searchFlags
	format  string
	save    bool
}

func newHuntCommand(g *globals) *cobra.Command {
	f := &huntFlags{}
	cmd := &cobra.Command{
		Use:   "hunt [--rules PATH ...] [--from T --to T | --last D] [--format table|json] [--save]",
		Short: "Run detection rules over stored history (retro-hunt)",
		Long: `Run Sigma rules over the events already stored and print the alerts they raise,
with the same matching and suppression as streaming detection. By default the
rules of cairn.yaml's detect: section; --rules PATH (repeatable; files or
directories) hunts with those instead (add --shipped for the shipped pack too).

A SQL prefilter selects candidate rows (time range, event source, and the
eventName/eventSource values a rule requires); the exact Sigma matcher then
runs on each candidate's raw record. --save records the alerts in the store
(with suppression; the same alerts saved again are not counted twice).

Examples:
  cairn hunt --last 30d
  cairn hunt --rules ./my-rules --from 2026-11-01 --to 2026-11-08 --format json
  cairn hunt --rules rules/aws_cloudtrail_disable_logging.yml --last 90d --save`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return f.run(cmd, g)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&f.rules, "rules", nil, "rule file or directory (repeatable); default: the configured rules")
	fl.BoolVar(&f.shipped, "shipped", false, "with --rules: also the rule pack shipped with Cairn")
	fl.StringVar(&f.time.last, "last", "", "hunt over the last DURATION (24h, 30d)")
	fl.StringVar(&f.time.from, "from", "", "hunt from this time: RFC 3339, a date, or relative (-24h, now-7d)")
	fl.StringVar(&f.time.to, "to", "", "hunt up to this time (exclusive)")
	fl.StringVar(&f.format, "format", "table", "output format: table or json (one array of alert objects)")
	fl.BoolVar(&f.save, "save", false, "record the alerts in the store (with suppression)")
	return cmd
}

func (f *huntFlags) run(cmd *cobra.Command, g *globals) error {
	if f.format != "table" && f.format != "json" {
		return usageError("--format %q: want table or json", f.format)
	}
	topts, err := f.time.options(time.Now().UTC())
	if err != nil {
		return err
	}
	ro := configuredRules(g.cfg.Detect)
	if len(f.rules) > 0 {
		ro = ruleOptions{Paths: f.rules, NoShipped: !f.shipped, Placeholders: g.cfg.Detect.Placeholders}
	}
	rules, errs := loadRules(ro)
	for _, err := range errs {
		fmt.Fprintln(cmd.ErrOrStderr(), "rule not loaded:", err)
	}
	if len(rules) == 0 {
		return usageError("hunt: no rules: give --rules PATH or configure detect.rules in cairn.yaml")
	}
	nvs := newValues(rules, func(err error) { fmt.Fprintln(cmd.ErrOrStderr(), "first-seen attribute not loaded:", err) })
	eng, err := detect.New(detect.Options{Rules: rules, Suppression: g.cfg.Detect.Suppression, Log: g.log, NewValues: nvs})
	if err != nil {
		return err
	}
	dir := g.cfg.Store.Dir
	if _, err := os.Stat(filepath.Join(dir, duckdb.FileName)); err != nil {
		return fmt.Errorf("no store in %s yet: run cairn collect, cairn ingest or cairn demo first", dir)
	}
	backend := web.NewStoreBackend(web.StoreOptions{Dir: dir, MemoryLimit: g.cfg.Store.MemoryLimit, Threads: g.cfg.Store.Threads})
	ctx := cmd.Context()
	release := backend.Hold(ctx) // one read-only open for every page
	start := time.Now()
	res, err := eng.Hunt(ctx, backend, detect.HuntOptions{From: topts.From, To: topts.To})
	release()
	backend.Close()
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "hunt: %d rules, %d candidate events, %d matches, %d alerts in %v\n",
		len(rules), res.Candidates, res.Matches, len(res.Alerts), time.Since(start).Round(time.Millisecond))
	if res.Errors > 0 {
		fmt.Fprintf(cmd.ErrOrStderr(), "hunt: %d stored records could not be parsed and were skipped\n", res.Errors)
	}
	if f.save && len(res.Alerts) > 0 {
		n, err := saveAlerts(ctx, dir, res.Alerts, eng.Suppression())
		if err != nil {
			return fmt.Errorf("save alerts: %w", err)
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "hunt: saved: %d created, %d updated, %d already recorded\n", n.Created, n.Updated, n.Unchanged)
	}
	return writeAlerts(cmd.OutOrStdout(), f.format, res.Alerts)
}

// saveAlerts records alerts through a running collector, else in the
// store opened for writing.
func saveAlerts(ctx context.Context, dir string, as []cairn.Alert, window time.Duration) (cairn.AlertCounts, error) {
	n, err := queryapi.UpsertAlerts(ctx, dir, as, window)
	if !errors.Is(err, queryapi.ErrNoServer) {
		return n, err
	}
	st, err := duckdb.Open(ctx, duckdb.Options{Dir: dir})
	if errors.Is(err, duckdb.ErrLocked) {
		return n, fmt.Errorf("another cairn process (cairn ingest?) is writing the store: run the hunt with --save again when it has finished")
	}
	if err != nil {
		return n, err
	}
	defer st.Close()
	return st.UpsertAlerts(ctx, as, window)
}
