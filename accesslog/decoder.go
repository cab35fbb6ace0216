package accesslog

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strconv"

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
	var fields []string
	return lines.Records{Ref: ref, Out: out, RejectBytes: rejectRawBytes,
		TooLong: func(index int64) error {
			if index == 0 {
				return cairn.Corruptf("unsupported format: the first line is longer than %d bytes: not an %s", max, f.name)
			}
			return nil
		},
		Record: func(index, _ int64, line []byte, ev *cairn.Event) (string, error) {
			var err error
			fields, err = splitFields(string(line), fields)
			if err == nil && len(fields) < f.minFields {
				err = errors.New("only " + strconv.Itoa(len(fields)) + " fields, want at least " + strconv.Itoa(f.minFields))
			}
			if err == nil {
				err = f.normalize(fields, ev)
			}
			if err != nil {
				if index == 0 {
					return "", cairn.Corruptf("unsupported format: the first line is not an %s: %s: %q", f.name, err, lines.Truncate(line, 120))
				}
				return "not an " + f.name + " line: " + err.Error(), nil
			}
			ev.Raw = bytes.Clone(line) // line is the reader's buffer, overwritten by the next read
			sum := sha256.Sum256(line)
			ev.EventID = hex.EncodeToString(sum[:16])
			ev.Bucket, ev.Key, ev.Index = ref.Bucket, ref.Key, index
			return "", nil
		}}.Loop(ctx, lines.New(r, max))
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
