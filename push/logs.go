package push

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/cloudtrail"
	"github.com/cairn-sec/cairn/internal/loglevel"
	"github.com/cairn-sec/cairn/internal/logtime"
	"github.com/cairn-sec/cairn/web"
)

// Headers of /v1/logs.
const (
	HeaderOrganization = "X-Organization-Id"
	HeaderLogsRequest  = "X-Request-Id"
)

// logEntry is one entry of {"logs":[...]} as parsed: its shape checked,
// its content not yet.
type logEntry struct {
	Raw        []byte // the entry as received
	Time       time.Time
	Body       string // the body's text, or its JSON when it is not a string
	Severity   string
	Attributes map[string]any
}

// parseLogs reads {"logs":[{"timestamp","body","severity_text","attributes"}]}
// one entry at a time, refusing more than maxEntries entries. Every shape
// error names the entry and the field.
func parseLogs(r io.Reader, maxEntries int) ([]logEntry, error) {
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '{', `the body (want {"logs":[...]})`); err != nil {
		return nil, err
	}
	var out []logEntry
	seen := false
	for dec.More() {
		key, err := objectKey(dec)
		if err != nil {
			return nil, err
		}
		if key != "logs" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, jsonErr(key, err)
			}
			continue
		}
		seen = true
		if err := expectDelim(dec, '[', "logs"); err != nil {
			return nil, err
		}
		for dec.More() {
			i := len(out)
			if i >= maxEntries {
				return nil, fmt.Errorf("%w: more than %d log entries", errTooLarge, maxEntries)
			}
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return nil, jsonErr(fmt.Sprintf("logs[%d]", i), err)
			}
			e, err := parseEntry(raw, i)
			if err != nil {
				return nil, err
			}
			out = append(out, e)
		}
		if err := expectDelim(dec, ']', "logs"); err != nil {
			return nil, err
		}
	}
	if err := expectDelim(dec, '}', "the body"); err != nil {
		return nil, err
	}
	if err := endOfJSON(dec, r); err != nil {
		return nil, jsonErr("the body", err)
	}
	if !seen {
		return nil, malformedf(`no "logs" array (want {"logs":[{"timestamp":…,"body":…,"severity_text":…,"attributes":{…}}]})`)
	}
	return out, nil
}

func parseEntry(raw json.RawMessage, i int) (logEntry, error) {
	var f struct {
		Timestamp    json.RawMessage `json:"timestamp"`
		Body         json.RawMessage `json:"body"`
		SeverityText json.RawMessage `json:"severity_text"`
		Attributes   json.RawMessage `json:"attributes"`
	}
	if len(raw) == 0 || raw[0] != '{' {
		return logEntry{}, malformedf("logs[%d]: want an object", i)
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		return logEntry{}, malformedf("logs[%d]: %v", i, err)
	}
	e := logEntry{Raw: raw}
	var ok bool
	switch {
	case isNull(f.Timestamp):
		return e, malformedf("logs[%d].timestamp: missing (want RFC 3339 or epoch s/ms/µs/ns)", i)
	case f.Timestamp[0] == '"':
		var s string
		json.Unmarshal(f.Timestamp, &s)
		e.Time, ok = logtime.Parse(s)
	default:
		e.Time, ok = logtime.Parse(string(f.Timestamp))
	}
	if !ok {
		return e, malformedf("logs[%d].timestamp %s: want RFC 3339 or epoch s/ms/µs/ns", i, truncateString(string(f.Timestamp), 40))
	}
	switch {
	case isNull(f.Body):
		return e, malformedf("logs[%d].body: missing", i)
	case f.Body[0] == '"':
		json.Unmarshal(f.Body, &e.Body)
	default:
		e.Body = string(f.Body) // a structured body: its JSON
	}
	if !isNull(f.SeverityText) {
		if err := json.Unmarshal(f.SeverityText, &e.Severity); err != nil {
			return e, malformedf("logs[%d].severity_text: want a string", i)
		}
	}
	if !isNull(f.Attributes) {
		if f.Attributes[0] != '{' || json.Unmarshal(f.Attributes, &e.Attributes) != nil {
			return e, malformedf("logs[%d].attributes: want an object", i)
		}
	}
	return e, nil
}

func isNull(raw json.RawMessage) bool { return len(raw) == 0 || string(raw) == "null" }

// cloudTrailSources are the attribute values that mark a body as a
// CloudTrail record.
var cloudTrailSources = map[string]bool{"aws-cloudtrail": true, "aws.cloudtrail": true, "cloudtrail": true}

