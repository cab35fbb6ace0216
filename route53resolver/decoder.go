package route53resolver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"time"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/internal/lines"
)

// DefaultMaxLineBytes bounds one query log line. A query with the largest
// DNS response stays far below it.
const DefaultMaxLineBytes = 1 << 20

// rejectRawBytes is how much of a rejected line is kept.
const rejectRawBytes = 64 << 10

// Decoder decodes Route 53 Resolver query log files.
type Decoder struct {
	MaxLineBytes int // 0 means DefaultMaxLineBytes
}

// Decode reads one decompressed query log file from r and emits an event
// per query. Bad lines are rejected individually; an error is returned only
// when the file is not a query log (wrapping cairn.ErrCorrupt), when
// reading fails, or when out returns an error.
func (d Decoder) Decode(ctx context.Context, r io.Reader, ref cairn.ObjectRef, out cairn.Emitter) error {
	max := d.MaxLineBytes
	if max <= 0 {
		max = DefaultMaxLineBytes
	}
	lr := lines.New(r, max)
	var ev cairn.Event // reused: emitters copy what they keep
	for i := int64(0); ; i++ {
		if i&1023 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		line, off, err := lr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if errors.Is(err, lines.ErrTooLong) {
			if i == 0 {
				return cairn.Corruptf("unsupported format: the first line is longer than %d bytes: not a Route 53 Resolver query log", max)
			}
			if err := out.Reject(reject(ref, off, i, "record_too_large", "line exceeds the limit of "+strconv.Itoa(max)+" bytes; skipped", line)); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		ev = cairn.Event{}
		if err := Normalize(line, ref.Key, i, &ev); err != nil {
			if i == 0 && !IsQueryLine(line) {
				return cairn.Corruptf("unsupported format: the first line is not a Route 53 Resolver query log record (a JSON object with query_name): %q", truncate(line, 120))
			}
			if err := out.Reject(reject(ref, off, i, "bad_record", err.Error(), line)); err != nil {
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

// IsQueryLine reports whether line is a JSON object with a query_name
// member: the first line of a query log.
func IsQueryLine(line []byte) bool {
	var probe struct {
		QueryName *string `json:"query_name"`
		Records   *any    `json:"Records"`
	}
	line = bytes.TrimSpace(line)
	if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &probe) != nil {
		return false
	}
	return probe.QueryName != nil && probe.Records == nil
}

func reject(ref cairn.ObjectRef, off, index int64, reason, detail string, raw []byte) cairn.IngestError {
	return cairn.IngestError{Ref: ref, Offset: off, Index: index, Reason: reason, Detail: detail,
		Raw: bytes.Clone(truncate(raw, rejectRawBytes)), Time: time.Now().UTC()}
}

func truncate(b []byte, n int) []byte { return lines.Truncate(b, n) }
