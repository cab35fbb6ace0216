package duckdb

import (
	"encoding/json"
	"slices"
	"strings"
)

// The JSON columns of alert versions (tags, fields, sample event IDs)
// are written for every new alert and every update, so they are encoded
// here without reflection when their strings need no escaping (rule tags,
// event IDs, ARNs, regions: nearly always), else by encoding/json. Both
// give the same text.

// stringsJSON is a list column value; nil for an empty list.
func stringsJSON(vs []string) any {
	if len(vs) == 0 {
		return nil
	}
	n := 2
	for _, v := range vs {
		if !plainJSON(v) {
			return jsonText(vs)
		}
		n += len(v) + 3
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteByte('[')
	for i, v := range vs {
		if i > 0 {
			b.WriteByte(',')
		}
		writeQuoted(&b, v)
	}
	b.WriteByte(']')
	return b.String()
}

// mapJSON is a map column value, keys sorted as encoding/json sorts them;
// nil for an empty map.
func mapJSON(m map[string]string) any {
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	n := 2
	for k, v := range m {
		if !plainJSON(k) || !plainJSON(v) {
			return jsonText(m)
		}
		keys = append(keys, k)
		n += len(k) + len(v) + 6
	}
	slices.Sort(keys)
	var b strings.Builder
	b.Grow(n)
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		writeQuoted(&b, k)
		b.WriteByte(':')
		writeQuoted(&b, m[k])
	}
	b.WriteByte('}')
	return b.String()
}

// writeQuoted writes a plainJSON string as a JSON string.
func writeQuoted(b *strings.Builder, s string) {
	b.WriteByte('"')
	b.WriteString(s)
	b.WriteByte('"')
}

// plainJSON reports whether encoding/json writes s as is between quotes:
// printable ASCII other than the quote, the backslash and the characters
// it escapes for HTML.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c >= 0x7f, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		}
	}
	return true
}

// jsonText is a JSON column value by encoding/json; nil for empty lists
// and maps.
func jsonText[T any](v T) any {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" || string(b) == "[]" || string(b) == "{}" {
		return nil
	}
	return string(b)
}
