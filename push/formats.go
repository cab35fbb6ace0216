package push

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/cloudtrail"
	"github.com/cairn-sec/cairn/internal/lines"
	"github.com/cairn-sec/cairn/internal/loglevel"
	"github.com/cairn-sec/cairn/internal/logtime"
)

// RecordDecoder turns one pushed record's data (base64-decoded; still
// gzip'd when its producer compressed it) into events and rejects. ref
// names the record (Key "firehose/<request id>/<record index>", EventTime
// the request's timestamp). An error is the whole record's failure: it is
// quarantined and the request's other records still commit.
type RecordDecoder func(ctx context.Context, data []byte, ref cairn.ObjectRef, out cairn.Emitter) error

// Raw line formats of /firehose/raw?format=...
const (
	FormatLines      = "lines"      // each line a message (source "application")
	FormatJSON       = "json"       // each line a JSON object (source "application", fields lifted)
	FormatCloudTrail = "cloudtrail" // each line a CloudTrail record (source "aws.cloudtrail")
)

// SourceApplication is the source of application log events.
const SourceApplication = "application"

// RawFormats are the formats /firehose/raw takes.
var RawFormats = []string{FormatLines, FormatJSON, FormatCloudTrail}

// rawDecoder returns the decoder of a raw line format.
func rawDecoder(format string) (RecordDecoder, error) {
	switch format {
	case "", FormatLines, FormatJSON, FormatCloudTrail:
	default:
		return nil, malformedf("format %q: want one of %s", format, strings.Join(RawFormats, ", "))
	}
	if format == "" {
		format = FormatLines
	}
	return func(ctx context.Context, data []byte, ref cairn.ObjectRef, out cairn.Emitter) error {
		return decodeLines(ctx, format, data, ref, out)
	}, nil
}

// decodeLines emits one event per non-blank line of data; a bad line is
// rejected alone.
func decodeLines(ctx context.Context, format string, data []byte, ref cairn.ObjectRef, out cairn.Emitter) error {
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
		switch format {
		case FormatLines:
			err = lineEvent(line, ref.EventTime, ev)
		case FormatJSON:
			err = jsonLineEvent(line, ref.EventTime, ev)
		case FormatCloudTrail:
			err = cloudtrail.Normalize(bytes.Clone(line), ev)
		}
		if err != nil {
			if rerr := out.Reject(cairn.IngestError{Ref: ref, Offset: off, Index: i, Reason: "bad_record",
				Detail: fmt.Sprintf("%s line %d at byte %d: %v", format, i+1, off, err), Raw: truncate(line, 4096)}); rerr != nil {
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

// lineEvent is a plain text line: its message, its time the request's.
func lineEvent(line []byte, t time.Time, ev *cairn.Event) error {
	if !utf8.Valid(line) {
		return fmt.Errorf("line is not valid UTF-8")
	}
	msg := string(line)
	raw, err := json.Marshal(map[string]string{"message": msg})
	if err != nil {
		return err
	}
	*ev = cairn.Event{Time: t, Source: SourceApplication, Message: msg, Level: loglevel.Guess(msg), Raw: raw}
	return nil
}

// jsonLineEvent is a JSON object line: time, level, message and service
// lifted from their usual names.
func jsonLineEvent(line []byte, t time.Time, ev *cairn.Event) error {
	if !utf8.Valid(line) {
		return fmt.Errorf("line is not valid UTF-8")
	}
	var m map[string]any
	if err := json.Unmarshal(line, &m); err != nil {
		return fmt.Errorf("not a JSON object: %v", err)
	}
	*ev = cairn.Event{Time: t, Source: SourceApplication, Raw: bytes.Clone(line)}
	if v := firstString(m, "timestamp", "time", "@timestamp", "ts"); v != "" {
		tt, ok := logtime.Parse(v)
		if !ok {
			return fmt.Errorf("bad time %q", truncateString(v, 40))
		}
		ev.Time = tt
	}
	ev.Message = firstString(m, "message", "msg", "body", "log")
	ev.Level = loglevel.Normalize(firstString(m, "level", "severity", "severity_text", "levelname"))
	if ev.Level == "" {
		ev.Level = loglevel.Guess(ev.Message)
	}
	ev.Service = firstString(m, "service", "service.name", "app", "application")
	ev.EventID = firstString(m, "event_id", "eventID")
	return nil
}

// firstString returns the first of keys m holds, as text.
func firstString(m map[string]any, keys ...string) string {
	for _, k := range keys {
		switch v := m[k].(type) {
		case string:
			if v != "" {
				return v
			}
		case float64:
			return jsonNumber(v)
		case json.Number:
			return v.String()
		}
	}
	return ""
}

func jsonNumber(f float64) string {
	b, _ := json.Marshal(f)
	return string(b)
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

// collector gathers a request's events and rejects, within a memory
// budget.
type collector struct {
	b      *batch
	budget int64
}

var _ cairn.Emitter = (*collector)(nil)

// Emit keeps a copy of ev: decoders may reuse theirs.
func (c *collector) Emit(ev *cairn.Event) error {
	e := *ev
	c.b.events = append(c.b.events, &e)
	c.b.size += int64(e.Size())
	if c.b.size > c.budget {
		return fmt.Errorf("%w: decoded events exceed %d bytes", errTooLarge, c.budget)
	}
	return nil
}

func (c *collector) Reject(e cairn.IngestError) error {
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	c.b.rejects = append(c.b.rejects, e)
	return nil
}
