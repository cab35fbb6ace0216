package sigma

import (
	"encoding/binary"
	"errors"
	"math/bits"
	"strconv"
	"unicode/utf8"
)

// Event is one log record (raw CloudTrail JSON) parsed once into a compact
// tree that every rule reads. Parsing does not copy the input: nodes are
// offsets into the raw bytes, and decoded strings and JSON texts are built
// only when a rule asks for them. An Event is not safe for concurrent use;
// the raw bytes must not change while it is in use. Reset reuses an Event's
// memory for the next record.
type Event struct {
	raw   []byte
	nodes []jnode
	dec   [][]byte // per node: decoded string or JSON text, built lazily
	low   [][]byte // per node: lower-cased text, built lazily
	arena []byte   // backing store of dec and low entries
	used  bool     // dec/low hold entries to clear on Reset
	plain bool     // no whitespace between tokens and no escapes: a container's text is its raw bytes
	lower []byte   // routing scratch
	// slots index the root members by the slots of the keys rules use
	// (node index + 1; 0: absent), built at the first lookup after Reset
	// (rootState 1; 2: not usable, keys with dots or repeated)
	slots     []int32
	rootState uint8
}

// Node kinds.
const (
	kNull uint8 = iota
	kFalse
	kTrue
	kNumber
	kString
	kObject
	kArray
)

// jnode is one JSON value. Children of a container follow it directly in
// pre-order; next links siblings (0 = last).
type jnode struct {
	ks, ke int32 // key (without quotes) in raw; ks = -1 without a key
	vs, ve int32 // strings: content without quotes; others: the literal/whole text
	next   int32
	kind   uint8
	kesc   bool // key has escapes
	vesc   bool // string value has escapes
	kids   bool // container is not empty (first child = index+1)
}

// maxDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDepth = 256

var errDepth = errors.New("JSON nested too deeply")

// ParseEvent parses one JSON record (normally a CloudTrail object).
func ParseEvent(raw []byte) (*Event, error) {
	e := &Event{}
	if err := e.Reset(raw); err != nil {
		return nil, err
	}
	return e, nil
}

// Reset parses raw into e, reusing e's memory.
func (e *Event) Reset(raw []byte) error {
	e.raw = raw
	e.nodes = e.nodes[:0]
	e.clearCache()
	e.plain = true
	p := jparser{b: raw, ev: e}
	pos := p.ws(0)
	pos, err := p.value(pos, 0)
	if err == nil {
		pos = p.ws(pos)
		if pos != len(raw) {
			err = p.errAt(pos, "trailing data")
		}
	}
	if err != nil {
		e.nodes = e.nodes[:0]
		return err
	}
	return nil
}

// release drops the references to the last record (before pooling).
func (e *Event) release() {
	e.raw = nil
	e.nodes = e.nodes[:0]
	e.clearCache()
}

func (e *Event) clearCache() {
	e.rootState = 0
	if e.used {
		clear(e.dec)
		clear(e.low)
		e.used = false
	}
	e.arena = e.arena[:0]
}

// Raw returns the bytes the event was parsed from.
func (e *Event) Raw() []byte { return e.raw }

type jparser struct {
	b  []byte
	ev *Event
}

func (p *jparser) errAt(pos int, msg string) error {
	return errors.New("invalid JSON at offset " + strconv.Itoa(pos) + ": " + msg)
}

func (p *jparser) ws(pos int) int {
	start := pos
	for pos < len(p.b) {
		switch p.b[pos] {
		case ' ', '\t', '\n', '\r':
			pos++
			continue
		}
		break
	}
	if pos != start {
		p.ev.plain = false
	}
	return pos
}

// value parses the value at pos, appending its node (and its children).
func (p *jparser) value(pos, depth int) (int, error) {
	if depth > maxDepth {
		return pos, errDepth
	}
	if pos >= len(p.b) {
		return pos, p.errAt(pos, "unexpected end")
	}
	idx := len(p.ev.nodes)
	p.ev.nodes = append(p.ev.nodes, jnode{ks: -1, ke: -1})
	switch c := p.b[pos]; {
	case c == '"':
		end, esc, err := p.str(pos + 1)
		if err != nil {
			return end, err
		}
		n := &p.ev.nodes[idx]
		n.kind, n.vs, n.ve, n.vesc = kString, int32(pos+1), int32(end), esc
		return end + 1, nil
	case c == '{':
		return p.object(idx, pos, depth)
	case c == '[':
		return p.array(idx, pos, depth)
	case c == 't' || c == 'f' || c == 'n':
		lit, kind := "null", kNull
		if c == 't' {
			lit, kind = "true", kTrue
		} else if c == 'f' {
			lit, kind = "false", kFalse
		}
		if len(p.b)-pos < len(lit) || string(p.b[pos:pos+len(lit)]) != lit {
			return pos, p.errAt(pos, "invalid literal")
		}
		n := &p.ev.nodes[idx]
		n.kind, n.vs, n.ve = kind, int32(pos), int32(pos+len(lit))
		return pos + len(lit), nil
	case c == '-' || (c >= '0' && c <= '9'):
		end, ok := scanNumber(p.b, pos)
		if !ok {
			return end, p.errAt(end, "invalid number")
		}
		n := &p.ev.nodes[idx]
		n.kind, n.vs, n.ve = kNumber, int32(pos), int32(end)
		return end, nil
	}
	return pos, p.errAt(pos, "unexpected character")
}

// scanNumber checks JSON number syntax: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func scanNumber(b []byte, pos int) (int, bool) {
	digits := func(i int) int {
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i
	}
	i := pos
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = digits(i)
	default:
		return i, false
	}
	if i < len(b) && b[i] == '.' {
		j := digits(i + 1)
		if j == i+1 {
			return j, false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(i)
		if j == i {
			return j, false
		}
		i = j
	}
	return i, true
}

