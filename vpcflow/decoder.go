package vpcflow

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"strconv"
	"time"

	"github.com/cairn-sec/cairn"
)

// DefaultMaxLineBytes bounds one record line. A record of every field of
// version 8 with long ECS ARNs stays far below it.
const DefaultMaxLineBytes = 64 << 10

// rejectRawBytes is how much of a rejected line is kept.
const rejectRawBytes = 4 << 10

// Decoder decodes VPC Flow Log text files.
type Decoder struct {
	MaxLineBytes int // 0 means DefaultMaxLineBytes
}

// ErrParquet is returned (wrapping cairn.ErrCorrupt) for Parquet flow logs.
var ErrParquet = errors.New("unsupported format: Parquet flow logs are not supported; deliver flow logs as text (plain or gzip)")

// Decode reads one decompressed flow log file from r and emits an event per
// record. Bad records are rejected individually; an error is returned only
// when the file is not a flow log (wrapping cairn.ErrCorrupt), when reading
// fails, or when out returns an error.
func (d Decoder) Decode(ctx context.Context, r io.Reader, ref cairn.ObjectRef, out cairn.Emitter) error {
	max := d.MaxLineBytes
	if max <= 0 {
		max = DefaultMaxLineBytes
	}
	lr := newLineReader(r, max)
	first, _, err := lr.next()
	if errors.Is(err, io.EOF) {
		return nil // an empty object holds no records
	}
	if err != nil && !errors.Is(err, errTooLong) {
		return err
	}
	if bytes.HasPrefix(first, []byte("PAR1")) {
		return cairn.Corruptf("%v", ErrParquet)
	}
	h, ok := parseHeader(string(first))
	if err != nil || !ok {
		return cairn.Corruptf("unsupported format: the first line is not a VPC flow log header naming fields of versions 2 to 8: %q", truncate(first, 120))
	}
	n := newNormalizer(h, ref)
	var ev cairn.Event // reused: emitters copy what they keep
	for i := int64(0); ; i++ {
		if i&1023 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		line, off, err := lr.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if errors.Is(err, errTooLong) {
			if err := out.Reject(reject(ref, off, i, "record_too_large", "line exceeds the limit of "+strconv.Itoa(max)+" bytes; skipped", line)); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		ev = cairn.Event{}
		if err := n.normalize(line, i, &ev); err != nil {
			if err := out.Reject(reject(ref, off, i, "bad_record", err.Error(), line)); err != nil {
				return err
			}
			continue
		}
		if err := out.Emit(&ev); err != nil {
			return err
		}
	}
}

func reject(ref cairn.ObjectRef, off, index int64, reason, detail string, raw []byte) cairn.IngestError {
	return cairn.IngestError{Ref: ref, Offset: off, Index: index, Reason: reason, Detail: detail,
		Raw: bytes.Clone(truncate(raw, rejectRawBytes)), Time: time.Now().UTC()}
}

func truncate(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

var errTooLong = errors.New("line too long")

// lineReader yields lines without their terminator, skipping blank lines.
// A line is valid until the next call.
type lineReader struct {
	br   *bufio.Reader
	max  int
	off  int64 // offset of the next line
	long []byte
}

func newLineReader(r io.Reader, max int) *lineReader {
	size := 64 << 10
	if max+2 > size {
		size = max + 2
	}
	return &lineReader{br: bufio.NewReaderSize(r, size), max: max}
}

// next returns the next non-blank line and its byte offset. A line longer
// than max is consumed and returned truncated with errTooLong.
func (l *lineReader) next() ([]byte, int64, error) {
	for {
		start := l.off
		line, err := l.br.ReadSlice('\n')
		l.off += int64(len(line))
		if errors.Is(err, bufio.ErrBufferFull) || (err == nil && len(line) > l.max+1) {
			l.long = append(l.long[:0], truncate(line, l.max)...)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = l.br.ReadSlice('\n')
				l.off += int64(len(line))
				if len(l.long) < l.max {
					l.long = append(l.long, truncate(line, l.max-len(l.long))...)
				}
			}
			if err != nil && !errors.Is(err, io.EOF) {
				return nil, start, err
			}
			return l.long, start, errTooLong
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, start, err
		}
		if len(line) > l.max+1 {
			return truncate(line, l.max), start, errTooLong
		}
		trimmed := bytes.TrimRight(line, "\r\n")
		if len(bytes.TrimSpace(trimmed)) > 0 {
			return trimmed, start, nil
		}
		if err != nil {
			return nil, start, io.EOF
		}
	}
}
