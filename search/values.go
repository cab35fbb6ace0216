package search

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// units are the duration suffixes a query accepts.
var units = map[string]time.Duration{
	"ms": time.Millisecond, "s": time.Second, "sec": time.Second, "m": time.Minute, "min": time.Minute,
	"h": time.Hour, "hr": time.Hour, "d": 24 * time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour,
	"w": 7 * 24 * time.Hour, "wk": 7 * 24 * time.Hour,
}

// ParseDuration reads a positive duration such as 15m, 24h, 7d, 2w or 1h30m.
func ParseDuration(s string) (time.Duration, error) {
	d, err := parseDuration(s)
	if err != nil {
		return 0, err
	}
	if d <= 0 {
		return 0, fmt.Errorf("duration %q: must be positive", s)
	}
	return d, nil
}

func parseDuration(s string) (time.Duration, error) {
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	if i > 0 && i < len(s) {
		if u, ok := units[strings.ToLower(s[i:])]; ok {
			n, err := strconv.ParseFloat(s[:i], 64)
			if err == nil && n*float64(u) < math.MaxInt64 {
				return time.Duration(n * float64(u)), nil
			}
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("duration %q: want a number and a unit (ms, s, m, h, d, w), e.g. 15m, 24h, 7d", s)
	}
	return d, nil
}

// ParseTime reads an absolute or relative time: RFC 3339
// (2024-05-01T10:00:00Z), a date or date and time in UTC (2024-05-01,
// 2024-05-01 10:00), "now", or an offset from now (now-7d, -24h, now+1h).
func ParseTime(s string, now time.Time) (time.Time, error) {
	t, _, err := parseTimeValue(s, now)
	return t, err
}

// timeLayouts are tried in order, with the precision each one states.
var timeLayouts = []struct {
	layout string
	prec   time.Duration
}{
	{time.RFC3339, time.Second},
	{"2006-01-02T15:04Z07:00", time.Minute},
	{"2006-01-02T15:04:05", time.Second},
	{"2006-01-02 15:04:05", time.Second},
	{"2006-01-02T15:04", time.Minute},
	{"2006-01-02 15:04", time.Minute},
	{"2006-01-02T15", time.Hour},
	{"2006-01-02", 24 * time.Hour},
	{"2006-01", 0}, // a month: its length is the precision
}

// parseTimeValue reads a time and the precision it was written with (a
// date covers a day; 0 means an instant).
func parseTimeValue(s string, now time.Time) (time.Time, time.Duration, error) {
	ls := strings.ToLower(strings.TrimSpace(s))
	if ls == "now" {
		return now.UTC(), 0, nil
	}
	if rest, ok := strings.CutPrefix(ls, "now"); ok || strings.HasPrefix(ls, "-") || strings.HasPrefix(ls, "+") {
		if len(rest) > 1 && (rest[0] == '-' || rest[0] == '+') {
			d, err := parseDuration(rest[1:])
			if err != nil {
				return time.Time{}, 0, err
			}
			if rest[0] == '-' {
				d = -d
			}
			return now.Add(d).UTC(), 0, nil
		}
		return time.Time{}, 0, fmt.Errorf("time %q: want RFC 3339 (2024-05-01T10:00:00Z), a date (2024-05-01) or now-7d", s)
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l.layout, strings.TrimSpace(s)); err == nil {
			if l.layout == "2006-01" {
				return t, t.AddDate(0, 1, 0).Sub(t), nil
			}
			if l.prec == time.Second && strings.Contains(s, ".") {
				return t.UTC(), 0, nil // fractional seconds: an instant
			}
			return t.UTC(), l.prec, nil
		}
	}
	return time.Time{}, 0, fmt.Errorf("time %q: want RFC 3339 (2024-05-01T10:00:00Z), a date (2024-05-01) or now-7d", s)
}

// parseBool reads the usual spellings of a boolean.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "true", "yes", "1", "t", "y":
		return true, nil
	case "false", "no", "0", "f", "n":
		return false, nil
	}
	return false, errors.New("expected true or false")
}

// ipRange is the inclusive span of addresses of a CIDR block (or of one
// address), as the keys the SQL computes from an address: for IPv4 a
// number, for IPv6 32 lower-case hex digits.
type ipRange struct {
	v4     bool
	lo, hi any
}

// parseIPRange reads a CIDR block (10.0.0.0/8, 2001:db8::/32) or an
// address. IPv4-mapped IPv6 addresses are not accepted.
func parseIPRange(s string) (ipRange, bool) {
	var p netip.Prefix
	if strings.Contains(s, "/") {
		var err error
		if p, err = netip.ParsePrefix(s); err != nil {
			return ipRange{}, false
		}
	} else {
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return ipRange{}, false
		}
		p = netip.PrefixFrom(a, a.BitLen())
	}
	if p.Addr().Is4In6() || p.Addr().Zone() != "" {
		return ipRange{}, false
	}
	p = p.Masked()
	lo := p.Addr().AsSlice()
	hi := make([]byte, len(lo))
	for i := range lo {
		bits := p.Bits() - 8*i
		switch {
		case bits >= 8:
			hi[i] = lo[i]
		case bits <= 0:
			hi[i] = 0xff
		default:
			hi[i] = lo[i] | byte(0xff>>bits)
		}
	}
	if p.Addr().Is4() {
		num := func(b []byte) any {
			return int64(b[0])<<24 | int64(b[1])<<16 | int64(b[2])<<8 | int64(b[3])
		}
		return ipRange{v4: true, lo: num(lo), hi: num(hi)}, true
	}
	return ipRange{lo: hex.EncodeToString(lo), hi: hex.EncodeToString(hi)}, true
}
