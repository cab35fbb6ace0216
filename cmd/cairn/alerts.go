package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/duckdb"
	"github.com/cairn-sec/cairn/output"
	"github.com/cairn-sec/cairn/queryapi"
)

func newAlertsCommand(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "alerts",
		Short: "List, show, acknowledge and close alerts raised by detection rules",
		Long: `Alerts are raised as events are stored (cairn collect, cairn ingest) by the
Sigma rules of the detect: section of cairn.yaml, and by cairn hunt --save.
Repeated matches of a rule for the same group (account and principal, or
source address; a correlation's group-by values) within detect.suppression
update one alert. While a collector runs, list and show read through its
socket and ack/close ask it to make the change.`,
	}
	var (
		format                         string
		status, rules                  []string
		severity, kind, last, from, to string
		limit                          int
	)
	list := &cobra.Command{
		Use:   "list",
		Short: "List alerts, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := cairn.AlertFilter{MinSeverity: severity, RuleIDs: rules, Kind: cairn.AlertKind(kind), Limit: limit}
			for _, s := range status {
				st, err := cairn.ParseAlertStatus(s)
				if err != nil {
					return usageError("--status: %v", err)
				}
				f.Status = append(f.Status, st)
			}
			if severity != "" && cairn.SeverityRank(severity) < 0 {
				return usageError("--severity %q: want one of %s", severity, strings.Join(cairn.Severities, ", "))
			}
			tf := searchFlags{last: last, from: from, to: to}
			opts, err := tf.options(time.Now().UTC())
			if err != nil {
				return err
			}
			f.From, f.To = opts.From, opts.To
			q, args := duckdb.AlertsSQL(f)
			as, err := queryAlerts(cmd.Context(), g, q, args)
			if err != nil {
				return err
			}
			return writeAlerts(cmd.OutOrStdout(), format, as)
		},
	}
	lf := list.Flags()
	lf.StringVar(&format, "format", "table", "output format: table or json (one array of alert objects)")
	lf.StringSliceVar(&status, "status", nil, "only alerts with these statuses: open, acknowledged, closed")
	lf.StringVar(&severity, "severity", "", "only alerts of this severity and above: "+strings.Join(cairn.Severities, ", "))
	lf.StringSliceVar(&rules, "rule", nil, "only alerts of these rule IDs")
	lf.StringVar(&kind, "kind", "", "only alerts of this kind: sigma, correlation, ioc")
	lf.StringVar(&last, "last", "", "only alerts with matches in the last DURATION (24h, 7d)")
	lf.StringVar(&from, "from", "", "only alerts with matches from this time")
	lf.StringVar(&to, "to", "", "only alerts with matches before this time")
	lf.IntVar(&limit, "limit", 100, "at most this many alerts")

	var showFormat string
	show := &cobra.Command{
		Use:   "show ID",
		Short: "Show one alert",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			q, qargs := duckdb.AlertSQL(args[0])
			as, err := queryAlerts(cmd.Context(), g, q, qargs)
			if err != nil {
				return err
			}
			if len(as) == 0 {
				return &exitError{code: 1, err: fmt.Errorf("alert %s: %w", args[0], cairn.ErrNoSuchAlert)}
			}
			if showFormat == "json" {
				return writeJSONValue(cmd.OutOrStdout(), as[0])
			}
			return writeAlertDetail(cmd.OutOrStdout(), as[0])
		},
	}
	show.Flags().StringVar(&showFormat, "format", "table", "output format: table or json")

	cmd.AddCommand(list, show, statusCommand(g, "ack", cairn.AlertAcknowledged), statusCommand(g, "close", cairn.AlertClosed),
		statusCommand(g, "reopen", cairn.AlertOpen))
	return cmd
}

func statusCommand(g *globals, verb string, status cairn.AlertStatus) *cobra.Command {
	return &cobra.Command{
		Use:   verb + " ID [ID...]",
		Short: "Mark alerts " + string(status),
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, id := range args {
				if err := setAlertStatus(cmd.Context(), g.cfg.Store.Dir, id, status); err != nil {
					if errors.Is(err, cairn.ErrNoSuchAlert) {
						return &exitError{code: 1, err: err}
					}
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s %s\n", id, status)
			}
			return nil
		},
	}
}

