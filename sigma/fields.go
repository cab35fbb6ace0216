package sigma

import (
	"bytes"
	"strings"
	"unsafe"
)

// Field access on a parsed Event: dotted paths, arrays, and the string view
// that rules match against.

// find appends to dst the nodes reached from node at by path. An array met
// on the way is traversed (the path applies to every element); with expand,
// an array at the end is replaced by its elements (recursively). A key that
// itself contains dots ("a.b") is found by the path a.b too.
func (e *Event) find(at int32, path []string, expand bool, dst []int32) []int32 {
	n := &e.nodes[at]
	if n.kind == kArray && (len(path) > 0 || expand) {
		if n.kids {
			for c := at + 1; c != 0; c = e.nodes[c].next {
				dst = e.find(c, path, expand, dst)
			}
		}
		return dst
	}
	if len(path) == 0 {
		return append(dst, at)
	}
	if n.kind != kObject || !n.kids {
		return dst
	}
	seg := path[0]
	for c := at + 1; c != 0; c = e.nodes[c].next {
		cn := &e.nodes[c]
		k := e.raw[cn.ks:cn.ke]
		if cn.kesc {
			k = unescape(nil, k)
		}
		if string(k) == seg {
			dst = e.find(c, path[1:], expand, dst)
			continue
		}
		// Dotted key: consume as many path segments as the key spans.
		if len(k) > len(seg) && k[len(seg)] == '.' && string(k[:len(seg)]) == seg {
			rest := k[len(seg)+1:]
			for j := 1; j < len(path); j++ {
				p := path[j]
				if string(rest) == p {
					dst = e.find(c, path[j+1:], expand, dst)
					break
				}
				if len(rest) <= len(p) || rest[len(p)] != '.' || string(rest[:len(p)]) != p {
					break
				}
				rest = rest[len(p)+1:]
			}
		}
	}
	return dst
}

// text returns the string view of node i: the decoded string, the literal
// of a number or boolean, or for objects and arrays their compact JSON text
// with string contents decoded (so a rule can look for `"s3:GetObject"` in a
// policy document that CloudTrail embeds as an escaped string). ok is false
// for null.
func (e *Event) text(i int32) (v []byte, ok bool) {
	n := &e.nodes[i]
	switch n.kind {
	case kNull:
		return nil, false
	case kString:
		if !n.vesc {
			return e.raw[n.vs:n.ve], true
		}
	case kNumber, kTrue, kFalse:
		return e.raw[n.vs:n.ve], true
	default:
		if e.plain { // compact JSON without escapes is its own text
			return e.raw[n.vs:n.ve], true
		}
	}
	e.grow()
	if d := e.dec[i]; d != nil {
		return d, true
	}
	start := len(e.arena)
	if n.kind == kString {
		e.arena = unescape(e.arena, e.raw[n.vs:n.ve])
	} else {
		e.arena = e.appendText(e.arena, i)
	}
	d := e.arena[start:len(e.arena):len(e.arena)]
	e.dec[i] = d
	e.used = true
	return d, true
}

// grow sizes the per-node caches.
func (e *Event) grow() {
	if len(e.dec) >= len(e.nodes) {
		return
	}
	if cap(e.dec) >= len(e.nodes) {
		e.dec = e.dec[:len(e.nodes)]
		e.low = e.low[:len(e.nodes)]
		return
	}
	n := len(e.nodes) + len(e.nodes)/2
	e.dec = make([][]byte, len(e.nodes), n)
	e.low = make([][]byte, len(e.nodes), n)
}

// lowered returns the lower-cased string view of node i (cached per event),
// used for case-insensitive contains, wildcards and non-ASCII patterns.
func (e *Event) lowered(i int32) ([]byte, bool) {
	v, ok := e.text(i)
	if !ok {
		return nil, false
	}
	e.grow()
	if l := e.low[i]; l != nil {
		return l, true
	}
	start := len(e.arena)
	e.arena = append(e.arena, v...)
	l := e.arena[start:]
	var high byte
	for j, c := range l {
		l[j] = lowerTab[c]
		high |= c
	}
	if high >= 0x80 {
		e.arena = append(e.arena[:start], bytes.ToLower(v)...)
	}
	l = e.arena[start:len(e.arena):len(e.arena)]
	e.low[i] = l
	e.used = true
	return l, true
}

