package accesslog

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// logTime parses a record's time in layout, as UTC. The zero time
// (0001-01-01T00:00:00Z) is refused: no service logged then, and Cairn
// reads a zero time as "no time".
func logTime(layout, s string) (time.Time, error) {
	t, err := time.Parse(layout, s)
	if err != nil {
		return time.Time{}, errors.New("time: " + err.Error())
	}
	if t.IsZero() {
		return time.Time{}, errors.New("time: " + strconv.Quote(s) + " is the zero time")
	}
	return t.UTC(), nil
}

// splitFields splits an access log line into fields separated by single
// spaces; "quoted" fields (with \" and \\ escapes) and [bracketed] fields
// are one field each, without their quotes or brackets.
func splitFields(line string, dst []string) ([]string, error) {
	dst = dst[:0]
	for i := 0; i < len(line); {
		switch line[i] {
		case ' ':
			i++
			continue
		case '"':
			var b strings.Builder
			j := i + 1
			escaped := false
			for ; j < len(line); j++ {
				c := line[j]
				if c == '\\' && j+1 < len(line) && (line[j+1] == '"' || line[j+1] == '\\') {
					b.WriteByte(line[j+1])
					j++
					escaped = true
					continue
				}
				if c == '"' {
					break
				}
				b.WriteByte(c)
			}
			if j >= len(line) {
				return dst, errors.New("unterminated quoted field")
			}
			if escaped {
				dst = append(dst, b.String())
			} else {
				dst = append(dst, line[i+1:j])
			}
			i = j + 1
		case '[':
			// A [field] ends with "] " or at the end of the line; "[::1]:80"
			// is an ordinary field.
			j := strings.IndexByte(line[i:], ']')
			if j > 0 && (i+j+1 == len(line) || line[i+j+1] == ' ') {
				dst = append(dst, line[i+1:i+j])
				i += j + 1
				continue
			}
			fallthrough
		default:
			j := strings.IndexByte(line[i:], ' ')
			if j < 0 {
				j = len(line) - i
			}
			dst = append(dst, line[i:i+j])
			i += j
		}
	}
	return dst, nil
}

// opt is a field's value, "" for "-" or a missing field.
func opt(f []string, i int) string {
	if i >= len(f) || f[i] == "-" {
		return ""
	}
	return f[i]
}

// hostPort splits "ip:port" (IPv6 "[::1]:80" or "::1:80" as ALB writes it).
func hostPort(s string) (host, port string) {
	if s == "" || s == "-" {
		return "", ""
	}
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return s, ""
	}
	return strings.Trim(s[:i], "[]"), s[i+1:]
}

// request splits "GET https://host:443/path?q HTTP/1.1".
func request(s string) (method, url string) {
	method, rest, ok := strings.Cut(s, " ")
	if !ok {
		return "", ""
	}
	if i := strings.LastIndexByte(rest, ' '); i >= 0 && strings.HasPrefix(rest[i+1:], "HTTP/") {
		rest = rest[:i]
	}
	if method == "-" {
		method = ""
	}
	return method, rest
}
