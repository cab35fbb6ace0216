package cloudtrail

import (
	"context"
	"errors"
	"io"
	"strconv"
	"time"

	"github.com/cairn-sec/cairn"
)

// DefaultMaxRecordBytes bounds one record. CloudTrail's own limit is 256 KB
// per event; anything far beyond is not a CloudTrail record.
const DefaultMaxRecordBytes = 4 << 20

// rejectRawBytes is how much of a rejected record is kept.
const rejectRawBytes = 64 << 10

// Decoder decodes CloudTrail log files (and CloudTrail Insights files, which
// share the format).
type Decoder struct {
	MaxRecordBytes int // 0 means DefaultMaxRecordBytes
}

// Decode reads one decompressed log file from r and emits an event per
// record. Bad records are rejected individually; an error is returned only
// when the file as a whole is unreadable (wrapping cairn.ErrCorrupt), when
// reading fails, or when out returns an error.
func (d Decoder) Decode(ctx context.Context, r io.Reader, ref cairn.ObjectRef, out cairn.Emitter) error {
	max := d.MaxRecordBytes
	if max <= 0 {
		max = DefaultMaxRecordBytes
	}
	s := newScanner(r, max)
	if err := s.open(); err != nil {
		return err
	}
	for i := int64(0); ; i++ {
		if i&1023 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		raw, off, err := s.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if errors.Is(err, errTooLarge) {
			if err := out.Reject(reject(ref, off, i, "record_too_large",
				"record exceeds the limit of "+strconv.Itoa(max)+" bytes; skipped", raw)); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		if len(raw) == 0 || raw[0] != '{' {
			if err := out.Reject(reject(ref, off, i, "bad_record", "record is not a JSON object", raw)); err != nil {
				return err
			}
			continue
		}
		var ev cairn.Event
		if err := Normalize(raw, &ev); err != nil {
			if err := out.Reject(reject(ref, off, i, "bad_record", err.Error(), raw)); err != nil {
				return err
			}
			continue
		}
		ev.Bucket, ev.Key, ev.Index = ref.Bucket, ref.Key, i
		if err := out.Emit(&ev); err != nil {
			return err
		}
	}
}

func reject(ref cairn.ObjectRef, off, index int64, reason, detail string, raw []byte) cairn.IngestError {
	if len(raw) > rejectRawBytes {
		raw = raw[:rejectRawBytes]
	}
	return cairn.IngestError{Ref: ref, Offset: off, Index: index, Reason: reason, Detail: detail, Raw: raw, Time: time.Now().UTC()}
}
