package simulate

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// jw appends JSON to a byte slice in the order the caller writes it, which
// is how records keep CloudTrail's field order. Commas are placed
// automatically: a value or key written after anything but '{', '[', ':' or
// ',' is preceded by one.
type jw struct{ b []byte }

func (w *jw) sep() {
	if n := len(w.b); n > 0 {
		switch w.b[n-1] {
		case '{', '[', ':', ',':
		default:
			w.b = append(w.b, ',')
		}
	}
}

// obj opens an object in value position; end closes it.
func (w *jw) obj() { w.sep(); w.b = append(w.b, '{') }
func (w *jw) end() { w.b = append(w.b, '}') }

// arr opens an array in value position; endA closes it.
func (w *jw) arr()  { w.sep(); w.b = append(w.b, '[') }
func (w *jw) endA() { w.b = append(w.b, ']') }

func (w *jw) key(k string) {
	w.sep()
	w.b = appendJSONString(w.b, k)
	w.b = append(w.b, ':')
}

func (w *jw) str(v string) { w.sep(); w.b = appendJSONString(w.b, v) }
func (w *jw) null()        { w.sep(); w.b = append(w.b, "null"...) }
func (w *jw) int(v int64)  { w.sep(); w.b = strconv.AppendInt(w.b, v, 10) }
func (w *jw) bool(v bool)  { w.sep(); w.b = strconv.AppendBool(w.b, v) }
func (w *jw) float(v float64) {
	w.sep()
	w.b = strconv.AppendFloat(w.b, v, 'g', -1, 64)
}

func (w *jw) kstr(k, v string)           { w.key(k); w.str(v) }
func (w *jw) kint(k string, v int64)     { w.key(k); w.int(v) }
func (w *jw) kbool(k string, v bool)     { w.key(k); w.bool(v) }
func (w *jw) knull(k string)             { w.key(k); w.null() }
func (w *jw) kobj(k string)              { w.key(k); w.b = append(w.b, '{') }
func (w *jw) karr(k string)              { w.key(k); w.b = append(w.b, '[') }
func (w *jw) kempty(k string)            { w.key(k); w.b = append(w.b, '{', '}') }
func (w *jw) kfloat(k string, v float64) { w.key(k); w.float(v) }

// ktime writes t in UTC with the given layout as a string.
func (w *jw) ktime(k string, t time.Time, layout string) {
	w.key(k)
	w.b = append(w.b, '"')
	w.b = t.UTC().AppendFormat(w.b, layout)
	w.b = append(w.b, '"')
}

// kstrs writes an array of strings.
func (w *jw) kstrs(k string, vs ...string) {
	w.karr(k)
	for _, v := range vs {
		w.str(v)
	}
	w.endA()
}

const hexDigits = "0123456789abcdef"

// plain marks the ASCII bytes a JSON string holds unescaped.
var plain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendJSONString appends s as a JSON string, escaping quotes,
// backslashes and control characters and replacing invalid UTF-8.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if plain[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