// setAlertStatus asks a running collector (the store's only writer) to
// make the change, else opens the store for writing.
func setAlertStatus(ctx context.Context, dir, id string, status cairn.AlertStatus) error {
	err := queryapi.SetAlertStatus(ctx, dir, id, status)
	if !errors.Is(err, queryapi.ErrNoServer) {
		return err
	}
	if _, serr := os.Stat(filepath.Join(dir, duckdb.FileName)); serr != nil {
		return fmt.Errorf("no store in %s yet: run cairn collect, cairn ingest or cairn demo first", dir)
	}
	st, err := duckdb.Open(ctx, duckdb.Options{Dir: dir})
	if errors.Is(err, duckdb.ErrLocked) {
		return fmt.Errorf("another cairn process (cairn ingest?) is writing the store and does not take alert changes: run this again when it has finished")
	}
	if err != nil {
		return err
	}
	defer st.Close()
	return st.SetAlertStatus(ctx, id, status)
}

// queryAlerts runs an alerts query through a running collector or on the
// store opened read-only.
func queryAlerts(ctx context.Context, g *globals, q string, args []any) ([]cairn.Alert, error) {
	res, err := runQuery(ctx, g.cfg.Store.Dir, q, 0, args...)
	if err != nil {
		if strings.Contains(err.Error(), "alerts does not exist") {
			return nil, errors.New("this store has no alerts table yet: run cairn collect or cairn ingest of this version first")
		}
		return nil, err
	}
	return duckdb.AlertsFromResult(res)
}

// writeAlerts prints alerts as a table or one JSON array.
func writeAlerts(w io.Writer, format string, as []cairn.Alert) error {
	switch format {
	case "json":
		if as == nil {
			as = []cairn.Alert{}
		}
		return writeJSONValue(w, as)
	case "table":
		cols := []string{"id", "status", "severity", "rule", "group", "count", "first_seen", "last_seen", "author"}
		res := &duckdb.Result{Columns: cols, Types: make([]string, len(cols))}
		for _, a := range as {
			res.Rows = append(res.Rows, []any{a.ID, string(a.Status), a.Severity, a.Title, a.GroupKey, a.Count,
				a.FirstSeen.Format(time.RFC3339), a.LastSeen.Format(time.RFC3339), a.Author})
		}
		return output.Write(w, "table", forTable(res, terminalWidth()))
	}
	return usageError("--format %q: want table or json", format)
}

func writeJSONValue(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeAlertDetail prints one alert, field by field.
func writeAlertDetail(w io.Writer, a cairn.Alert) error {
	rows := [][2]string{
		{"id", a.ID}, {"status", string(a.Status)}, {"kind", string(a.Kind)}, {"rule", a.RuleID}, {"title", a.Title},
		{"severity", a.Severity}, {"tags", strings.Join(a.Tags, ", ")}, {"author", a.Author}, {"license", a.License},
		{"source", a.Source}, {"group", a.GroupKey}, {"count", fmt.Sprint(a.Count)},
		{"first_seen", a.FirstSeen.Format(time.RFC3339Nano)}, {"last_seen", a.LastSeen.Format(time.RFC3339Nano)},
		{"sample_event_ids", strings.Join(a.SampleEventIDs, ", ")},
		{"created_at", a.CreatedAt.Format(time.RFC3339)}, {"updated_at", a.UpdatedAt.Format(time.RFC3339)},
	}
	keys := make([]string, 0, len(a.Fields))
	for k := range a.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		rows = append(rows, [2]string{"field " + k, a.Fields[k]})
	}
	for _, r := range rows {
		if r[1] == "" {
			continue
		}
		if _, err := fmt.Fprintf(w, "%-17s %s\n", r[0]+":", r[1]); err != nil {
			return err
		}
	}
	return nil
}
