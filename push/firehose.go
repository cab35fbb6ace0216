package push

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/web"
)

// Firehose HTTP endpoint delivery headers.
const (
	HeaderRequestID = "X-Amz-Firehose-Request-Id"
	HeaderAccessKey = "X-Amz-Firehose-Access-Key"
)

// maxErrorMessage is the longest errorMessage Firehose accepts.
const maxErrorMessage = 8192

// firehoseRequest is a parsed delivery: {"requestId", "timestamp",
// "records":[{"data": base64}]}.
type firehoseRequest struct {
	RequestID string
	Timestamp time.Time // zero when absent
	Records   [][]byte  // base64-decoded data
}

// parseFirehose reads a delivery from r one record at a time, refusing
// more than maxRecords records.
func parseFirehose(r io.Reader, maxRecords int) (*firehoseRequest, error) {
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '{', "the body"); err != nil {
		return nil, err
	}
	req := &firehoseRequest{}
	seenRecords := false
	for dec.More() {
		key, err := objectKey(dec)
		if err != nil {
			return nil, err
		}
		switch key {
		case "requestId":
			if err := dec.Decode(&req.RequestID); err != nil {
				return nil, jsonErr("requestId", err)
			}
		case "timestamp":
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return nil, jsonErr("timestamp", err)
			}
			t, err := firehoseTime(raw)
			if err != nil {
				return nil, err
			}
			req.Timestamp = t
		case "records":
			seenRecords = true
			if err := expectDelim(dec, '[', "records"); err != nil {
				return nil, err
			}
			for dec.More() {
				i := len(req.Records)
				if i >= maxRecords {
					return nil, fmt.Errorf("%w: more than %d records", errTooLarge, maxRecords)
				}
				var rec struct {
					Data *string `json:"data"`
				}
				if err := dec.Decode(&rec); err != nil {
					return nil, jsonErr(fmt.Sprintf("records[%d]", i), err)
				}
				if rec.Data == nil {
					return nil, malformedf("records[%d]: no data", i)
				}
				data, err := base64.StdEncoding.DecodeString(*rec.Data)
				if err != nil {
					return nil, malformedf("records[%d].data: not base64: %v", i, err)
				}
				req.Records = append(req.Records, data)
			}
			if err := expectDelim(dec, ']', "records"); err != nil {
				return nil, err
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, jsonErr(key, err)
			}
		}
	}
	if err := expectDelim(dec, '}', "the body"); err != nil {
		return nil, err
	}
	if err := endOfJSON(dec, r); err != nil {
		return nil, jsonErr("the body", err)
	}
	if !seenRecords {
		return nil, malformedf(`no "records" array`)
	}
	return req, nil
}

// firehoseTime reads the timestamp: milliseconds since the epoch, as a
// number or (as in AWS's own example) a string.
func firehoseTime(raw json.RawMessage) (time.Time, error) {
	s := strings.Trim(string(raw), `"`)
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil || ms < 0 {
		return time.Time{}, malformedf("timestamp %s: want milliseconds since the epoch", truncateString(string(raw), 40))
	}
	return time.UnixMilli(ms).UTC(), nil
}

func expectDelim(dec *json.Decoder, want json.Delim, what string) error {
	tok, err := dec.Token()
	if err != nil {
		return jsonErr(what, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return malformedf("%s: want %q, found %v", what, string(want), tok)
	}
	return nil
}

func objectKey(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", jsonErr("the body", err)
	}
	k, ok := tok.(string)
	if !ok {
		return "", malformedf("the body: want a key, found %v", tok)
	}
	return k, nil
}

