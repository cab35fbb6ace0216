package ioc

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// Format is a list file format.
type Format string

// Formats.
const (
	FormatAuto  Format = "auto"
	FormatPlain Format = "plain"
	FormatCSV   Format = "csv"
	FormatSTIX  Format = "stix"
)

// maxSkippedKept bounds the skip errors a Result keeps; Skips counts all.
const maxSkippedKept = 100

// Result is what a list file yields: its usable indicators and the entries
// it had to skip.
type Result struct {
	Indicators []Indicator
	Skipped    []error // the first 100 entries skipped, each naming its position
	Skips      int     // all entries skipped
}

func (r *Result) skip(err error) {
	r.Skips++
	if len(r.Skipped) < maxSkippedKept {
		r.Skipped = append(r.Skipped, err)
	}
}

// add builds an indicator and keeps it, or records why not; where names
// the entry (e.g. file:line), formatted only for an error.
func (r *Result) add(where func() string, value string, t Type, meta Indicator) {
	ind, err := New(value, t)
	if err != nil {
		r.skip(fmt.Errorf("%s: %w", where(), err))
		return
	}
	ind.List, ind.Source, ind.Name, ind.Description, ind.Labels, ind.ValidUntil =
		meta.List, meta.Source, meta.Name, meta.Description, meta.Labels, meta.ValidUntil
	r.Indicators = append(r.Indicators, ind)
}

// Parse reads a list in format f ("" or auto: by the name's extension —
// .csv, .json/.stix — else by the first byte, '{' meaning STIX). name is the
// list name every indicator keeps; file is used in error positions.
func Parse(r io.Reader, f Format, name, file string) (Result, error) {
	if f == "" || f == FormatAuto {
		br := bufio.NewReader(r)
		f = sniff(br, file)
		r = br
	}
	switch f {
	case FormatPlain:
		return ParsePlain(r, name, file)
	case FormatCSV:
		return ParseCSV(r, name, file)
	case FormatSTIX:
		return ParseSTIX(r, name, file)
	}
	return Result{}, fmt.Errorf("%s: unknown list format %q (want auto, plain, csv or stix)", file, f)
}

func sniff(br *bufio.Reader, file string) Format {
	switch strings.ToLower(filepath.Ext(file)) {
	case ".csv":
		return FormatCSV
	case ".json", ".stix":
		return FormatSTIX
	}
	for {
		b, err := br.Peek(1)
		if err != nil {
			return FormatPlain
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n', 0xef, 0xbb, 0xbf: // whitespace, UTF-8 BOM
			br.ReadByte()
			continue
		case '{':
			return FormatSTIX
		}
		return FormatPlain
	}
}

// maxLine is the longest line a plain or CSV list may have.
const maxLine = 64 << 10

// ParsePlain reads one indicator per line; # starts a comment (at the
// start of a line, or after a space).
func ParsePlain(r io.Reader, name, file string) (Result, error) {
	var res Result
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxLine)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Bytes()
		if n == 1 {
			line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
		}
		s := string(line)
		if i := strings.Index(s, " #"); i >= 0 {
			s = s[:i]
		}
		if i := strings.Index(s, "\t#"); i >= 0 {
			s = s[:i]
		}
		s = strings.TrimSpace(s)
		if s == "" || s[0] == '#' {
			continue
		}
		res.add(func() string { return fmt.Sprintf("%s:%d", file, n) }, s, "", Indicator{List: name})
	}
	if err := sc.Err(); err != nil {
		return res, fmt.Errorf("%s:%d: %w", file, n+1, err)
	}
	return res, nil
}

// CSV header names, lower case.
var csvColumns = map[string]string{
	"indicator": "indicator", "value": "indicator", "ioc": "indicator", "observable": "indicator",
	"type": "type", "indicator_type": "type",
	"source": "source", "feed": "source",
	"description": "description", "comment": "description", "note": "description",
}

// ParseCSV reads a CSV list whose header names its columns (see the
// package documentation). Lines starting with # are comments.
func ParseCSV(r io.Reader, name, file string) (Result, error) {
	var res Result
	cr := csv.NewReader(&lineLimit{r: r})
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return res, nil
	}
	if err != nil {
		return res, fmt.Errorf("%s: header: %w", file, err)
	}
	col := map[string]int{}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\xef\xbb\xbf")))
		if c, ok := csvColumns[h]; ok {
			if _, dup := col[c]; dup {
				return res, fmt.Errorf("%s: header: two %s columns", file, c)
			}
			col[c] = i
		}
	}
	vi, ok := col["indicator"]
	if !ok {
		return res, fmt.Errorf("%s: header %q names no indicator column (indicator, value, ioc or observable)", file, strings.Join(head, ","))
	}
	get := func(rec []string, c string) string {
		if i, ok := col[c]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return res, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && !errors.Is(err, errLineTooLong) {
				res.skip(fmt.Errorf("%s: %w", file, err))
				continue
			}
			return res, fmt.Errorf("%s: %w", file, err)
		}
		line, _ := cr.FieldPos(0)
		where := func() string { return fmt.Sprintf("%s:%d", file, line) }
		if vi >= len(rec) || strings.TrimSpace(rec[vi]) == "" {
			res.skip(fmt.Errorf("%s: no indicator", where()))
			continue
		}
		t, err := ParseType(get(rec, "type"))
		if err != nil {
			res.skip(fmt.Errorf("%s: %w", where(), err))
			continue
		}
		res.add(where, rec[vi], t, Indicator{List: name, Source: get(rec, "source"), Description: get(rec, "description")})
	}
}

var errLineTooLong = errors.New("line too long")

// lineLimit fails a read once a line grows past maxLine, so that a file
// without newlines cannot make the CSV reader buffer it whole.
type lineLimit struct {
	r   io.Reader
	run int
}

func (l *lineLimit) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for _, b := range p[:n] {
		if b == '\n' {
			l.run = 0
		} else if l.run++; l.run > maxLine {
			return 0, fmt.Errorf("%w (over %d bytes)", errLineTooLong, maxLine)
		}
	}
	return n, err
}
