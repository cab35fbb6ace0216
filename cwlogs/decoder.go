package cwlogs

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/cairn-sec/cairn"
)

// DefaultMaxMessageBytes bounds one subscription message (decompressed).
// CloudWatch Logs sends at most 1 MB of log events per message; Firehose
// records are at most 1,000 KiB compressed.
const DefaultMaxMessageBytes = 16 << 20

// rejectRawBytes is how much of a rejected message is kept.
const rejectRawBytes = 64 << 10

// Decoder decodes CloudWatch Logs subscription payloads.
type Decoder struct {
	MaxMessageBytes int    // 0 means DefaultMaxMessageBytes
	OnControl       func() // called for each CONTROL_MESSAGE skipped (nil: not called)
}

// Counts says what a decode found.
type Counts struct {
	Messages int64 // DATA_MESSAGEs decoded
	Control  int64 // CONTROL_MESSAGEs skipped
	Events   int64 // log events emitted
	Rejected int64 // messages or log events rejected
}

// message is one subscription message, or the Lambda envelope around one.
type message struct {
	MessageType         string     `json:"messageType"`
	Owner               string     `json:"owner"`
	LogGroup            string     `json:"logGroup"`
	LogStream           string     `json:"logStream"`
	SubscriptionFilters []string   `json:"subscriptionFilters"`
	LogEvents           []logEvent `json:"logEvents"`
	Awslogs             *struct {
		Data string `json:"data"`
	} `json:"awslogs"`
}

type logEvent struct {
	ID        string `json:"id"`
	Timestamp int64  `json:"timestamp"`
	Message   string `json:"message"`
}

// Decode reads one decompressed object of subscription messages and emits
// an event per log event. See the package documentation for what is an
// error and what is rejected.
func (d Decoder) Decode(ctx context.Context, r io.Reader, ref cairn.ObjectRef, out cairn.Emitter) error {
	_, err := d.DecodeCounts(ctx, r, ref, out)
	return err
}

// DecodeRecord decodes the data of one Firehose record (after base64):
// a subscription message, gzip-compressed as CloudWatch Logs sends it or
// already decompressed. ref names where it came from (for a push, e.g.
// Key "firehose/<request id>/<record index>"); events carry its Bucket and
// Key. Errors wrap cairn.ErrCorrupt when data is not a subscription
// message.
func DecodeRecord(ctx context.Context, data []byte, ref cairn.ObjectRef, out cairn.Emitter) (Counts, error) {
	return Decoder{}.DecodeCounts(ctx, bytes.NewReader(data), ref, out)
}

// DecodeCounts is Decode, also returning what it found.
func (d Decoder) DecodeCounts(ctx context.Context, r io.Reader, ref cairn.ObjectRef, out cairn.Emitter) (Counts, error) {
	max := d.MaxMessageBytes
	if max <= 0 {
		max = DefaultMaxMessageBytes
	}
	s := &stream{ctx: ctx, ref: ref, out: out, max: max, onControl: d.OnControl}
	err := s.decode(r, 0)
	return s.c, err
}

// stream decodes one object; index counts log events across it.
type stream struct {
	ctx   context.Context
	ref   cairn.ObjectRef
	out   cairn.Emitter
	max   int
	c     Counts
	index int64
	any   bool // a message was recognized

	onControl func()
}

// decode reads a run of messages from r, unwrapping gzip and base64
// layers first. depth bounds the nesting of envelopes.
func (s *stream) decode(r io.Reader, depth int) error {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(4)
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	if depth > 3 {
		return cairn.Corruptf("unsupported format: CloudWatch Logs payload nested more than 3 times")
	}
	switch {
	case len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b:
		zr, err := gzip.NewReader(br)
		if err != nil {
			return cairn.Corruptf("CloudWatch Logs payload: gzip: %v", err)
		}
		return s.decode(&gzipErrors{r: zr}, depth+1)
	case bytes.Equal(head, []byte("H4sI")):
		return s.decodeBase64Lines(br, depth)
	}
	return s.decodeJSON(br, depth)
}

// decodeBase64Lines reads newline-separated base64 payloads (gzip inside).
func (s *stream) decodeBase64Lines(br *bufio.Reader, depth int) error {
	sc := bufio.NewScanner(br)
	sc.Buffer(nil, s.max*4/3+4)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		raw, err := base64.StdEncoding.AppendDecode(nil, line)
		if err != nil {
			return cairn.Corruptf("CloudWatch Logs payload: base64: %v", err)
		}
		if err := s.decode(bytes.NewReader(raw), depth+1); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return cairn.Corruptf("CloudWatch Logs payload: base64 line: %v", err)
	}
	return nil
}

var errTooLarge = errors.New("message too large")

// window reads for the JSON decoder. It keeps the input from the start of
// the value being decoded (so that a bad message is quarantined as
// received, without decoding every message twice), and fails once that
// value exceeds max bytes, so that one huge value cannot fill memory.
type window struct {
	r    io.Reader
	dec  *json.Decoder
	buf  []byte // the input from offset base on
	base int64
	max  int64
}

func (w *window) Read(p []byte) (int, error) {
	if w.base+int64(len(w.buf))-w.dec.InputOffset() > w.max {
		return 0, errTooLarge
	}
	n, err := w.r.Read(p)
	w.buf = append(w.buf, p[:n]...)
	return n, err
}

