package ioc

import (
	"fmt"
	"strings"
)

type tokKind int

const (
	tokEOF tokKind = iota
	tokLBracket
	tokRBracket
	tokLParen
	tokRParen
	tokEq
	tokOp // any other operator: != < > <= >=
	tokString
	tokWord // object paths, keywords, numbers, other literals
	tokBad
)

type token struct {
	kind tokKind
	text string
}

func (t token) String() string {
	switch t.kind {
	case tokEOF:
		return "end of pattern"
	case tokString:
		return fmt.Sprintf("'%s'", t.text)
	case tokBad:
		return fmt.Sprintf("bad input (%s)", t.text)
	}
	return fmt.Sprintf("%q", t.text)
}

// patternParser tokenizes a STIX pattern on demand.
type patternParser struct {
	s   string
	pos int
}

func (ps *patternParser) skipSpace() {
	for ps.pos < len(ps.s) && strings.IndexByte(" \t\r\n", ps.s[ps.pos]) >= 0 {
		ps.pos++
	}
}

func (ps *patternParser) peekWord(w string) bool {
	save := ps.pos
	t := ps.next()
	ps.pos = save
	return t.kind == tokWord && strings.EqualFold(t.text, w)
}

func (ps *patternParser) next() token {
	ps.skipSpace()
	if ps.pos >= len(ps.s) {
		return token{kind: tokEOF}
	}
	c := ps.s[ps.pos]
	switch c {
	case '[':
		ps.pos++
		return token{tokLBracket, "["}
	case ']':
		ps.pos++
		return token{tokRBracket, "]"}
	case '(':
		ps.pos++
		return token{tokLParen, "("}
	case ')':
		ps.pos++
		return token{tokRParen, ")"}
	case '=':
		ps.pos++
		return token{tokEq, "="}
	case '!', '<', '>':
		start := ps.pos
		ps.pos++
		if ps.pos < len(ps.s) && ps.s[ps.pos] == '=' {
			ps.pos++
		}
		return token{tokOp, ps.s[start:ps.pos]}
	case '\'':
		s, ok := ps.quoted()
		if !ok {
			return token{tokBad, "unterminated string"}
		}
		return token{tokString, s}
	}
	// A word: runs to a space or a delimiter; quoted segments ('…') inside
	// object paths are kept with their quotes.
	start := ps.pos
	for ps.pos < len(ps.s) {
		c := ps.s[ps.pos]
		if strings.IndexByte(" \t\r\n[]()=!<>", c) >= 0 {
			break
		}
		if c == '\'' { // a quoted path segment, or a typed literal such as t'…'
			ps.pos++
			if _, ok := ps.quotedRest(); !ok {
				return token{tokBad, "unterminated string"}
			}
			continue
		}
		ps.pos++
	}
	return token{tokWord, ps.s[start:ps.pos]}
}

// quoted reads a '…' string at pos, with \' and \\ escapes.
func (ps *patternParser) quoted() (string, bool) {
	ps.pos++
	return ps.quotedRest()
}

func (ps *patternParser) quotedRest() (string, bool) {
	var b strings.Builder
	for ps.pos < len(ps.s) {
		c := ps.s[ps.pos]
		ps.pos++
		switch c {
		case '\\':
			if ps.pos >= len(ps.s) {
				return "", false
			}
			b.WriteByte(ps.s[ps.pos])
			ps.pos++
		case '\'':
			return b.String(), true
		default:
			b.WriteByte(c)
		}
	}
	return "", false
}
