package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/cairn-sec/cairn/duckdb"
	"github.com/cairn-sec/cairn/output"
	"github.com/cairn-sec/cairn/queries"
	"github.com/cairn-sec/cairn/search"
)

// searchFlags are cairn search's options.
type searchFlags struct {
	format  string
	last    string
	from    string
	to      string
	limit   int
	explain bool
	saved   string
}

func newSearchCommand(g *globals) *cobra.Command {
	f := &searchFlags{}
	cmd := &cobra.Command{
		Use:   `search 'QUERY'`,
		Short: "Search events: a Lucene-style filter, then SPL/KQL stages",
		Long: `Search the events with a Lucene-style filter and optional pipe stages.

Filter: field:value, "quoted phrase", wildcards * and ?, AND / OR / NOT / - and
parentheses (adjacent clauses are ANDed), ranges [a TO b] and {a TO b},
field:>=x, field:*, /regex/, CIDR blocks on source_ip, and bare words that
search the whole record. Equality ignores case. Field names may be the
column names, CloudTrail's (eventName, userIdentity.arn), OCSF's
(api.operation), ECS's (event.action), or any dotted path into the record
(requestParameters.bucketName).

Stages: where, stats/summarize ... by, timechart span=, bin, sort/order by,
head/limit/take, fields/project, eval/extend, rename, dedup, distinct,
top, rare, count.

Examples:
  cairn search 'event_name:ConsoleLogin AND status:Failure' --last 24h
  cairn search 'errorCode:(AccessDenied OR *UnauthorizedOperation) | stats count() as n by user_arn | sort -n'
  cairn search 'source_ip:203.0.113.0/24 | timechart span=1h count() by event_name' --last 7d
  cairn search 'requestParameters.policyArn:*AdministratorAccess' --explain`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			q, err := f.query(g, args)
			if err != nil {
				return err
			}
			return f.run(cmd, g, q)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.format, "format", "table", "output format: "+strings.Join(output.Formats, ", "))
	fl.StringVar(&f.last, "last", "", "search the last DURATION (15m, 24h, 7d, 2w)")
	fl.StringVar(&f.from, "from", "", "search from this time: RFC 3339, a date, or relative (-24h, now-7d)")
	fl.StringVar(&f.to, "to", "", "search up to this time (exclusive); same forms as --from")
	fl.IntVar(&f.limit, "limit", 100, "at most this many rows (0: no limit)")
	fl.StringVar(&f.saved, "saved", "", "run the saved query NAME (cairn queries list shows them)")
	fl.BoolVar(&f.explain, "explain", false, "print the SQL and its arguments instead of running it")
	return cmd
}

// query is the text to search with: the argument, or the saved query
// --saved names.
func (f *searchFlags) query(g *globals, args []string) (string, error) {
	if f.saved != "" {
		if len(args) > 0 {
			return "", usageError("search: give a query or --saved NAME, not both")
		}
		lib, err := queries.Load(queries.Options{Dir: g.cfg.Queries.Dir})
		if err != nil {
			return "", err
		}
		q, err := lib.Lookup(f.saved)
		if err != nil {
			return "", usageError("%v", err)
		}
		return q.Query, nil
	}
	if len(args) == 0 || strings.TrimSpace(args[0]) == "" {
		return "", usageError("search: expected a query, e.g. cairn search 'event_name:ConsoleLogin'")
	}
	return args[0], nil
}

// options turns the time and limit flags into compile options.
func (f *searchFlags) options(now time.Time) (search.Options, error) {
	opts := search.Options{Now: now}
	if f.limit < 0 {
		return opts, usageError("--limit %d: must be 0 (no limit) or more", f.limit)
	}
	if f.limit > 0 {
		// One row more than shown tells whether there were more.
		opts.Limit = f.limit + 1
	}
	if f.last != "" {
		if f.from != "" || f.to != "" {
			return opts, usageError("--last cannot be combined with --from or --to")
		}
		d, err := search.ParseDuration(f.last)
		if err != nil {
			return opts, usageError("--last: %v", err)
		}
		opts.From = now.Add(-d)
		return opts, nil
	}
	var err error
	if f.from != "" {
		if opts.From, err = search.ParseTime(f.from, now); err != nil {
			return opts, usageError("--from: %v", err)
		}
	}
	if f.to != "" {
		if opts.To, err = search.ParseTime(f.to, now); err != nil {
			return opts, usageError("--to: %v", err)
		}
	}
	if !opts.From.IsZero() && !opts.To.IsZero() && !opts.From.Before(opts.To) {
		return opts, usageError("--from %s is not before --to %s", opts.From.Format(time.RFC3339), opts.To.Format(time.RFC3339))
	}
	return opts, nil
}