// from drops the input before offset off.
func (w *window) from(off int64) {
	if k := off - w.base; k > 0 {
		w.buf = w.buf[:copy(w.buf, w.buf[k:])]
		w.base = off
	}
}

// since returns the input from offset off (not before the last from) on.
func (w *window) since(off int64) []byte { return w.buf[off-w.base:] }

// decodeJSON reads JSON values back to back.
func (s *stream) decodeJSON(r io.Reader, depth int) error {
	w := &window{r: r, max: int64(s.max)}
	dec := json.NewDecoder(w)
	w.dec = dec
	for {
		if err := s.ctx.Err(); err != nil {
			return err
		}
		off := dec.InputOffset()
		w.from(off)
		var m message
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			return nil // an empty object holds no messages
		}
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case err == nil, errors.As(err, &te): // te: a whole value of the wrong shape
		case errors.As(err, &se), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, errTooLarge):
			// Keep what follows the bad spot (bounded) with the reject.
			tail := bytes.Clone(truncate(bytes.TrimLeft(w.since(off), " \t\r\n"), rejectRawBytes))
			more, _ := io.ReadAll(io.LimitReader(r, int64(rejectRawBytes-len(tail))))
			return s.badStream(off, err, append(tail, more...))
		default:
			return err // a read error: the gzip layer's or the fetch's
		}
		raw := bytes.TrimSpace(w.since(off)[:dec.InputOffset()-off])
		if err := s.message(&m, err, raw, off, depth); err != nil {
			return err
		}
	}
}

// badStream handles bytes that are not JSON: at the start of the object
// they make it an unsupported format; later, the rest of the object is
// quarantined as one record (JSON cannot be resynchronized).
func (s *stream) badStream(off int64, err error, tail []byte) error {
	what := err.Error()
	if errors.Is(err, errTooLarge) {
		what = fmt.Sprintf("a message exceeds the limit of %d bytes", s.max)
	}
	if !s.any {
		return cairn.Corruptf("unsupported format: not a CloudWatch Logs subscription payload (%s)", what)
	}
	s.c.Rejected++
	s.index++ // a record of its own: ingest_errors keeps one row per index
	return s.out.Reject(cairn.IngestError{Ref: s.ref, Offset: off, Index: s.index - 1, Reason: "bad_record",
		Detail: "CloudWatch Logs payload from this byte on not decoded: " + what, Raw: tail, Time: time.Now().UTC()})
}

// message handles one JSON value.
// m is raw decoded, decodeErr what decoding said (a value of the wrong
// shape).
func (s *stream) message(m *message, decodeErr error, raw []byte, off int64, depth int) error {
	if len(raw) == 0 || raw[0] != '{' {
		return s.badMessage(raw, off, "not a CloudWatch Logs subscription message: not a JSON object")
	}
	if decodeErr != nil {
		return s.badMessage(raw, off, "not a CloudWatch Logs subscription message: "+decodeErr.Error())
	}
	if m.Awslogs != nil && m.MessageType == "" {
		data, err := base64.StdEncoding.DecodeString(m.Awslogs.Data)
		if err != nil {
			return s.badMessage(raw, off, "awslogs.data is not base64: "+err.Error())
		}
		return s.decode(bytes.NewReader(data), depth+1)
	}
	switch m.MessageType {
	case "CONTROL_MESSAGE":
		s.any = true
		s.c.Control++
		if s.onControl != nil {
			s.onControl()
		}
		return nil
	case "DATA_MESSAGE":
	case "":
		return s.badMessage(raw, off, "not a CloudWatch Logs subscription message: no messageType")
	default:
		return s.badMessage(raw, off, fmt.Sprintf("unknown messageType %q", m.MessageType))
	}
	s.any = true
	s.c.Messages++
	route := routeOf(m.LogGroup, m.LogStream)
	var ev cairn.Event
	for i := range m.LogEvents {
		ev = cairn.Event{}
		normalize(m, &m.LogEvents[i], route, &ev)
		ev.Bucket, ev.Key, ev.Index = s.ref.Bucket, s.ref.Key, s.index
		s.index++
		s.c.Events++
		if err := s.out.Emit(&ev); err != nil {
			return err
		}
	}
	return nil
}

// badMessage refuses the object when nothing before was a subscription
// message, and rejects the one message otherwise.
func (s *stream) badMessage(raw []byte, off int64, detail string) error {
	if !s.any {
		return cairn.Corruptf("unsupported format: %s (first bytes %q)", detail, truncate(raw, 64))
	}
	s.c.Rejected++
	s.index++ // a record of its own: ingest_errors keeps one row per index
	return s.out.Reject(cairn.IngestError{Ref: s.ref, Offset: off, Index: s.index - 1, Reason: "bad_record",
		Detail: detail, Raw: bytes.Clone(truncate(raw, rejectRawBytes)), Time: time.Now().UTC()})
}

func truncate(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// gzipErrors marks damage in a nested gzip layer as corrupt.
type gzipErrors struct{ r io.Reader }

func (g *gzipErrors) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, cairn.ErrCorrupt) && !errors.Is(err, errTooLarge) {
		err = cairn.Corruptf("CloudWatch Logs payload: gzip: %v", err)
	}
	return n, err
}
