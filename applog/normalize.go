package applog

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/internal/loglevel"
	"github.com/cairn-sec/cairn/internal/logtime"
)

// The keys each column is lifted from, in order of preference.
var (
	timeKeys      = []string{"time", "timestamp", "@timestamp", "ts", "date", "t"}
	levelKeys     = []string{"level", "severity", "lvl", "loglevel", "log.level"}
	messageKeys   = []string{"message", "msg", "log"}
	serviceKeys   = []string{"service", "service.name", "app", "application", "kubernetes.labels.app", "kubernetes.labels.app.kubernetes.io/name"}
	traceKeys     = []string{"trace_id", "traceId", "traceID", "trace.id", "dd.trace_id"}
	hostKeys      = []string{"kubernetes.host", "host", "hostname"}
	methodKeys    = []string{"method", "http.method", "http_method"}
	urlKeys       = []string{"url", "path", "uri", "request_uri"}
	statusKeys    = []string{"status", "status_code", "http.status_code", "http_status"}
	namespaceKeys = []string{"kubernetes.namespace_name"}
	podKeys       = []string{"kubernetes.pod_name"}
	containerKeys = []string{"kubernetes.container_name"}
)

// normalizeJSON lifts the fields of a JSON object line; false when the
// line is not a JSON object.
func normalizeJSON(line []byte, ev *cairn.Event) bool {
	m, ok := decodeObject(line)
	if !ok {
		return false
	}
	lift(m, ev)
	// Docker/CRI: the container's own JSON inside "log".
	if s, ok := m["log"].(string); ok {
		if t := strings.TrimSpace(s); len(t) > 1 && t[0] == '{' {
			if inner, ok := decodeObject([]byte(t)); ok {
				msg := ev.Message
				ev.Message = ""
				lift(inner, ev)
				if ev.Message == "" {
					ev.Message = msg
				}
			}
		}
	}
	return true
}

func decodeObject(b []byte) (map[string]any, bool) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if d.Decode(&m) != nil || m == nil {
		return nil, false
	}
	return m, true
}

// lift fills the columns ev does not have yet from m.
func lift(m map[string]any, ev *cairn.Event) {
	if ev.Time.IsZero() {
		for _, k := range timeKeys {
			switch v := get(m, k).(type) {
			case string:
				if t, ok := logtime.Parse(v); ok {
					ev.Time = t
				}
			case json.Number:
				if t, ok := logtime.Epoch(v.String()); ok {
					ev.Time = t
				}
			}
			if !ev.Time.IsZero() {
				break
			}
		}
	}
	if ev.Level == "" {
		ev.Level = loglevel.Normalize(str(m, levelKeys))
	}
	setIfEmpty(&ev.Message, strings.TrimRight(str(m, messageKeys), "\r\n"))
	setIfEmpty(&ev.Service, str(m, serviceKeys))
	setIfEmpty(&ev.TraceID, str(m, traceKeys))
	setIfEmpty(&ev.Namespace, str(m, namespaceKeys))
	setIfEmpty(&ev.Pod, str(m, podKeys))
	setIfEmpty(&ev.Container, str(m, containerKeys))
	setIfEmpty(&ev.Host, str(m, hostKeys))
	setIfEmpty(&ev.HTTPMethod, str(m, methodKeys))
	setIfEmpty(&ev.URL, str(m, urlKeys))
	if !ev.HTTPStatus.Valid {
		for _, k := range statusKeys {
			if n, ok := get(m, k).(json.Number); ok {
				if i, err := n.Int64(); err == nil && i >= 100 && i <= 999 {
					ev.HTTPStatus = cairn.Int(i)
					break
				}
			}
		}
	}
	if ev.Level == "" && ev.Message != "" {
		ev.Level = loglevel.Guess(ev.Message)
	}
}

func setIfEmpty(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

// str is the first of keys that holds a string or a number, as text.
func str(m map[string]any, keys []string) string {
	for _, k := range keys {
		switch v := get(m, k).(type) {
		case string:
			if v != "" {
				return v
			}
		case json.Number:
			return v.String()
		}
	}
	return ""
}

// get looks a dotted path up: the whole path as a key first, then each
// split at a dot into an object and the rest.
func get(m map[string]any, path string) any {
	if v, ok := m[path]; ok {
		return v
	}
	for i := 0; i < len(path); i++ {
		if path[i] != '.' {
			continue
		}
		if sub, ok := m[path[:i]].(map[string]any); ok {
			if v := get(sub, path[i+1:]); v != nil {
				return v
			}
		}
	}
	return nil
}

// normalizeText takes the level and a leading timestamp from a text line.
func normalizeText(line []byte, ev *cairn.Event) {
	s := string(line)
	ev.Level = loglevel.Guess(s)
	if t, ok := leadingTime(s); ok {
		ev.Time = t
	}
}

// leadingTime parses a timestamp at the start of a line: one token
// (RFC 3339), two (date and time), or a bracketed one.
func leadingTime(s string) (t time.Time, ok bool) {
	if len(s) < 10 {
		return t, false
	}
	if s[0] == '[' {
		if j := strings.IndexByte(s, ']'); j > 0 {
			return logtime.Parse(s[1:j])
		}
		return t, false
	}
	if s[0] < '0' || s[0] > '9' {
		return t, false
	}
	f := strings.SplitN(s, " ", 3)
	if len(f) >= 2 && len(f[1]) >= 5 && f[1][0] >= '0' && f[1][0] <= '9' && strings.IndexByte(f[1], ':') > 0 {
		if t, ok := logtime.Parse(f[0] + " " + f[1]); ok {
			return t, true
		}
	}
	if len(f[0]) >= 10 && strings.ContainsAny(f[0], "-/T:") {
		return logtime.Parse(f[0])
	}
	return t, false
}
