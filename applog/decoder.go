package applog

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io"
	"time"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/internal/lines"
)

// Source is the source of application log events.
const Source = "application"

// DefaultMaxLineBytes bounds one log line.
const DefaultMaxLineBytes = 1 << 20

// rejectRawBytes is how much of a rejected line is kept.
const rejectRawBytes = 64 << 10

// Decoder decodes application log files.
type Decoder struct {
	MaxLineBytes int // 0 means DefaultMaxLineBytes
}

// Decode reads one decompressed log file from r and emits an event per
// line. An error is returned only when the object is binary (wrapping
// cairn.ErrCorrupt), when reading fails, or when out returns an error.
func (d Decoder) Decode(ctx context.Context, r io.Reader, ref cairn.ObjectRef, out cairn.Emitter) error {
	max := d.MaxLineBytes
	if max <= 0 {
		max = DefaultMaxLineBytes
	}
	return lines.Records{Ref: ref, Out: out, RejectBytes: rejectRawBytes,
		Record: func(index, off int64, line []byte, ev *cairn.Event) (string, error) {
			if index == 0 && bytes.IndexByte(line, 0) >= 0 {
				return "", cairn.Corruptf("unsupported format: binary data, not an application log (first bytes %q)", lines.Truncate(line, 32))
			}
			Normalize(line, ref, off, ev)
			ev.Index = index
			return "", nil
		}}.Loop(ctx, lines.New(r, max))
}

// Normalize fills ev from one log line found at byte offset off of ref.
func Normalize(line []byte, ref cairn.ObjectRef, off int64, ev *cairn.Event) {
	ev.Source = Source
	ev.Raw = bytes.Clone(line) // line is the reader's buffer, overwritten by the next read
	ev.Bucket, ev.Key = ref.Bucket, ref.Key
	ev.ClassUID, ev.ActivityID, ev.TypeUID = 0, 99, 99
	ev.EventID = eventID(ref, off, line)
	if !(len(line) > 0 && line[0] == '{' && normalizeJSON(line, ev)) {
		normalizeText(line, ev)
	}
	if ev.Time.IsZero() {
		ev.Time = ref.EventTime.UTC()
		if ev.Time.IsZero() {
			ev.Time = time.Now().UTC()
		}
	}
}

func eventID(ref cairn.ObjectRef, off int64, line []byte) string {
	h := sha256.New()
	h.Write([]byte(ref.Bucket))
	h.Write([]byte{0})
	h.Write([]byte(ref.Key))
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(off))
	h.Write(b[:])
	h.Write(line)
	return hex.EncodeToString(h.Sum(nil)[:16])
}