// str scans a string body starting after the opening quote and returns the
// offset of the closing quote.
func (p *jparser) str(pos int) (int, bool, error) {
	esc := false
	b := p.b
	for i := pos; i < len(b); i++ {
		i = plainRun(b, i)
		if i >= len(b) {
			break
		}
		switch c := b[i]; {
		case c == '"':
			return i, esc, nil
		case c == '\\':
			esc = true
			p.ev.plain = false
			i++
			if i >= len(p.b) {
				return i, esc, p.errAt(i, "unterminated string")
			}
			switch p.b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(p.b) {
					return i, esc, p.errAt(i, "short \\u escape")
				}
				for _, h := range p.b[i+1 : i+5] {
					if hexVal(h) < 0 {
						return i, esc, p.errAt(i, "invalid \\u escape")
					}
				}
				i += 4
			default:
				return i, esc, p.errAt(i, "invalid escape")
			}
		case c < 0x20:
			return i, esc, p.errAt(i, "control character in string")
		}
	}
	return len(p.b), esc, p.errAt(len(p.b), "unterminated string")
}

// plainRun returns the position of the first byte at or after i that
// ends a run of plain string content (strStop), or len(b). It tests eight
// bytes at a time: strings are most of a record's bytes.
func plainRun(b []byte, i int) int {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		q, bs := w^('"'*ones), w^('\\'*ones)
		// A byte of m is set where a byte is '"', '\\' or below 0x20;
		// the lowest set byte is exact (borrows only reach higher ones).
		m := ((q - ones) &^ q) | ((bs - ones) &^ bs) | ((w - 0x20*ones) &^ w)
		if m &= highs; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for i < len(b) && !strStop[b[i]] {
		i++
	}
	return i
}

// strStop marks the bytes that end a run of plain string content.
var strStop = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

func (p *jparser) object(idx, pos, depth int) (int, error) {
	p.ev.nodes[idx].kind = kObject
	start := pos
	pos = p.ws(pos + 1)
	prev := -1
	if pos < len(p.b) && p.b[pos] == '}' {
		n := &p.ev.nodes[idx]
		n.vs, n.ve = int32(start), int32(pos+1)
		return pos + 1, nil
	}
	for {
		if pos >= len(p.b) || p.b[pos] != '"' {
			return pos, p.errAt(pos, "expected object key")
		}
		kend, kesc, err := p.str(pos + 1)
		if err != nil {
			return kend, err
		}
		ks := pos + 1
		pos = p.ws(kend + 1)
		if pos >= len(p.b) || p.b[pos] != ':' {
			return pos, p.errAt(pos, "expected ':'")
		}
		pos = p.ws(pos + 1)
		child := len(p.ev.nodes)
		if pos, err = p.value(pos, depth+1); err != nil {
			return pos, err
		}
		c := &p.ev.nodes[child]
		c.ks, c.ke, c.kesc = int32(ks), int32(kend), kesc
		if prev >= 0 {
			p.ev.nodes[prev].next = int32(child)
		}
		prev = child
		pos = p.ws(pos)
		if pos >= len(p.b) {
			return pos, p.errAt(pos, "unterminated object")
		}
		if p.b[pos] == ',' {
			pos = p.ws(pos + 1)
			continue
		}
		if p.b[pos] != '}' {
			return pos, p.errAt(pos, "expected ',' or '}'")
		}
		n := &p.ev.nodes[idx]
		n.vs, n.ve, n.kids = int32(start), int32(pos+1), true
		return pos + 1, nil
	}
}

func (p *jparser) array(idx, pos, depth int) (int, error) {
	p.ev.nodes[idx].kind = kArray
	start := pos
	pos = p.ws(pos + 1)
	prev := -1
	if pos < len(p.b) && p.b[pos] == ']' {
		n := &p.ev.nodes[idx]
		n.vs, n.ve = int32(start), int32(pos+1)
		return pos + 1, nil
	}
	for {
		child := len(p.ev.nodes)
		var err error
		if pos, err = p.value(pos, depth+1); err != nil {
			return pos, err
		}
		if prev >= 0 {
			p.ev.nodes[prev].next = int32(child)
		}
		prev = child
		pos = p.ws(pos)
		if pos >= len(p.b) {
			return pos, p.errAt(pos, "unterminated array")
		}
		if p.b[pos] == ',' {
			pos = p.ws(pos + 1)
			continue
		}
		if p.b[pos] != ']' {
			return pos, p.errAt(pos, "expected ',' or ']'")
		}
		n := &p.ev.nodes[idx]
		n.vs, n.ve, n.kids = int32(start), int32(pos+1), true
		return pos + 1, nil
	}
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// unescape appends the decoded form of a JSON string body (already
// validated by the parser) to dst.
func unescape(dst, s []byte) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			dst = append(dst, c)
			continue
		}
		i++
		switch s[i] {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			if i+4 >= len(s) {
				return dst
			}
			r := rune(hex4(s[i+1 : i+5]))
			i += 4
			if r >= 0xD800 && r < 0xDC00 && i+6 < len(s) && s[i+1] == '\\' && s[i+2] == 'u' {
				lo := rune(hex4(s[i+3 : i+7]))
				if lo >= 0xDC00 && lo < 0xE000 {
					r = (r-0xD800)<<10 + (lo - 0xDC00) + 0x10000
					i += 6
				}
			}
			dst = utf8.AppendRune(dst, r)
		default: // " \ /
			dst = append(dst, s[i])
		}
	}
	return dst
}

func hex4(b []byte) int {
	v := 0
	for _, c := range b {
		h := hexVal(c)
		if h < 0 {
			return utf8.RuneError
		}
		v = v<<4 | h
	}
	return v
}
