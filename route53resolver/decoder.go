package route53resolver

import (
	"bytes"
	"context"
	"encoding/json"
	"io"

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
	return lines.Records{Ref: ref, Out: out, RejectBytes: rejectRawBytes,
		TooLong: func(index int64) error {
			if index == 0 {
				return cairn.Corruptf("unsupported format: the first line is longer than %d bytes: not a Route 53 Resolver query log", max)
			}
			return nil
		},
		Record: func(index, _ int64, line []byte, ev *cairn.Event) (string, error) {
			if err := Normalize(line, ref.Key, index, ev); err != nil {
				if index == 0 && !IsQueryLine(line) {
					return "", cairn.Corruptf("unsupported format: the first line is not a Route 53 Resolver query log record (a JSON object with query_name): %q", truncate(line, 120))
				}
				return err.Error(), nil
			}
			ev.Bucket, ev.Key, ev.Index = ref.Bucket, ref.Key, index
			return "", nil
		}}.Loop(ctx, lines.New(r, max))
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

func truncate(b []byte, n int) []byte { return lines.Truncate(b, n) }