func isASCII(v []byte) bool {
	for _, c := range v {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// appendText writes node i as compact JSON with decoded string contents.
func (e *Event) appendText(dst []byte, i int32) []byte {
	n := &e.nodes[i]
	switch n.kind {
	case kString:
		dst = append(dst, '"')
		if n.vesc {
			dst = unescape(dst, e.raw[n.vs:n.ve])
		} else {
			dst = append(dst, e.raw[n.vs:n.ve]...)
		}
		return append(dst, '"')
	case kObject, kArray:
		open, closing := byte('{'), byte('}')
		if n.kind == kArray {
			open, closing = '[', ']'
		}
		dst = append(dst, open)
		if n.kids {
			for c := i + 1; c != 0; c = e.nodes[c].next {
				if c != i+1 {
					dst = append(dst, ',')
				}
				if n.kind == kObject {
					dst = append(dst, '"')
					cn := &e.nodes[c]
					if cn.kesc {
						dst = unescape(dst, e.raw[cn.ks:cn.ke])
					} else {
						dst = append(dst, e.raw[cn.ks:cn.ke]...)
					}
					dst = append(dst, '"', ':')
				}
				dst = e.appendText(dst, c)
			}
		}
		return append(dst, closing)
	}
	return append(dst, e.raw[n.vs:n.ve]...)
}

// Values returns the string views of the values at a dotted path (arrays
// expanded; objects as JSON text; nulls omitted). It is meant for callers
// such as group-by keys and alert rendering, not for the hot path.
func (e *Event) Values(path string) []string {
	if e == nil || len(e.nodes) == 0 {
		return nil
	}
	var buf [8]int32
	var out []string
	for _, i := range e.find(0, splitPath(path), true, buf[:0]) {
		if v, ok := e.text(i); ok {
			out = append(out, string(v))
		}
	}
	return out
}

// Value returns the first string view at path ("" and false when absent or
// null).
func (e *Event) Value(path string) (string, bool) {
	vs := e.Values(path)
	if len(vs) == 0 {
		return "", false
	}
	return vs[0], true
}

// splitPath splits a Sigma field name on dots.
func splitPath(field string) []string {
	if field == "" {
		return nil
	}
	return strings.Split(field, ".")
}

// lowerKey lower-cases a routing key into e's scratch buffer.
func (e *Event) lowerKey(v []byte) []byte {
	for _, c := range v {
		if c >= 0x80 {
			return bytes.ToLower(v)
		}
	}
	e.lower = append(e.lower[:0], v...)
	for i, c := range e.lower {
		if c >= 'A' && c <= 'Z' {
			e.lower[i] = c + 'a' - 'A'
		}
	}
	return e.lower
}

// indexRoot records which root members fill the slots of the keys rules
// use (see rootslots.go). A root with a dotted key (found by a path of
// several segments), an escaped key or a slotted key repeated is not
// indexed: lookups then scan it.
func (e *Event) indexRoot() {
	e.rootState = 2
	if len(e.nodes) == 0 || e.nodes[0].kind != kObject || !e.nodes[0].kids {
		return
	}
	slots := currentSlots()
	n := len(slots.names)
	if cap(e.slots) < n {
		e.slots = make([]int32, n, n+n/4)
	} else {
		e.slots = e.slots[:n]
		clear(e.slots)
	}
	for c := int32(1); c != 0; c = e.nodes[c].next {
		cn := &e.nodes[c]
		if cn.kesc || cn.ke <= cn.ks {
			return
		}
		k := unsafe.String(&e.raw[cn.ks], cn.ke-cn.ks)
		if strings.IndexByte(k, '.') >= 0 {
			return
		}
		if s, ok := slots.lookup(k); ok {
			if e.slots[s] != 0 {
				return
			}
			e.slots[s] = c + 1
		}
	}
	e.rootState = 1
}
