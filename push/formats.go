package push

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/applog"
	"github.com/cairn-sec/cairn/cloudtrail"
	"github.com/cairn-sec/cairn/internal/lines"
)

// RecordDecoder turns one pushed record's data (base64-decoded; still
// gzip'd when its producer compressed it) into events and rejects. ref
// names the record (Key "firehose/<request id>/<record index>", EventTime
// the request's timestamp). An error is the whole record's failure: it is
// quarantined and the request's other records still commit.
type RecordDecoder func(ctx context.Context, data []byte, ref cairn.ObjectRef, out cairn.Emitter) error

// Raw line formats of /firehose/raw?format=...
const (
	// FormatLines: application log lines (applog): JSON lines with time,
	// level, message, service, trace and Kubernetes fields lifted, or text
	// lines; the request's timestamp stands in for a line without a time.
	FormatLines = "lines"
	// FormatJSON is FormatLines (applog tells JSON from text per line).
	FormatJSON = "json"
	// FormatCloudTrail: a CloudTrail record per line (source "aws.cloudtrail").
	FormatCloudTrail = "cloudtrail"
)

// SourceApplication is the source of application log events.
const SourceApplication = applog.Source

// RawFormats are the formats /firehose/raw takes.
var RawFormats = []string{FormatLines, FormatJSON, FormatCloudTrail}

// rawDecoder returns the decoder of a raw line format.
func rawDecoder(format string) (RecordDecoder, error) {
	switch format {
	case "", FormatLines, FormatJSON:
		return func(ctx context.Context, data []byte, ref cairn.ObjectRef, out cairn.Emitter) error {
			return applog.Decoder{MaxLineBytes: len(data) + 1}.Decode(ctx, bytes.NewReader(data), ref, out)
		}, nil
	case FormatCloudTrail:
		return decodeCloudTrailLines, nil
	}
	return nil, malformedf("format %q: want one of %s", format, strings.Join(RawFormats, ", "))
}

// decodeCloudTrailLines emits one event per non-blank line of data, each a
// CloudTrail record; a bad line is rejected alone.
func decodeCloudTrailLines(ctx context.Context, data []byte, ref cairn.ObjectRef, out cairn.Emitter) error {
	lr := lines.New(bytes.NewReader(data), len(data)+1)
	for i := int64(0); ; i++ {
		line, off, err := lr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		ev := &cairn.Event{}
		if err := cloudtrail.Normalize(bytes.Clone(line), ev); err != nil {
			if rerr := out.Reject(cairn.IngestError{Ref: ref, Offset: off, Index: i, Reason: "bad_record",
				Detail: fmt.Sprintf("cloudtrail line %d at byte %d: %v", i+1, off, err), Raw: truncate(line, 4096)}); rerr != nil {
				return rerr
			}
			continue
		}
		ev.Bucket, ev.Key, ev.Index = ref.Bucket, ref.Key, i
		if err := out.Emit(ev); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

func truncate(b []byte, n int) []byte {
	if len(b) > n {
		b = b[:n]
	}
	return bytes.Clone(b)
}

func truncateString(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
