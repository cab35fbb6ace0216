package main

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cairn-sec/cairn/duckdb"
	"github.com/cairn-sec/cairn/output"
	"github.com/cairn-sec/cairn/rulepack"
	"github.com/cairn-sec/cairn/sigma"
)

func newRulesCommand(_ *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List, lint and test Sigma detection rules (the shipped pack and yours)",
		Long: `Sigma rules: the pack shipped with Cairn and your own rule files or
directories (searched recursively for *.yml and *.yaml; x.tests.yml files
beside the rules are their tests). Your rules are loaded together with the
shipped pack, so a correlation of yours may refer to a shipped rule by id or
name; --no-shipped leaves the pack out.

  cairn rules list                        the shipped pack
  cairn rules list --format json ./rules  shipped and your rules, as JSON
  cairn rules lint ./rules                exit 1 if any rule is broken
  cairn rules test                        run the shipped pack's tests
  cairn rules test ./rules                run the tests beside your rules`,
	}
	var noShipped bool
	opts := func(paths []string) rulepack.Options {
		return rulepack.Options{Paths: paths, NoShipped: noShipped}
	}
	cmd.PersistentFlags().BoolVar(&noShipped, "no-shipped", false, "leave out the shipped rule pack")

	var format string
	list := &cobra.Command{
		Use:   "list [PATH...]",
		Short: "List rules: id, title, level, tags, source, author",
		RunE: func(cmd *cobra.Command, args []string) error {
			rules, errs := rulepack.Load(opts(args))
			for _, err := range errs {
				fmt.Fprintf(cmd.ErrOrStderr(), "warning: %v\n", err)
			}
			return writeRuleList(cmd.OutOrStdout(), format, rules)
		},
	}
	list.Flags().StringVar(&format, "format", "table", "output format: table or json")

	lint := &cobra.Command{
		Use:   "lint [PATH...]",
		Short: "Load rules and report every broken one (file:line: problem); exit 1 if any",
		RunE: func(cmd *cobra.Command, args []string) error {
			rules, errs := rulepack.Load(opts(args))
			for _, err := range errs {
				fmt.Fprintln(cmd.OutOrStdout(), err)
			}
			if _, err := sigma.NewCorrelator(rules, sigma.Limits{}); err != nil {
				errs = append(errs, err)
				fmt.Fprintln(cmd.OutOrStdout(), err)
			}
			_, nerrs := rulepack.NewValues(rules) // the cairn.new_value extension
			for _, err := range nerrs {
				fmt.Fprintln(cmd.OutOrStdout(), err)
			}
			errs = append(errs, nerrs...)
			fmt.Fprintf(cmd.OutOrStdout(), "%d rules loaded, %s\n", len(rules), rulesNoun(len(errs), "problem"))
			if len(errs) > 0 {
				return &exitError{code: 1, err: fmt.Errorf("%s in the rules", rulesNoun(len(errs), "problem"))}
			}
			return nil
		},
	}

	var verbose bool
	test := &cobra.Command{
		Use:   "test [PATH...]",
		Short: "Run the test cases beside the rules (the shipped pack's when no PATH); exit 1 on any failure",
		RunE: func(cmd *cobra.Command, args []string) error {
			var include func(string) bool
			if len(args) > 0 {
				include = func(f string) bool { return !rulepack.IsShipped(f) }
			}
			rep := rulepack.RunTestsFor(opts(args), include)
			return writeTestReport(cmd.OutOrStdout(), rep, verbose)
		},
	}
	test.Flags().BoolVarP(&verbose, "verbose", "v", false, "print passing cases too")
	cmd.AddCommand(list, lint, test)
	return cmd
}

// ruleRow is one rule in `cairn rules list`.
type ruleRow struct {
	ID     string   `json:"id"`
	Name   string   `json:"name,omitempty"`
	Title  string   `json:"title"`
	Type   string   `json:"type"` // detection or the correlation type
	Level  string   `json:"level"`
	Status string   `json:"status,omitempty"`
	Tags   []string `json:"tags"`
	Source string   `json:"source"`
	Author string   `json:"author"`
	File   string   `json:"file"`
}

func ruleRows(rules []*sigma.Rule) []ruleRow {
	byRef := map[string]*sigma.Rule{}
	for _, r := range rules {
		byRef[r.ID], byRef[r.Name] = r, r
	}
	rows := make([]ruleRow, 0, len(rules))
	for _, r := range rules {
		row := ruleRow{ID: r.ID, Name: r.Name, Title: r.Title, Type: "detection", Level: r.Level, Status: r.Status,
			Tags: r.Tags, Author: r.Author, File: r.File}
		if row.Tags == nil {
			row.Tags = []string{}
		}
		base := r
		for depth := 0; base.Correlation != nil && len(base.Correlation.Rules) > 0 && depth < 8; depth++ {
			if depth == 0 {
				row.Type = base.Correlation.Type
			}
			next := byRef[base.Correlation.Rules[0]]
			if next == nil {
				break
			}
			base = next
		}
		row.Source = rulepack.SourceName(base.LogSource)
		if row.Source == "" {
			row.Source = strings.Trim(base.LogSource.Product+"/"+base.LogSource.Service, "/")
		}
		rows = append(rows, row)
	}
	return rows
}

func writeRuleList(w io.Writer, format string, rules []*sigma.Rule) error {
	rows := ruleRows(rules)
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(rows)
	case "table", "":
		res := &duckdb.Result{Columns: []string{"id", "title", "level", "tags", "source", "author"}, Rows: [][]any{}}
		for _, r := range rows {
			res.Rows = append(res.Rows, []any{r.ID, r.Title, r.Level, strings.Join(r.Tags, " "), r.Source, r.Author})
		}
		return output.Write(w, "table", res)
	}
	return usageError("unknown format %q (want table or json)", format)
}

func writeTestReport(w io.Writer, rep *rulepack.Report, verbose bool) error {
	for _, err := range rep.Errors {
		fmt.Fprintf(w, "ERROR %v\n", err)
	}
	for _, r := range rep.Untested {
		fmt.Fprintf(w, "NOTEST %s: %s (no %s beside it)\n", r.File, r.Title, strings.TrimSuffix(filepath.Base(r.File), filepath.Ext(r.File))+".tests.yml")
	}
	for _, res := range rep.Results {
		switch {
		case !res.Pass():
			fmt.Fprintf(w, "FAIL  %s:%d: %s [%s]: %v\n", res.File, res.Line, res.Case, res.Title, res.Err)
		case verbose:
			fmt.Fprintf(w, "ok    %s:%d: %s [%s]\n", res.File, res.Line, res.Case, res.Title)
		}
	}
	failed := rep.Failed()
	fmt.Fprintf(w, "%d rules, %d cases: %d passed, %d failed, %d load errors, %d rules without tests\n",
		rep.Rules, len(rep.Results), len(rep.Results)-failed, failed, len(rep.Errors), len(rep.Untested))
	if !rep.OK() {
		return &exitError{code: 1, err: fmt.Errorf("%s, %s", rulesNoun(failed, "failed case"), rulesNoun(len(rep.Errors), "error"))}
	}
	return nil
}

// rulesNoun renders "1 problem", "2 problems".
func rulesNoun(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
