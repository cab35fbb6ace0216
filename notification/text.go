package notification

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// jsonKind names the kind of JSON value that starts with c.
func jsonKind(c byte) string {
	switch c {
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	default:
		return "number"
	}
}

// clip cuts s to at most n bytes on a rune boundary, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// quote renders a body-derived string for an error: clipped to maxQuote
// bytes, Go-quoted.
func quote(s string) string { return quoteN(s, maxQuote) }

// quoteN is quote with a limit of n bytes.
func quoteN(s string, n int) string {
	if len(s) <= n {
		return strconv.Quote(s)
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return strconv.Quote(s[:i]) + "…"
}

// keyList renders the sorted key names of obj, at most maxKeyNames of them
// and about maxKeyBytes bytes in all: [a b c …+3].
func keyList(obj map[string]json.RawMessage) string {
	if len(obj) == 0 {
		return "[]"
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteByte('[')
	used := 0
	shown := 0
	for _, k := range keys {
		if shown == maxKeyNames || used >= maxKeyBytes {
			break
		}
		k = printable(clip(k, maxKeyBytes-used))
		if shown > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(k)
		used += len(k)
		shown++
	}
	if rest := len(keys) - shown; rest > 0 {
		fmt.Fprintf(&b, " …+%d", rest)
	}
	b.WriteByte(']')
	return b.String()
}

// printable returns s unchanged if it is plain text without spaces, quoted
// otherwise.
func printable(s string) string {
	if s == "" {
		return `""`
	}
	for _, r := range s {
		if r == ' ' || r == '"' || r == '[' || r == ']' || !strconv.IsPrint(r) || r == utf8.RuneError {
			return strconv.Quote(s)
		}
	}
	return s
}

func itoa(i int) string { return strconv.Itoa(i) }
