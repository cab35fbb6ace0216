package loglevel

import (
	"strings"
)

// Normalize maps a severity name or number to DEBUG, INFO, WARN or ERROR;
// "" when it is none Normalize knows.
func Normalize(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "trace", "debug", "dbug", "d", "7", "verbose", "fine", "finer", "finest", "10", "20": // 10, 20...: pino/bunyan
		return "DEBUG"
	case "info", "information", "informational", "notice", "i", "6", "5", "log", "default", "30":
		return "INFO"
	case "warn", "warning", "w", "4", "40":
		return "WARN"
	case "error", "err", "e", "3", "fatal", "f", "critical", "crit", "alert", "emerg", "emergency", "panic", "severe", "2", "1", "0", "50", "60":
		return "ERROR"
	}
	return ""
}

// Guess finds the level of a text line: a klog header ("E1129 00:09:04..."),
// a bracketed or leading level word ("[ERROR] ...", "WARN ...",
// "level=error"). It returns "" when the line names none.
func Guess(line string) string {
	if len(line) >= 5 && strings.ContainsRune("IWEF", rune(line[0])) && isDigits(line[1:5]) {
		return Normalize(line[:1]) // klog: Lmmdd
	}
	if i := strings.Index(line, "level="); i >= 0 {
		v := line[i+len("level="):]
		v = strings.TrimPrefix(v, `"`)
		if j := strings.IndexAny(v, "\" \t,"); j >= 0 {
			v = v[:j]
		}
		return Normalize(v)
	}
	head := line
	if len(head) > 64 {
		head = head[:64]
	}
	for _, w := range strings.FieldsFunc(head, func(r rune) bool {
		return r == ' ' || r == '[' || r == ']' || r == ':' || r == '\t' || r == '|' || r == '.'
	}) {
		switch strings.ToUpper(w) {
		case "ERROR", "ERR", "FATAL", "CRITICAL", "PANIC":
			return "ERROR"
		case "WARN", "WARNING":
			return "WARN"
		case "INFO", "NOTICE":
			return "INFO"
		case "DEBUG", "TRACE":
			return "DEBUG"
		}
	}
	return ""
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
