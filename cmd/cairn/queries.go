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
	"github.com/cairn-sec/cairn/queries"
)

func newQueriesCommand(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "queries",
		Short: "List and show saved queries (run one with cairn search --saved NAME)",
		Long: `Saved queries: the library shipped with Cairn, and your own in YAML files in
queries.dir (default: queries/ next to cairn.yaml, else ~/.config/cairn/queries).
A query of yours with the name of a shipped one replaces it. A file holds one
query or a list:

  - name: prod-bucket-reads
    title: Reads of production buckets
    description: Who reads prod-* buckets.
    query: event_name:GetObject AND requestParameters.bucketName:prod-*
    tags: [s3]
    mitre: [T1530]`,
	}
	var format, tag string
	list := &cobra.Command{
		Use:   "list",
		Short: "List the saved queries",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			lib, err := loadQueries(g, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			var qs []queries.Query
			for _, q := range lib.All() {
				if tag == "" || contains(q.Tags, tag) {
					qs = append(qs, q)
				}
			}
			return writeQueryList(cmd.OutOrStdout(), format, qs)
		},
	}
	list.Flags().StringVar(&format, "format", "table", "output format: table or json")
	list.Flags().StringVar(&tag, "tag", "", "only queries with this tag")
	var showFormat string
	show := &cobra.Command{
		Use:   "show NAME",
		Short: "Show one saved query",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			lib, err := loadQueries(g, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			q, err := lib.Lookup(args[0])
			if err != nil {
				return err
			}
			return writeQuery(cmd.OutOrStdout(), showFormat, q)
		},
	}
	show.Flags().StringVar(&showFormat, "format", "text", "output format: text or json")
	cmd.AddCommand(list, show)
	return cmd
}

// loadQueries reads the library. Queries that do not compile are listed
// anyway, with a warning on stderr (cairn serve refuses to start).
func loadQueries(g *globals, stderr io.Writer) (*queries.Library, error) {
	lib, err := queries.Load(queries.Options{Dir: g.cfg.Queries.Dir})
	if err != nil {
		return nil, err
	}
	if _, _, check := searchLanguage(); check != nil {
		for _, q := range lib.All() {
			if err := check(q.Query); err != nil {
				fmt.Fprintf(stderr, "warning: saved query %q (%s) does not compile:\n%v\n", q.Name, q.Source, err)
			}
		}
	}
	return lib, nil
}

func writeQueryList(w io.Writer, format string, qs []queries.Query) error {
	switch format {
	case "json":
		if qs == nil {
			qs = []queries.Query{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(qs)
	case "table", "":
		res := &duckdb.Result{Columns: []string{"name", "title", "mitre", "tags", "source"}, Rows: [][]any{}}
		for _, q := range qs {
			src := q.Source
			if src != queries.BuiltinSource {
				src = filepath.Base(src) // the whole path is in show and --format json
			}
			res.Rows = append(res.Rows, []any{q.Name, q.Title, strings.Join(q.MITRE, " "), strings.Join(q.Tags, " "), src})
		}
		return output.Write(w, "table", res)
	}
	return usageError("unknown format %q (want table or json)", format)
}

func writeQuery(w io.Writer, format string, q queries.Query) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(q)
	case "text", "":
		var b strings.Builder
		fmt.Fprintf(&b, "%s — %s\n", q.Name, q.Title)
		if q.Description != "" {
			fmt.Fprintf(&b, "\n%s\n", q.Description)
		}
		fmt.Fprintf(&b, "\nquery:\n  %s\n\n", strings.ReplaceAll(q.Query, "\n", "\n  "))
		if len(q.MITRE) > 0 {
			fmt.Fprintf(&b, "mitre:  %s\n", strings.Join(q.MITRE, ", "))
		}
		if len(q.Tags) > 0 {
			fmt.Fprintf(&b, "tags:   %s\n", strings.Join(q.Tags, ", "))
		}
		fmt.Fprintf(&b, "source: %s\nrun:    cairn search --saved %s --last 24h\n", q.Source, q.Name)
		_, err := io.WriteString(w, b.String())
		return err
	}
	return usageError("unknown format %q (want text or json)", format)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
