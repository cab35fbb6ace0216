package logtime

import (
	"strconv"
	"strings"
	"time"
)

// layouts are tried in order after the fast RFC 3339 path.
var layouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999 -0700",
	"2006-01-02 15:04:05.999999999 -0700 MST",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04:05,999999999", // log4j, Python logging
	"2006/01/02 15:04:05.999999999", // Go log
	"02/Jan/2006:15:04:05 -0700",    // common log format
	time.RFC1123Z,
	time.RFC1123,
	time.UnixDate,
}

// Parse parses s; ok is false when s is no timestamp Parse knows, or is
// the zero time (0001-01-01T00:00:00Z), which Cairn reads as "no time".
func Parse(s string) (t time.Time, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if c := s[0]; c >= '0' && c <= '9' && isNumber(s) {
		return Epoch(s)
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil && !t.IsZero() {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func isNumber(s string) bool {
	dot := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.' && !dot:
			dot = true
		case c < '0' || c > '9':
			return false
		}
	}
	return true
}

// Epoch parses an epoch number, deciding its unit from its magnitude:
// seconds below 1e11 (until the year 5138), milliseconds below 1e14,
// microseconds below 1e17, nanoseconds beyond.
func Epoch(s string) (time.Time, bool) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 {
		return time.Time{}, false
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return FromInt(i), true
	}
	if whole, frac, ok := strings.Cut(s, "."); ok && f < 1e11 && len(frac) > 0 {
		// Seconds with a fraction: exact to the nanosecond, no float.
		sec, err1 := strconv.ParseInt(whole, 10, 64)
		frac = (frac + "000000000")[:9]
		ns, err2 := strconv.ParseInt(frac, 10, 64)
		if err1 == nil && err2 == nil {
			return time.Unix(sec, ns).UTC(), true
		}
	}
	return FromFloat(f), true
}

// FromInt converts an integer epoch of any unit (see Epoch).
func FromInt(i int64) time.Time {
	switch {
	case i < 1e11:
		return time.Unix(i, 0).UTC()
	case i < 1e14:
		return time.UnixMilli(i).UTC()
	case i < 1e17:
		return time.UnixMicro(i).UTC()
	default:
		return time.Unix(0, i).UTC()
	}
}

// FromFloat converts a fractional epoch of any unit (see Epoch).
func FromFloat(f float64) time.Time {
	switch {
	case f < 1e11:
		sec := int64(f)
		return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC()
	case f < 1e14:
		return time.UnixMicro(int64(f * 1e3)).UTC()
	case f < 1e17:
		return time.Unix(0, int64(f*1e3)).UTC()
	default:
		return time.Unix(0, int64(f)).UTC()
	}
}
