package vpcflow

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/internal/lines"
)

// parquetMagic starts (and ends) every Parquet file.
const parquetMagic = "PAR1"

// parquetBatch is how many rows are read at a time.
const parquetBatch = 256

// decodeParquet decodes a Parquet-format flow log (the "parquet" file
// format of flow log delivery to S3). Parquet keeps its metadata at the end
// of the file, so the stream is spooled to a temporary file (disk, not
// memory) and read from there row group by row group. Columns are the flow
// log field names with '_' for '-'; each row is rendered as the text
// record it stands for ("-" for a null) and normalized by the same code as
// text files, so a record gives the same event in either format.
func (d Decoder) decodeParquet(ctx context.Context, r io.Reader, ref cairn.ObjectRef, out cairn.Emitter) (err error) {
	// The Parquet library trusts the file's own offsets in places (a
	// malformed page index made it slice past its buffer, found by
	// FuzzDecode): whatever it panics on is a corrupt object, not a crash.
	defer func() {
		if p := recover(); p != nil {
			err = cairn.Corruptf("vpcflow parquet: the Parquet reader failed on this file: %v", p)
		}
	}()
	f, err := os.CreateTemp("", "cairn-vpcflow-*.parquet")
	if err != nil {
		return fmt.Errorf("vpcflow parquet %s: spool: %w", ref, err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	size, err := io.Copy(f, r)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return fmt.Errorf("vpcflow parquet %s: spool: %w", ref, err)
		}
		return err // a read error of the object itself (corrupt gzip, network): reported as such
	}
	// Rows are read in order: the page index and bloom filters (for
	// seeking and lookups) are not needed, and not read.
	pf, err := parquet.OpenFile(f, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return cairn.Corruptf("vpcflow parquet: not a readable Parquet file: %v", err)
	}
	cols := pf.Schema().Columns()
	names := make([]string, len(cols))
	for i, path := range cols {
		names[i] = strings.ReplaceAll(path[len(path)-1], "_", "-")
	}
	h, ok := parseHeader(strings.Join(names, " "))
	if !ok {
		return cairn.Corruptf("unsupported format: Parquet columns %v are not VPC flow log fields of versions 2 to 8", names)
	}
	n := newNormalizer(h, ref)
	vals := make([]string, len(cols))
	rows := make([]parquet.Row, parquetBatch)
	var line []byte
	var index int64
	for g, rg := range pf.RowGroups() {
		rr := rg.Rows()
		for {
			if ctx.Err() != nil {
				rr.Close()
				return ctx.Err()
			}
			k, rerr := rr.ReadRows(rows)
			for _, row := range rows[:k] {
				line, err = renderRow(line[:0], row, vals)
				var ev cairn.Event
				if err == nil {
					err = n.normalize(line, index, &ev)
				}
				if err != nil {
					if jerr := out.Reject(cairn.IngestError{Ref: ref, Offset: -1, Index: index, Reason: "bad_record",
						Detail: fmt.Sprintf("row group %d: %v", g, err), Raw: append([]byte(nil), lines.Truncate(line, rejectRawBytes)...),
						Time: time.Now().UTC()}); jerr != nil {
						rr.Close()
						return jerr
					}
				} else if err := out.Emit(&ev); err != nil {
					rr.Close()
					return err
				}
				index++
			}
			if errors.Is(rerr, io.EOF) {
				break
			}
			if rerr != nil {
				rr.Close()
				return cairn.Corruptf("vpcflow parquet: row group %d after %d rows: %v", g, index, rerr)
			}
			if k == 0 {
				break
			}
		}
		if err := rr.Close(); err != nil {
			return cairn.Corruptf("vpcflow parquet: row group %d: %v", g, err)
		}
	}
	return nil
}

// renderRow writes row as the space-separated text record it stands for.
func renderRow(dst []byte, row parquet.Row, vals []string) ([]byte, error) {
	for i := range vals {
		vals[i] = "-"
	}
	for _, v := range row {
		c := v.Column()
		if c < 0 || c >= len(vals) {
			return dst, fmt.Errorf("value of unknown column %d", c)
		}
		if v.IsNull() {
			continue
		}
		var s string
		switch v.Kind() {
		case parquet.Int32:
			s = strconv.FormatInt(int64(v.Int32()), 10)
		case parquet.Int64:
			s = strconv.FormatInt(v.Int64(), 10)
		case parquet.ByteArray, parquet.FixedLenByteArray:
			s = string(v.ByteArray())
		default:
			s = v.String()
		}
		if s == "" || strings.ContainsAny(s, " \t\n") {
			return dst, fmt.Errorf("column %d: value %q is not a flow log field value", c, s)
		}
		vals[c] = s
	}
	for i, s := range vals {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = append(dst, s...)
	}
	return dst, nil
}
