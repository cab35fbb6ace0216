package output

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/cairn-sec/cairn/duckdb"
)

// Formats lists the accepted format names.
var Formats = []string{"table", "json", "ndjson", "csv"}

// Write prints res in format.
func Write(w io.Writer, format string, res *duckdb.Result) error {
	switch format {
	case "table", "":
		return writeTable(w, res, 60)
	case "json":
		return writeJSON(w, res)
	case "ndjson":
		return writeNDJSON(w, res)
	case "csv":
		return writeCSV(w, res)
	}
	return fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(Formats, ", "))
}

// writeJSON writes one array of objects with keys in column order.
func writeJSON(w io.Writer, res *duckdb.Result) error {
	var buf bytes.Buffer
	buf.WriteByte('[')
	for i, row := range res.Rows {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteByte('\n')
		writeObject(&buf, res.Columns, row)
	}
	if len(res.Rows) > 0 {
		buf.WriteByte('\n')
	}
	buf.WriteString("]\n")
	_, err := w.Write(buf.Bytes())
	return err
}

// writeNDJSON writes one object per line.
func writeNDJSON(w io.Writer, res *duckdb.Result) error {
	var buf bytes.Buffer
	for _, row := range res.Rows {
		writeObject(&buf, res.Columns, row)
		buf.WriteByte('\n')
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// writeObject writes one row as a JSON object with keys in column order.
func writeObject(buf *bytes.Buffer, cols []string, row []any) {
	buf.WriteByte('{')
	for j, col := range cols {
		if j > 0 {
			buf.WriteByte(',')
		}
		k, _ := json.Marshal(col)
		buf.Write(k)
		buf.WriteByte(':')
		v, err := json.Marshal(row[j])
		if err != nil {
			v, _ = json.Marshal(fmt.Sprint(row[j]))
		}
		buf.Write(v)
	}
	buf.WriteByte('}')
}

func writeCSV(w io.Writer, res *duckdb.Result) error {
	cw := csv.NewWriter(w)
	cw.Write(res.Columns)
	for _, row := range res.Rows {
		rec := make([]string, len(row))
		for i, v := range row {
			rec[i] = cell(v)
		}
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}

// cell renders one value as text: NULL as empty, JSON values as JSON.
func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case map[string]any, []any:
		b, _ := json.Marshal(x)
		return string(b)
	}
	return fmt.Sprint(v)
}

func writeTable(w io.Writer, res *duckdb.Result, maxWidth int) error {
	cells := make([][]string, len(res.Rows))
	widths := make([]int, len(res.Columns))
	for i, c := range res.Columns {
		widths[i] = utf8.RuneCountInString(c)
	}
	for r, row := range res.Rows {
		cells[r] = make([]string, len(row))
		for i, v := range row {
			s := strings.NewReplacer("\n", " ", "\t", " ").Replace(cell(v))
			if v == nil {
				s = "NULL"
			}
			if utf8.RuneCountInString(s) > maxWidth {
				s = string([]rune(s)[:maxWidth-1]) + "…"
			}
			cells[r][i] = s
			widths[i] = max(widths[i], utf8.RuneCountInString(s))
		}
	}
	var b strings.Builder
	line := func(vals []string) {
		for i, v := range vals {
			if i > 0 {
				b.WriteString(" │ ")
			}
			b.WriteString(v)
			if i < len(vals)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(v)))
			}
		}
		b.WriteByte('\n')
	}
	line(res.Columns)
	sep := make([]string, len(widths))
	for i, wd := range widths {
		sep[i] = strings.Repeat("─", wd)
	}
	b.WriteString(strings.Join(sep, "─┼─") + "\n")
	for _, row := range cells {
		line(row)
	}
	fmt.Fprintf(&b, "(%d row%s%s)\n", len(res.Rows), plural(len(res.Rows)), map[bool]string{true: ", truncated"}[res.Truncated])
	_, err := io.WriteString(w, b.String())
	return err
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
