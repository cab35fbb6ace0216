package push

import (
	"strconv"
	"strings"
	"time"
)

// parseTime reads a log entry's timestamp: RFC 3339, or an epoch number
// whose unit (s, ms, µs, ns) follows from its magnitude.
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), true
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil && i >= 0 {
		return epoch(i), true
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 0 && f < 1e11 {
		sec := int64(f)
		return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC(), true
	}
	return time.Time{}, false
}

func epoch(i int64) time.Time {
	switch {
	case i < 1e11:
		return time.Unix(i, 0).UTC()
	case i < 1e14:
		return time.UnixMilli(i).UTC()
	case i < 1e17:
		return time.UnixMicro(i).UTC()
	}
	return time.Unix(0, i).UTC()
}

// normalizeLevel maps a severity name to DEBUG, INFO, WARN or ERROR; ""
// when it is none of the known names.
func normalizeLevel(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "trace", "debug", "verbose":
		return "DEBUG"
	case "info", "information", "informational", "notice":
		return "INFO"
	case "warn", "warning":
		return "WARN"
	case "error", "err", "fatal", "critical", "crit", "alert", "emerg", "emergency", "panic":
		return "ERROR"
	}
	return ""
}

// guessLevel finds a level word at the start of a text line ("[ERROR]
// ...", "WARN: ...").
func guessLevel(line string) string {
	head := line
	if len(head) > 32 {
		head = head[:32]
	}
	for _, w := range strings.FieldsFunc(head, func(r rune) bool { return strings.ContainsRune(" []:|\t", r) }) {
		if l := normalizeLevel(w); l != "" {
			return l
		}
		break
	}
	return ""
}