// entryEvent makes the event of one entry: a CloudTrail record when the
// source attribute says so, else an application log.
func entryEvent(e *logEntry, org string) (*cairn.Event, error) {
	ev := &cairn.Event{}
	if src, _ := e.Attributes["source"].(string); cloudTrailSources[strings.ToLower(src)] {
		if err := cloudtrail.Normalize([]byte(e.Body), ev); err != nil {
			return nil, fmt.Errorf("body is not a CloudTrail record: %w", err)
		}
		if ev.EventID == "" {
			ev.EventID = entryID(e, org)
		}
	} else {
		if !utf8.Valid(e.Raw) {
			return nil, errors.New("entry is not valid UTF-8")
		}
		*ev = cairn.Event{Time: e.Time, Source: SourceApplication, Message: e.Body, Raw: e.Raw,
			Level: loglevel.Normalize(e.Severity), EventID: firstString(e.Attributes, "event_id", "id"),
			Service:   firstString(e.Attributes, "service.name", "service", "service_name"),
			AccountID: firstString(e.Attributes, "aws_account_id", "account_id", "cloud.account.id"),
			Region:    firstString(e.Attributes, "aws_region", "cloud.region")}
		if ev.Level == "" {
			ev.Level = loglevel.Guess(e.Body)
		}
		if ev.EventID == "" {
			ev.EventID = entryID(e, org)
		}
	}
	ev.OrganizationID = org
	return ev, nil
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

// entryID is the deterministic ID of an entry without one: a hash of the
// organization, the time, the severity, the body and the attributes (in
// key order), so that a retried entry is the same event however its
// forwarder serialized it.
func entryID(e *logEntry, org string) string {
	h := sha256.New()
	attrs, _ := json.Marshal(e.Attributes)
	for _, s := range []string{org, strconv.FormatInt(e.Time.UnixNano(), 10), e.Severity, e.Body, string(attrs)} {
		io.WriteString(h, s)
		h.Write([]byte{0})
	}
	return "log-" + hex.EncodeToString(h.Sum(nil)[:16])
}

func (h *Handler) serveLogs(w http.ResponseWriter, r *http.Request) {
	start := h.opts.Now()
	res := &result{endpoint: PathLogs}
	defer h.finish(r.Context(), res, start)
	fail := func(status int, err error) {
		res.status, res.err = status, err
		if status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="cairn"`)
		}
		writeJSON(w, status, map[string]string{"error": err.Error()})
	}
	tok, reason := web.BearerToken(r)
	if reason != "" {
		fail(http.StatusUnauthorized, errors.New("unauthorized: "+reason))
		return
	}
	name, ok := web.MatchToken(tok, h.opts.LogsTokens)
	if !ok {
		fail(http.StatusUnauthorized, errors.New("unauthorized: invalid token"))
		return
	}
	res.secret = name
	org := r.Header.Get(HeaderOrganization)
	if err := checkHeader(HeaderOrganization, org); err != nil {
		fail(http.StatusBadRequest, err)
		return
	}
	res.requestID = r.Header.Get(HeaderLogsRequest)
	if err := checkHeader(HeaderLogsRequest, res.requestID); err != nil {
		fail(http.StatusBadRequest, err)
		return
	}
	if st, err := h.process(r, res, h.opts.Logs.MaxDecoded, func() (*batch, error) { return h.readLogs(r, res, org) }); err != nil {
		fail(st, err)
		return
	}
	res.status = http.StatusOK
	b := res.b
	writeJSON(w, http.StatusOK, logsResponse{RequestID: res.requestID, Accepted: b.req.Records, Events: res.out.res.Inserted,
		DuplicateEvents: res.out.res.Duplicates, Quarantined: b.req.Errors, DuplicateRequest: res.out.duplicate})
}

// logsResponse is /v1/logs' success body.
type logsResponse struct {
	RequestID        string `json:"request_id"`
	Accepted         int64  `json:"accepted"`          // entries in the request
	Events           int64  `json:"events"`            // events stored
	DuplicateEvents  int64  `json:"duplicate_events"`  // entries already stored (same event ID)
	Quarantined      int64  `json:"quarantined"`       // entries kept in ingest_errors instead
	DuplicateRequest bool   `json:"duplicate_request"` // the same request was committed before: nothing stored
}

// readLogs reads and decodes a batch. The request ID is X-Request-Id, else
// the SHA-256 of the organization and the decompressed body.
func (h *Handler) readLogs(r *http.Request, res *result, org string) (*batch, error) {
	lim := h.opts.Logs
	body, err := openBody(r, lim.MaxBody, lim.MaxDecoded)
	if err != nil {
		return nil, err
	}
	defer func() { res.wire, res.decoded = body.Bytes() }()
	sum := sha256.New()
	io.WriteString(sum, org)
	sum.Write([]byte{0})
	entries, err := parseLogs(io.TeeReader(body, sum), lim.MaxRecords)
	if err != nil {
		return nil, err
	}
	if res.requestID == "" {
		res.requestID = "sha256:" + hex.EncodeToString(sum.Sum(nil))
	}
	wire, decoded := body.Bytes()
	b := &batch{req: cairn.PushRequest{Endpoint: PathLogs, RequestID: res.requestID, OrganizationID: org,
		Records: int64(len(entries)), Bytes: wire, RawBytes: decoded}}
	key := "v1/logs/" + res.requestID
	b.fill = func(ctx context.Context, s *sink) error {
		for i := range entries {
			ev, err := entryEvent(&entries[i], org)
			if err != nil {
				err = s.Reject(cairn.IngestError{Ref: cairn.ObjectRef{Key: key, ETag: res.requestID}, Offset: -1, Index: int64(i),
					Reason: "bad_record", Detail: fmt.Sprintf("/v1/logs request %s logs[%d]: %v", res.requestID, i, err),
					Raw: truncate(entries[i].Raw, 4096)})
			} else {
				ev.Key, ev.Index = key, int64(i)
				err = s.Emit(ev)
			}
			if err != nil {
				return err
			}
			entries[i] = logEntry{}
			if i%1000 == 999 {
				if err := s.endRecord(true); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return b, nil
}

// checkHeader accepts an optional identifier header of at most 256
// printable ASCII characters.
func checkHeader(name, v string) error {
	if len(v) > 256 {
		return malformedf("%s: longer than 256 characters", name)
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 0x21 || v[i] > 0x7e {
			return malformedf("%s: only printable ASCII without spaces", name)
		}
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	b = append(b, '\n')
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}
