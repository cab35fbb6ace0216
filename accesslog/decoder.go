package accesslog

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strconv"
	"time"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/internal/lines"
)

// DefaultMaxLineBytes bounds one access log line.
const DefaultMaxLineBytes = 256 << 10

const rejectRawBytes = 16 << 10

// format is one access log format: what its lines look like and how one
// becomes an event.
type format struct {
	name      string // for errors: "S3 server access log"
	minFields int
	normalize func(f []string, ev *cairn.Event) error
}

// decode streams lines through f.
func decode(ctx context.Context, r io.Reader, ref cairn.ObjectRef, out cairn.Emitter, max int, f format) error {
	if max <= 0 {
		max = DefaultMaxLineBytes
	}
	lr := lines.New(r, max)
	var ev cairn.Event
	var fields []string
	for i := int64(0); ; i++ {
		if i&1023 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		line, off, err := lr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		var detail, reason string
		switch {
		case errors.Is(err, lines.ErrTooLong):
			reason, detail = "record_too_large", "line exceeds the limit of "+strconv.Itoa(max)+" bytes; skipped"
		case err != nil:
			return err
		default:
			ev = cairn.Event{}
			fields, err = splitFields(string(line), fields)
			if err == nil && len(fields) < f.minFields {
				err = errors.New("only " + strconv.Itoa(len(fields)) + " fields, want at least " + strconv.Itoa(f.minFields))
			}
			if err == nil {
				err = f.normalize(fields, &ev)
			}
			if err != nil {
				reason, detail = "bad_record", "not an "+f.name+" line: "+err.Error()
			}
		}
		if reason != "" {
			if i == 0 {
				return cairn.Corruptf("unsupported format: the first line is not an %s: %s: %q", f.name, detail, lines.Truncate(line, 120))
			}
			if err := out.Reject(cairn.IngestError{Ref: ref, Offset: off, Index: i, Reason: reason, Detail: detail,
				Raw: bytes.Clone(lines.Truncate(line, rejectRawBytes)), Time: time.Now().UTC()}); err != nil {
				return err
			}
			continue
		}
		ev.Raw = bytes.Clone(line) // line is the reader's buffer, overwritten by the next read
		sum := sha256.Sum256(line)
		ev.EventID = hex.EncodeToString(sum[:16])
		ev.Bucket, ev.Key, ev.Index = ref.Bucket, ref.Key, i
		if err := out.Emit(&ev); err != nil {
			return err
		}
	}
}

// num parses an optional integer field.
func num(s string) (cairn.NullInt, error) {
	if s == "" || s == "-" {
		return cairn.NullInt{}, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return cairn.NullInt{}, errors.New("not a number: " + strconv.Quote(s))
	}
	return cairn.Int(n), nil
}