func (f *searchFlags) run(cmd *cobra.Command, g *globals, q string) error {
	if !slices.Contains(output.Formats, f.format) {
		return usageError("--format %q: want one of %s", f.format, strings.Join(output.Formats, ", "))
	}
	opts, err := f.options(time.Now().UTC())
	if err != nil {
		return err
	}
	st, err := search.Compile(q, opts)
	if err != nil {
		var se *search.Error
		if errors.As(err, &se) {
			return usageError("%v", err)
		}
		return err
	}
	out := cmd.OutOrStdout()
	if f.explain {
		return explain(out, st)
	}
	res, err := runQuery(cmd.Context(), g.cfg.Store.Dir, st.SQL, f.limit, st.Args...)
	if err != nil {
		return err
	}
	if f.format == "table" {
		res = forTable(res, terminalWidth())
	}
	return output.Write(out, f.format, res)
}

// explain prints the statement and its arguments.
func explain(w io.Writer, st *search.Statement) error {
	var b strings.Builder
	b.WriteString(st.SQL)
	b.WriteString("\n-- args:\n")
	for i, a := range st.Args {
		v := fmt.Sprint(a)
		switch x := a.(type) {
		case string:
			v = strconv.Quote(x)
		case time.Time:
			v = x.Format(time.RFC3339Nano)
		}
		fmt.Fprintf(&b, "--   %d: %T %s\n", i+1, a, v)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// terminalWidth is the width of stdout's terminal, COLUMNS, or 160.
func terminalWidth() int {
	if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil && w > 0 {
		return w
	}
	if w, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && w > 0 {
		return w
	}
	return 160
}

// tableColumns are shown, in this order, when a search lists whole events.
var tableColumns = []string{"time", "event_name", "event_source", "user_name", "source_ip", "aws_region", "status", "error_code", "event_id"}

// forTable shapes a result for the terminal: whole events are cut down to
// the columns an analyst reads first; time comes first; and cells are
// shortened until the rows fit width.
func forTable(res *duckdb.Result, width int) *duckdb.Result {
	cols := make([]int, 0, len(res.Columns))
	if slices.Contains(res.Columns, "raw") {
		for _, name := range tableColumns {
			if i := slices.Index(res.Columns, name); i >= 0 {
				cols = append(cols, i)
			}
		}
	} else {
		for i := range res.Columns {
			cols = append(cols, i)
		}
		if t := slices.Index(res.Columns, "time"); t > 0 {
			cols = append([]int{t}, slices.Delete(cols, t, t+1)...)
		}
	}
	out := &duckdb.Result{Truncated: res.Truncated, Rows: make([][]any, len(res.Rows))}
	for _, i := range cols {
		out.Columns = append(out.Columns, res.Columns[i])
		out.Types = append(out.Types, res.Types[i])
	}
	for r, row := range res.Rows {
		out.Rows[r] = make([]any, len(cols))
		for j, i := range cols {
			out.Rows[r][j] = row[i]
		}
	}
	fitWidth(out, width)
	return out
}

// fitWidth shortens the widest column's cells, one character at a time,
// until a table row (with " │ " between cells) fits width.
func fitWidth(res *duckdb.Result, width int) {
	n := len(res.Columns)
	if n == 0 {
		return
	}
	widths := make([]int, n)
	for i, c := range res.Columns {
		widths[i] = utf8.RuneCountInString(c)
	}
	for _, row := range res.Rows {
		for i, v := range row {
			if v != nil {
				widths[i] = max(widths[i], min(utf8.RuneCountInString(cellText(v)), 60))
			}
		}
	}
	total := func() int {
		t := 3 * (n - 1)
		for _, w := range widths {
			t += w
		}
		return t
	}
	limit := slices.Clone(widths)
	for total() > width {
		widest := 0
		for i, w := range widths {
			if w > widths[widest] {
				widest = i
			}
		}
		if widths[widest] <= 8 {
			break
		}
		widths[widest]--
		limit[widest] = widths[widest]
	}
	for _, row := range res.Rows {
		for i, v := range row {
			if v == nil {
				continue
			}
			if s := cellText(v); utf8.RuneCountInString(s) > limit[i] {
				row[i] = string([]rune(s)[:limit[i]-1]) + "…"
			}
		}
	}
}

// cellText is a value as the table shows it.
func cellText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}
