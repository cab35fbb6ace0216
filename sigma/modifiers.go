package sigma

import (
	"encoding/base64"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf16"

	"gopkg.in/yaml.v3"
)

// Value modifiers (Sigma modifiers appendix v2.1): parsing, validation and
// turning a rule value into value matchers.

// mods is the parsed modifier chain of one field.
type mods struct {
	names      []string
	wrap       uint8 // pExact, pPrefix (startswith), pSuffix (endswith), pContains
	all        bool
	cased      bool
	neq        bool
	exists     bool
	fieldref   bool
	expand     bool
	re         bool
	reFlags    string
	cidr       bool
	cmp        string   // lt lte gt gte
	part       string   // minute hour day week month year
	transforms []string // windash and the encodings, in rule order
}

// String-shaping modifiers that need a plain string value.
var stringMods = map[string]bool{
	"contains": true, "startswith": true, "endswith": true, "windash": true,
	"base64": true, "base64offset": true, "utf16le": true, "utf16be": true,
	"utf16": true, "wide": true,
}

var timeParts = map[string]bool{"minute": true, "hour": true, "day": true, "week": true, "month": true, "year": true}

// parseMods validates a modifier chain ("contains", "all", …).
func parseMods(names []string) (mods, error) {
	m := mods{names: names}
	seen := map[string]bool{}
	for _, raw := range names {
		name := raw
		switch name { // pySigma's long names for the re flags
		case "ignorecase":
			name = "i"
		case "multiline":
			name = "m"
		case "dotall":
			name = "s"
		}
		if seen[name] {
			return m, fmt.Errorf("modifier %q given twice", raw)
		}
		seen[name] = true
		switch name {
		case "contains", "startswith", "endswith":
			if m.wrap != pExact {
				return m, fmt.Errorf("modifier %q conflicts with another of contains/startswith/endswith", raw)
			}
			m.wrap = map[string]uint8{"contains": pContains, "startswith": pPrefix, "endswith": pSuffix}[name]
		case "all":
			m.all = true
		case "cased":
			m.cased = true
		case "neq":
			m.neq = true
		case "exists":
			m.exists = true
		case "fieldref":
			m.fieldref = true
		case "expand":
			m.expand = true
		case "re":
			m.re = true
		case "i", "m", "s":
			if !m.re {
				return m, fmt.Errorf("modifier %q must follow re", raw)
			}
			m.reFlags += name
		case "cidr":
			m.cidr = true
		case "lt", "lte", "gt", "gte":
			if m.cmp != "" {
				return m, fmt.Errorf("modifier %q conflicts with %q", raw, m.cmp)
			}
			m.cmp = name
		case "minute", "hour", "day", "week", "month", "year":
			if m.part != "" {
				return m, fmt.Errorf("modifier %q conflicts with %q", raw, m.part)
			}
			m.part = name
		case "windash", "base64", "base64offset", "utf16le", "utf16be", "utf16", "wide":
			m.transforms = append(m.transforms, name)
		case "":
			return m, fmt.Errorf("empty modifier (stray '|')")
		default:
			return m, fmt.Errorf("unknown modifier %q", raw)
		}
	}
	return m, m.check()
}

// check refuses combinations that have no meaning.
func (m *mods) check() error {
	typed := 0
	kinds := []string{}
	for _, k := range []struct {
		on   bool
		name string
	}{{m.re, "re"}, {m.cidr, "cidr"}, {m.cmp != "" || m.part != "", "lt/lte/gt/gte/time"}, {m.exists, "exists"}, {m.fieldref, "fieldref"}} {
		if k.on {
			typed++
			kinds = append(kinds, k.name)
		}
	}
	if typed > 1 {
		return fmt.Errorf("modifiers %s cannot be combined", strings.Join(kinds, " and "))
	}
	if m.exists && len(m.names) > 1 {
		return fmt.Errorf("modifier exists cannot be combined with other modifiers")
	}
	if typed == 1 && !m.fieldref {
		for _, n := range m.names {
			if stringMods[n] {
				return fmt.Errorf("modifier %q cannot be combined with %s", n, kinds[0])
			}
		}
	}
	if m.fieldref {
		for _, n := range m.names {
			if stringMods[n] && n != "contains" && n != "startswith" && n != "endswith" {
				return fmt.Errorf("modifier %q cannot be combined with fieldref", n)
			}
		}
	}
	return nil
}