// jsonErr keeps limit errors and turns JSON errors into malformed ones.
func jsonErr(what string, err error) error {
	if errors.Is(err, errTooLarge) || errors.Is(err, errMalformed) {
		return err
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return malformedf("%s: unexpected end of the body", what)
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	if errors.As(err, &se) || errors.As(err, &te) {
		return malformedf("%s: %v", what, err)
	}
	return fmt.Errorf("read %s: %w", what, err)
}

// firehoseResponse is the body Firehose expects.
type firehoseResponse struct {
	RequestID    string `json:"requestId"`
	Timestamp    int64  `json:"timestamp"`
	ErrorMessage string `json:"errorMessage,omitempty"`
}

// writeFirehose answers with Content-Length and no Content-Encoding, as
// Firehose requires.
func writeFirehose(w http.ResponseWriter, status int, requestID string, now time.Time, msg string) {
	if len(msg) > maxErrorMessage {
		msg = msg[:maxErrorMessage]
	}
	b, _ := json.Marshal(firehoseResponse{RequestID: requestID, Timestamp: now.UnixMilli(), ErrorMessage: msg})
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

func (h *Handler) serveFirehose(w http.ResponseWriter, r *http.Request) {
	start := h.opts.Now()
	res := &result{endpoint: r.URL.Path, requestID: r.Header.Get(HeaderRequestID)}
	defer h.finish(r.Context(), res, start)
	fail := func(status int, err error) {
		res.status, res.err = status, err
		writeFirehose(w, status, res.requestID, h.opts.Now(), err.Error())
	}
	key := r.Header.Get(HeaderAccessKey)
	if key == "" {
		fail(http.StatusUnauthorized, errors.New("missing "+HeaderAccessKey))
		return
	}
	name, ok := web.MatchToken(key, h.opts.FirehoseKeys)
	if !ok {
		fail(http.StatusUnauthorized, errors.New("invalid "+HeaderAccessKey))
		return
	}
	res.secret = name
	var decode RecordDecoder
	if r.URL.Path == PathFirehoseCWLogs {
		decode = h.opts.CWLogs
	} else {
		var err error
		if decode, err = rawDecoder(r.URL.Query().Get("format")); err != nil {
			fail(http.StatusBadRequest, err)
			return
		}
	}
	if st, err := h.process(r, res, h.opts.Firehose.MaxDecoded, func() (*batch, error) { return h.readFirehose(r, res, decode) }); err != nil {
		fail(st, err)
		return
	}
	res.status = http.StatusOK
	writeFirehose(w, http.StatusOK, res.requestID, h.opts.Now(), "")
}

// readFirehose reads, checks and decodes a delivery into a batch.
func (h *Handler) readFirehose(r *http.Request, res *result, decode RecordDecoder) (*batch, error) {
	lim := h.opts.Firehose
	body, err := openBody(r, lim.MaxBody, lim.MaxDecoded)
	if err != nil {
		return nil, err
	}
	defer func() { res.wire, res.decoded = body.Bytes() }()
	req, err := parseFirehose(body, lim.MaxRecords)
	if err != nil {
		return nil, err
	}
	switch {
	case res.requestID == "" && req.RequestID == "":
		return nil, malformedf("no request ID: neither %s nor requestId", HeaderRequestID)
	case res.requestID == "":
		res.requestID = req.RequestID
	case req.RequestID != "" && req.RequestID != res.requestID:
		return nil, malformedf("requestId %q differs from %s %q", truncateString(req.RequestID, 64), HeaderRequestID, truncateString(res.requestID, 64))
	}
	if len(res.requestID) > 256 {
		return nil, malformedf("request ID longer than 256 bytes")
	}
	wire, decoded := body.Bytes()
	b := &batch{req: cairn.PushRequest{Endpoint: r.URL.Path, RequestID: res.requestID, Records: int64(len(req.Records)),
		Bytes: wire, Time: req.Timestamp}}
	t := req.Timestamp
	if t.IsZero() {
		t = h.opts.Now().UTC()
	}
	b.fill = func(ctx context.Context, s *sink) error {
		budget := lim.MaxDecoded - decoded
		for i, data := range req.Records {
			n, err := decodeRecord(ctx, s, decode, data, i, res.requestID, t, budget)
			if err != nil {
				return err
			}
			budget -= n
			b.req.RawBytes += n
		}
		return nil
	}
	return b, nil
}

// decodeRecord decodes one record into s, spending at most budget bytes
// of decompressed output, and returns how many it spent. A record that
// cannot be read is quarantined (with the events it produced before
// failing dropped); only limits, a canceled request and the store fail
// the whole request.
func decodeRecord(ctx context.Context, s *sink, decode RecordDecoder, data []byte, i int,
	requestID string, t time.Time, budget int64) (int64, error) {
	ref := cairn.ObjectRef{Key: fmt.Sprintf("firehose/%s/%d", requestID, i), ETag: requestID, EventTime: t}
	quarantine := func(reason string, err error) error {
		return s.Reject(cairn.IngestError{Ref: ref, Offset: -1, Index: -1, Reason: reason,
			Detail: fmt.Sprintf("Firehose request %s record %d: %v", requestID, i, err), Raw: truncate(data, 4096)})
	}
	plain, err := gunzipRecord(data, budget)
	if err != nil {
		if errors.Is(err, errTooLarge) {
			return 0, fmt.Errorf("record %d: %w", i, err)
		}
		return 0, quarantine("gzip", err)
	}
	err = decode(ctx, plain, ref, s)
	if err == nil {
		return int64(len(plain)), s.endRecord(true)
	}
	if errors.Is(err, errTooLarge) || ctx.Err() != nil || errors.Is(err, errStore) {
		return 0, err
	}
	s.endRecord(false)
	reason := cairn.Reason(err)
	if reason == "other" || reason == "corrupt" {
		reason = "bad_record"
	}
	return int64(len(plain)), quarantine(reason, err)
}
