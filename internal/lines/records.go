package lines

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/cairn-sec/cairn"
)

// Records is the record loop the line decoders share: one event per line,
// bad lines rejected on their own.
type Records struct {
	Ref         cairn.ObjectRef
	Out         cairn.Emitter
	RejectBytes int // how much of a rejected line is kept
	// Record fills ev (zeroed before each call) from the line at byte
	// offset off, index counting from 0 with the first line Loop reads.
	// It returns "" to emit ev, the reason to reject the line as a
	// bad_record, or an error that ends the loop (e.g. a corrupt error
	// refusing the object on its first line).
	Record func(index, off int64, line []byte, ev *cairn.Event) (bad string, err error)
	// TooLong, when set, is called for a line over the reader's limit
	// before it is rejected as record_too_large; an error ends the loop.
	TooLong func(index int64) error
}

// Loop reads lr to its end, checking ctx every 1024 lines. It returns nil
// at the end of the input, a read error, the error of Record or TooLong,
// or the error of the emitter.
func (rs Records) Loop(ctx context.Context, lr *Reader) error {
	var ev cairn.Event // reused: emitters copy what they keep
	for i := int64(0); ; i++ {
		if i&1023 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		line, off, err := lr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		reason, detail := "", ""
		switch {
		case errors.Is(err, ErrTooLong):
			if rs.TooLong != nil {
				if err := rs.TooLong(i); err != nil {
					return err
				}
			}
			reason, detail = "record_too_large", "line exceeds the limit of "+strconv.Itoa(lr.max)+" bytes; skipped"
		case err != nil:
			return err
		case !utf8.Valid(line):
			// The store keeps text as UTF-8: such a line would lose its
			// bytes there, so it is quarantined whole instead.
			reason, detail = "bad_record", "line is not valid UTF-8 text"
		default:
			ev = cairn.Event{}
			bad, err := rs.Record(i, off, line, &ev)
			if err != nil {
				return err
			}
			if bad == "" {
				if err := rs.Out.Emit(&ev); err != nil {
					return err
				}
				continue
			}
			reason, detail = "bad_record", bad
		}
		if err := rs.Out.Reject(cairn.IngestError{Ref: rs.Ref, Offset: off, Index: i, Reason: reason, Detail: detail,
			Raw: bytes.Clone(Truncate(line, rs.RejectBytes)), Time: time.Now().UTC()}); err != nil {
			return err
		}
	}
}