// compileValues turns the YAML values of one field into matchers.
func (c *compiler) compileValues(m mods, vals []*yaml.Node) ([]valueMatcher, error) {
	var out []valueMatcher
	for _, v := range vals {
		ms, err := c.compileValue(m, v)
		if err != nil {
			return nil, lineErr(v.Line, err)
		}
		out = append(out, ms...)
	}
	return out, nil
}

// lineErr attaches a line to an error from a value.
type lineError struct {
	line int
	err  error
}

func (e *lineError) Error() string { return e.err.Error() }

func lineErr(line int, err error) error {
	if _, ok := err.(*lineError); ok {
		return err
	}
	return &lineError{line, err}
}

func (c *compiler) compileValue(m mods, v *yaml.Node) ([]valueMatcher, error) {
	strs := []string{v.Value}
	if m.expand { // placeholders first: they may stand for patterns, CIDRs, …
		var err error
		if strs, err = c.expandPlaceholders(v.Value); err != nil {
			return nil, err
		}
	}
	var out []valueMatcher
	for _, s := range strs {
		ms, err := c.compileOne(m, v, s)
		if err != nil {
			return nil, err
		}
		out = append(out, ms...)
	}
	return out, nil
}

// compileOne compiles one (placeholder-expanded) value.
func (c *compiler) compileOne(m mods, v *yaml.Node, s string) ([]valueMatcher, error) {
	switch {
	case m.re:
		expr := s
		if m.reFlags != "" {
			expr = "(?" + m.reFlags + ")" + s
		}
		rm, err := newReMatcher(expr)
		if err != nil {
			return nil, fmt.Errorf("invalid regular expression %q: %v", s, err)
		}
		return []valueMatcher{rm}, nil
	case m.cidr:
		p, err := netip.ParsePrefix(strings.TrimSpace(s))
		if err != nil {
			a, aerr := netip.ParseAddr(strings.TrimSpace(s))
			if aerr != nil {
				return nil, fmt.Errorf("invalid CIDR %q", s)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		return []valueMatcher{&cidrMatcher{p.Masked()}}, nil
	case m.cmp != "" || m.part != "":
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("modifier %s needs a number, got %q", strings.Join(m.names, "|"), s)
		}
		op := m.cmp
		if op == "" {
			op = "eq"
		}
		return []valueMatcher{&cmpMatcher{op: op, val: f, part: m.part}}, nil
	case m.fieldref:
		if strings.TrimSpace(s) == "" {
			return nil, fmt.Errorf("fieldref needs a field name")
		}
		return []valueMatcher{&refMatcher{path: newFieldPath(s), kind: m.wrap, cased: m.cased}}, nil
	}
	// Plain string value: windash and encodings, then wildcards.
	variants := [][]vtok{parseWildcards(s)}
	cased := m.cased
	for _, t := range m.transforms {
		var err error
		if variants, err = transform(t, variants); err != nil {
			return nil, err
		}
		if t != "windash" {
			cased = true // encoded text is compared byte for byte
		}
	}
	var out []valueMatcher
	for _, toks := range variants {
		toks = wrapTokens(toks, m.wrap)
		p := compilePattern(toks, cased)
		if p.kind == pExact && !m.expand && (v.ShortTag() == "!!int" || v.ShortTag() == "!!float") {
			if f, err := strconv.ParseFloat(s, 64); err == nil {
				p.num, p.numV = true, f
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// wrapTokens adds the stars of contains/startswith/endswith.
func wrapTokens(toks []vtok, wrap uint8) []vtok {
	star := vtok{kind: tStar}
	out := toks
	if (wrap == pContains || wrap == pSuffix) && (len(out) == 0 || out[0].kind != tStar) {
		out = append([]vtok{star}, out...)
	}
	if (wrap == pContains || wrap == pPrefix) && (len(out) == 0 || out[len(out)-1].kind != tStar) {
		out = append(out[:len(out):len(out)], star)
	}
	return out
}

// maxVariants bounds the values one rule value may expand into.
const maxVariants = 4096

var dashes = []string{"-", "/", "–", "—", "―"}

// transform applies windash or an encoding to every variant.
func transform(name string, in [][]vtok) ([][]vtok, error) {
	var out [][]vtok
	for _, toks := range in {
		if name == "windash" {
			vs, err := windash(toks)
			if err != nil {
				return nil, err
			}
			out = append(out, vs...)
			if len(out) > maxVariants {
				return nil, fmt.Errorf("windash expands to more than %d values", maxVariants)
			}
			continue
		}
		if hasWildcards(toks) {
			return nil, fmt.Errorf("modifier %s cannot encode a value with wildcards", name)
		}
		b := []byte(plainText(toks))
		switch name {
		case "utf16le", "wide":
			out = append(out, literalTokens(string(utf16Bytes(b, false, false))))
		case "utf16be":
			out = append(out, literalTokens(string(utf16Bytes(b, true, false))))
		case "utf16":
			out = append(out, literalTokens(string(utf16Bytes(b, false, true))))
		case "base64":
			out = append(out, literalTokens(base64.StdEncoding.EncodeToString(b)))
		case "base64offset":
			for _, s := range base64Offsets(b) {
				out = append(out, literalTokens(s))
			}
		}
	}
	return out, nil
}

// windash yields every permutation of the dash characters in toks' literals.
func windash(toks []vtok) ([][]vtok, error) {
	out := [][]vtok{nil}
	for _, t := range toks {
		if t.kind != tLit {
			for i := range out {
				out[i] = append(out[i], t)
			}
			continue
		}
		// Split the literal into pieces separated by dash characters.
		pieces := []string{""}
		rest := t.s
		for rest != "" {
			d := ""
			for _, c := range dashes {
				if strings.HasPrefix(rest, c) {
					d = c
					break
				}
			}
			if d == "" {
				pieces[len(pieces)-1] += rest[:1]
				rest = rest[1:]
				continue
			}
			pieces = append(pieces, "")
			rest = rest[len(d):]
		}
		n := len(pieces) - 1
		combos := 1
		for range n {
			combos *= len(dashes)
			if combos*len(out) > maxVariants {
				return nil, fmt.Errorf("windash expands to more than %d values", maxVariants)
			}
		}
		var next [][]vtok
		for _, prefix := range out {
			for k := range combos {
				var b strings.Builder
				b.WriteString(pieces[0])
				x := k
				for j := 1; j <= n; j++ {
					b.WriteString(dashes[x%len(dashes)])
					x /= len(dashes)
					b.WriteString(pieces[j])
				}
				v := append(prefix[:len(prefix):len(prefix)], vtok{kind: tLit, s: b.String()})
				next = append(next, v)
			}
		}
		out = next
	}
	return out, nil
}

func utf16Bytes(b []byte, bigEndian, bom bool) []byte {
	var out []byte
	if bom {
		out = append(out, 0xFF, 0xFE)
	}
	for _, u := range utf16.Encode([]rune(string(b))) {
		if bigEndian {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	return out
}

// base64Offsets returns the three position-independent cores of b's base64
// encoding, as pySigma's base64offset does.
func base64Offsets(b []byte) []string {
	start := [3]int{0, 2, 3}
	endTrim := [3]int{0, 3, 2}
	var out []string
	for i := range 3 {
		enc := base64.StdEncoding.EncodeToString(append([]byte(strings.Repeat(" ", i)), b...))
		lo, hi := start[i], len(enc)-endTrim[(len(b)+i)%3]
		if lo < hi {
			out = append(out, enc[lo:hi])
		}
	}
	return out
}

// expandPlaceholders replaces %name% placeholders with the values
// configured for them (each value a Sigma string, so it may hold
// wildcards). "\%" is a literal percent sign.
func (c *compiler) expandPlaceholders(s string) ([]string, error) {
	out := []string{""}
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s) && s[i+1] == '%':
			for j := range out {
				out[j] += "%"
			}
			i++
		case s[i] == '%':
			end := strings.IndexByte(s[i+1:], '%')
			if end < 0 {
				return nil, fmt.Errorf("unterminated placeholder in %q", s)
			}
			name := s[i+1 : i+1+end]
			vals, ok := c.opts.Placeholders[name]
			if !ok {
				return nil, fmt.Errorf("placeholder %%%s%% has no configured values", name)
			}
			if len(vals) == 0 {
				return nil, fmt.Errorf("placeholder %%%s%% is configured with no values", name)
			}
			if len(out)*len(vals) > maxVariants {
				return nil, fmt.Errorf("placeholders expand to more than %d values", maxVariants)
			}
			var next []string
			for _, p := range out {
				for _, v := range vals {
					next = append(next, p+v)
				}
			}
			out = next
			i += end + 1
		default:
			for j := range out {
				out[j] += s[i : i+1]
			}
		}
	}
	return out, nil
}
