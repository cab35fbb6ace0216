package cloudtrail

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/cairn-sec/cairn"
)

// scanner walks the top level of a CloudTrail log file and yields the raw
// bytes of each element of its "Records" array. It tracks JSON structure
// only (strings, escapes, nesting); validating a record is the decoder's job.
type scanner struct {
	r       io.Reader
	buf     []byte
	pos     int
	end     int
	base    int64 // stream offset of buf[0]
	err     error // sticky read error
	maxRec  int
	inArray bool
	done    bool
	first   bool
}

const readSize = 256 << 10

func newScanner(r io.Reader, maxRecord int) *scanner {
	return &scanner{r: r, buf: make([]byte, readSize), maxRec: maxRecord}
}

// offset is the stream position of the next unread byte.
func (s *scanner) offset() int64 { return s.base + int64(s.pos) }

// fill reads more input; it returns false at EOF or on error.
func (s *scanner) fill() bool {
	if s.err != nil {
		return false
	}
	if s.pos == s.end {
		s.base += int64(s.end)
		s.pos, s.end = 0, 0
	}
	// A reader that keeps returning 0, nil would spin here forever; give up
	// like bufio does.
	for empty := 0; ; empty++ {
		if empty == 100 {
			s.err = io.ErrNoProgress
			return false
		}
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			s.err = err
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
}

// readErr reports why input ended: a truncated file, or the reader's error.
func (s *scanner) readErr(what string) error {
	if s.err == nil || errors.Is(s.err, io.EOF) {
		return cairn.Corruptf("unexpected end of input at byte %d while reading %s", s.offset(), what)
	}
	if errors.Is(s.err, io.ErrUnexpectedEOF) {
		return cairn.Corruptf("truncated input at byte %d while reading %s: %v", s.offset(), what, s.err)
	}
	return fmt.Errorf("read at byte %d: %w", s.offset(), s.err)
}

// peek returns the next non-space byte without consuming it.
func (s *scanner) peek() (byte, bool) {
	for {
		for s.pos < s.end {
			c := s.buf[s.pos]
			if c != ' ' && c != '\n' && c != '\r' && c != '\t' {
				return c, true
			}
			s.pos++
		}
		if !s.fill() {
			return 0, false
		}
	}
}

func (s *scanner) expect(c byte, what string) error {
	got, ok := s.peek()
	if !ok {
		return s.readErr(what)
	}
	if got != c {
		return cairn.Corruptf("expected %q at byte %d (%s), found %s", c, s.offset(), what, describe(got))
	}
	s.pos++
	return nil
}

func describe(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("%q", c)
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// open consumes `{ ... "Records": [` skipping any other top-level members.
func (s *scanner) open() error {
	if err := s.expect('{', "start of log file object; a CloudTrail log file is {\"Records\":[...]}"); err != nil {
		return err
	}
	for {
		c, ok := s.peek()
		if !ok {
			return s.readErr("top-level object")
		}
		if c == '}' {
			// Say where, like every other whole-file error.
			return cairn.Corruptf("no \"Records\" array in the log file object, which ends at byte %d", s.offset())
		}
		if c == ',' {
			s.pos++
			continue
		}
		if c != '"' {
			return cairn.Corruptf("expected a member name at byte %d, found %s", s.offset(), describe(c))
		}
		// A name longer than the limit is not "Records": skip its value.
		// (errTooLarge is not a whole-file error and must not escape open.)
		name, err := s.capture(1 << 10)
		if err != nil && !errors.Is(err, errTooLarge) {
			return err
		}
		if err := s.expect(':', "after member name"); err != nil {
			return err
		}
		if bytes.Equal(name, []byte(`"Records"`)) {
			if err := s.expect('[', "the Records array"); err != nil {
				return err
			}
			s.inArray, s.first = true, true
			return nil
		}
		if _, err := s.capture(0); err != nil { // skip the value
			return err
		}
	}
}

// errTooLarge marks a record larger than the limit; the record is skipped.
var errTooLarge = errors.New("record too large")

// next returns the next record's bytes, its stream offset, or io.EOF after
// the array's end. A non-nil raw with errTooLarge carries the record's head.
func (s *scanner) next() (raw []byte, off int64, err error) {
	if s.done {
		return nil, 0, io.EOF
	}
	c, ok := s.peek()
	if !ok {
		return nil, s.offset(), s.readErr("the Records array")
	}
	if c == ']' {
		s.pos++
		s.done = true
		return nil, 0, io.EOF
	}
	if !s.first {
		if c != ',' {
			return nil, s.offset(), cairn.Corruptf("expected ',' or ']' in Records at byte %d, found %s", s.offset(), describe(c))
		}
		s.pos++
		if c, ok = s.peek(); !ok {
			return nil, s.offset(), s.readErr("the Records array")
		}
	}
	s.first = false
	off = s.offset()
	raw, err = s.capture(s.maxRec)
	return raw, off, err
}

// capture reads one JSON value and returns its bytes. With limit > 0 the
// bytes beyond limit are not kept and errTooLarge is returned once the value
// ends; with limit == 0 nothing is kept (skip).
func (s *scanner) capture(limit int) ([]byte, error) {
	if _, ok := s.peek(); !ok {
		return nil, s.readErr("a value")
	}
	var out []byte
	keep := limit > 0
	over := false
	depth := 0
	inStr, esc := false, false
	scalar := false
	for {
		start := s.pos
		i := s.pos
		finished := false
	scan:
		for ; i < s.end; i++ {
			c := s.buf[i]
			if inStr {
				if esc {
					esc = false
				} else if c == '\\' {
					esc = true
				} else if c == '"' {
					inStr = false
					if depth == 0 {
						i++
						finished = true
						break scan
					}
				}
				continue
			}
			switch c {
			case '"':
				inStr = true
			case '{', '[':
				depth++
			case '}', ']':
				if depth == 0 { // end of a scalar inside a container
					finished = true
					break scan
				}
				depth--
				if depth == 0 {
					i++
					finished = true
					break scan
				}
			case ',', ' ', '\n', '\r', '\t', ':':
				if depth == 0 && scalar {
					finished = true
					break scan
				}
			default:
				if depth == 0 {
					scalar = true
				}
			}
		}
		if keep && !over {
			if len(out)+(i-start) > limit {
				over = true
				room := limit - len(out)
				out = append(out, s.buf[start:start+room]...)
			} else {
				out = append(out, s.buf[start:i]...)
			}
		}
		s.pos = i
		if finished {
			if over {
				return out, errTooLarge
			}
			return out, nil
		}
		if !s.fill() {
			if scalar && depth == 0 && (s.err == nil || errors.Is(s.err, io.EOF)) {
				return out, nil
			}
			return nil, s.readErr("a record")
		}
	}
}
