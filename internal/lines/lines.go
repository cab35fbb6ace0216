package lines

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// ErrTooLong is returned with the first max bytes of a line longer than
// max; the rest of the line is consumed.
var ErrTooLong = errors.New("line too long")

// Reader yields lines. A line is valid until the next call.
type Reader struct {
	br   *bufio.Reader
	max  int
	off  int64 // offset of the next line
	long []byte
}

// New returns a Reader of lines of at most max bytes.
func New(r io.Reader, max int) *Reader {
	size := 64 << 10
	if max+2 > size {
		size = max + 2
	}
	return &Reader{br: bufio.NewReaderSize(r, size), max: max}
}

// Next returns the next non-blank line and its byte offset, io.EOF at the
// end. A line longer than max is consumed and returned truncated with
// ErrTooLong.
func (l *Reader) Next() ([]byte, int64, error) {
	for {
		start := l.off
		line, err := l.br.ReadSlice('\n')
		l.off += int64(len(line))
		if errors.Is(err, bufio.ErrBufferFull) || (err == nil && len(line) > l.max+1) {
			l.long = append(l.long[:0], Truncate(line, l.max)...)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = l.br.ReadSlice('\n')
				l.off += int64(len(line))
				if len(l.long) < l.max {
					l.long = append(l.long, Truncate(line, l.max-len(l.long))...)
				}
			}
			if err != nil && !errors.Is(err, io.EOF) {
				return nil, start, err
			}
			return l.long, start, ErrTooLong
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, start, err
		}
		if len(line) > l.max+1 {
			return Truncate(line, l.max), start, ErrTooLong
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

// Truncate returns at most the first n bytes of b.
func Truncate(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}
