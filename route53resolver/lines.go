package route53resolver

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

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
