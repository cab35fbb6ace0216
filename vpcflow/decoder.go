package vpcflow

import (
	"bufio"
	"context"
	"errors"
	"io"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/internal/lines"
)

// DefaultMaxLineBytes bounds one record line. A record of every field of
// version 8 with long ECS ARNs stays far below it.
const DefaultMaxLineBytes = 64 << 10

// rejectRawBytes is how much of a rejected line is kept.
const rejectRawBytes = 4 << 10

// Decoder decodes VPC Flow Log files: text (plain or gzip), or Parquet.
type Decoder struct {
	MaxLineBytes int // 0 means DefaultMaxLineBytes
}

// Decode reads one decompressed flow log file from r and emits an event per
// record. Bad records are rejected individually; an error is returned only
// when the file is not a flow log (wrapping cairn.ErrCorrupt), when reading
// fails, or when out returns an error.
func (d Decoder) Decode(ctx context.Context, r io.Reader, ref cairn.ObjectRef, out cairn.Emitter) error {
	max := d.MaxLineBytes
	if max <= 0 {
		max = DefaultMaxLineBytes
	}
	br := bufio.NewReader(r)
	if magic, _ := br.Peek(len(parquetMagic)); string(magic) == parquetMagic {
		return d.decodeParquet(ctx, br, ref, out)
	}
	lr := lines.New(br, max)
	first, _, err := lr.Next()
	if errors.Is(err, io.EOF) {
		return nil // an empty object holds no records
	}
	if err != nil && !errors.Is(err, lines.ErrTooLong) {
		return err
	}
	h, ok := parseHeader(string(first))
	if err != nil || !ok {
		return cairn.Corruptf("unsupported format: the first line is not a VPC flow log header naming fields of versions 2 to 8: %q", truncate(first, 120))
	}
	n := newNormalizer(h, ref)
	return lines.Records{Ref: ref, Out: out, RejectBytes: rejectRawBytes,
		Record: func(index, _ int64, line []byte, ev *cairn.Event) (string, error) {
			if err := n.normalize(line, index, ev); err != nil {
				return err.Error(), nil
			}
			return "", nil
		}}.Loop(ctx, lr)
}

func truncate(b []byte, n int) []byte { return lines.Truncate(b, n) }
