package doctor

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteTable prints results as a table: one line per check with its
// symbol (✓ ok, ! warn, ✗ fail) and detail, and the fix indented below.
// Results are grouped by source.
func WriteTable(w io.Writer, rs []Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	source := "\x00"
	for _, r := range rs {
		if r.Source != source {
			if source != "\x00" {
				fmt.Fprintln(tw)
			}
			source = r.Source
			if source != "" {
				fmt.Fprintf(tw, "%s\n", source)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Status.Symbol(), r.Check, r.Detail)
		if r.Fix != "" {
			fmt.Fprintf(tw, "\t\tfix: %s\n", r.Fix)
		}
	}
	var ok, warn, fail int
	for _, r := range rs {
		switch r.Status {
		case OK:
			ok++
		case Warn:
			warn++
		case Fail:
			fail++
		}
	}
	fmt.Fprintf(tw, "\n%d ok, %d %s, %d failed\n", ok, warn, plural(warn, "warning"), fail)
	return tw.Flush()
}

func plural(n int, s string) string {
	if n == 1 {
		return s
	}
	return s + "s"
}

// WriteJSON prints results as one JSON array of {source, check, status,
// detail, fix}.
func WriteJSON(w io.Writer, rs []Result) error {
	if rs == nil {
		rs = []Result{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(rs)
}

// Summary is a one-line count of failures for an error message.
func Summary(rs []Result) string {
	var failed []string
	for _, r := range rs {
		if r.Status == Fail {
			failed = append(failed, r.Check)
		}
	}
	return fmt.Sprintf("%d %s failed: %s", len(failed), plural(len(failed), "check"), strings.Join(failed, ", "))
}
