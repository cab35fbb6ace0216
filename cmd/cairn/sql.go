package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cairn-sec/cairn/duckdb"
	"github.com/cairn-sec/cairn/output"
	"github.com/cairn-sec/cairn/queryapi"
)

func newSQLCommand(g *globals) *cobra.Command {
	var format string
	var maxRows int
	cmd := &cobra.Command{
		Use:   `sql "SELECT ..."`,
		Short: "Run a read-only SQL query on the store (also while a collector writes it)",
		Long: `Run one read-only SQL query (SELECT, WITH, EXPLAIN, DESCRIBE, SHOW, SUMMARIZE) on the store.
Tables: events, objects, ingest_errors. External file access is disabled.
When a collector holds the store, the query goes to it over its socket.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(output.Formats, format) {
				return usageError("--format %q: want one of %s", format, strings.Join(output.Formats, ", "))
			}
			res, err := runQuery(cmd.Context(), g.cfg.Store.Dir, args[0], maxRows)
			if err != nil {
				return err
			}
			return output.Write(os.Stdout, format, res)
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, json (one array of row objects), csv")
	cmd.Flags().IntVar(&maxRows, "max-rows", 10000, "stop after this many rows (0: no limit)")
	return cmd
}

// runQuery asks a running collector first, then opens the store read-only.
// args are bound to the query's '?' placeholders.
func runQuery(ctx context.Context, dir, query string, maxRows int, args ...any) (*duckdb.Result, error) {
	res, err := queryapi.Query(ctx, dir, query, maxRows, args...)
	if !errors.Is(err, queryapi.ErrNoServer) {
		return res, err
	}
	store, err := duckdb.Open(ctx, duckdb.Options{Dir: dir, ReadOnly: true})
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no store in %s yet: run cairn collect, cairn ingest or cairn demo first", dir)
		}
		return nil, err
	}
	defer store.Close()
	return store.Query(ctx, query, maxRows, args...)
}
