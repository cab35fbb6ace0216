package search

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokKind is the kind of a token.
type tokKind int

const (
	tEOF      tokKind = iota
	tPipe             // |
	tLParen           // (
	tRParen           // )
	tLBrack           // [
	tRBrack           // ]
	tLBrace           // {
	tRBrace           // }
	tColon            // :
	tCmp              // = != < <= > >= (a filter's comparison)
	tTerm             // a filter's unquoted word, possibly with wildcards
	tPhrase           // "quoted phrase" (filter), "string" or 'string' (stages)
	tRegex            // /regex/
	tAnd              // AND &&
	tOr               // OR ||
	tNot              // NOT !
	tMinus            // - before a filter clause
	tPlus             // + before a filter clause
	tIdent            // a name in a stage
	tNumber           // 10, 2.5
	tDuration         // 5m, 24h, 7d
	tOp               // an operator in a stage: = == != <> < <= > >= =~ !~ + - * / % ! && ||
	tComma            // ,
)

var tokNames = map[tokKind]string{
	tEOF: "end of query", tPipe: "'|'", tLParen: "'('", tRParen: "')'", tLBrack: "'['", tRBrack: "']'",
	tLBrace: "'{'", tRBrace: "'}'", tColon: "':'", tCmp: "comparison", tTerm: "word", tPhrase: "quoted string",
	tRegex: "regular expression", tAnd: "AND", tOr: "OR", tNot: "NOT", tMinus: "'-'", tPlus: "'+'",
	tIdent: "name", tNumber: "number", tDuration: "duration", tOp: "operator", tComma: "','",
}

// part is a piece of a term: literal text, or a '*' or '?' wildcard.
type part struct {
	wild byte // 0, '*' or '?'
	lit  string
}

// token is one lexeme. text is its value with escapes resolved.
type token struct {
	kind     tokKind
	pos, end int
	text     string
	parts    []part // tTerm: literal text and wildcards
}

// wild reports whether a term has an unescaped wildcard.
func (t token) wild() bool {
	for _, p := range t.parts {
		if p.wild != 0 {
			return true
		}
	}
	return false
}

// describe names a token for error messages.
func (t token) describe() string {
	switch t.kind {
	case tTerm, tIdent, tNumber, tDuration, tOp, tCmp:
		return quote(t.text)
	case tPhrase:
		return "string " + quote(t.text)
	}
	return tokNames[t.kind]
}

func quote(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		s = string([]rune(s)[:39]) + "…"
	}
	return `"` + s + `"`
}

// filter lexing modes.
type lexMode int

const (
	mClause lexMode = iota // start of a clause: prefixes, keywords, field names
	mValue                 // after field: a value, which may hold ':'
	mRange                 // a range bound: stops at ']' and '}'
)

// lexer reads tokens from src on demand; the parser picks the mode, since
// a filter and a stage have different words.
type lexer struct {
	src string
	q   string // the whole query, for errors
}

func (l *lexer) skipSpace(pos int) int {
	for pos < len(l.src) {
		r, n := utf8.DecodeRuneInString(l.src[pos:])
		if !unicode.IsSpace(r) {
			break
		}
		pos += n
	}
	return pos
}

// filterToken reads the filter token at pos.
func (l *lexer) filterToken(pos int, mode lexMode) (token, error) {
	pos = l.skipSpace(pos)
	if pos >= len(l.src) {
		return token{kind: tEOF, pos: pos, end: pos}, nil
	}
	s := l.src[pos:]
	one := func(k tokKind) (token, error) { return token{kind: k, pos: pos, end: pos + 1, text: s[:1]}, nil }
	switch s[0] {
	case '|':
		if strings.HasPrefix(s, "||") && mode == mClause {
			return token{kind: tOr, pos: pos, end: pos + 2, text: "||"}, nil
		}
		return one(tPipe)
	case '(':
		return one(tLParen)
	case ')':
		return one(tRParen)
	case ']':
		return one(tRBrack)
	case '}':
		return one(tRBrace)
	case '"':
		return l.quoted(pos, '"')
	}
	switch mode {
	case mClause:
		switch {
		case strings.HasPrefix(s, "&&"):
			return token{kind: tAnd, pos: pos, end: pos + 2, text: "&&"}, nil
		case s[0] == ':':
			return one(tColon)
		case s[0] == '!' && strings.HasPrefix(s, "!="):
			return token{kind: tCmp, pos: pos, end: pos + 2, text: "!="}, nil
		case s[0] == '!':
			return one(tNot)
		case s[0] == '-':
			return one(tMinus)
		case s[0] == '+':
			return one(tPlus)
		case s[0] == '=' || s[0] == '<' || s[0] == '>':
			return l.cmp(pos)
		case s[0] == '/':
			return l.regex(pos)
		}
	case mValue:
		switch s[0] {
		case '[':
			return one(tLBrack)
		case '{':
			return one(tLBrace)
		case '<', '>':
			return l.cmp(pos)
		case '/':
			return l.regex(pos)
		}
	}
	return l.term(pos, mode)
}

func (l *lexer) cmp(pos int) (token, error) {
	s := l.src[pos:]
	for _, op := range []string{">=", "<=", "!=", ">", "<", "="} {
		if strings.HasPrefix(s, op) {
			return token{kind: tCmp, pos: pos, end: pos + len(op), text: op}, nil
		}
	}
	return token{}, errorf(l.q, pos, "unexpected %q", s[:1])
}

// term reads an unquoted word. Backslash escapes the next character.
func (l *lexer) term(pos int, mode lexMode) (token, error) {
	var parts []part
	var lit, text strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			parts = append(parts, part{lit: lit.String()})
			lit.Reset()
		}
	}
	i := pos
loop:
	for i < len(l.src) {
		r, n := utf8.DecodeRuneInString(l.src[i:])
		if unicode.IsSpace(r) {
			break
		}
		switch r {
		case '(', ')', '"', '|', ']', '}':
			break loop
		case '\\':
			if i+n >= len(l.src) {
				return token{}, errorf(l.q, i, "expected a character after '\\'")
			}
			r2, n2 := utf8.DecodeRuneInString(l.src[i+n:])
			lit.WriteRune(r2)
			text.WriteRune(r2)
			i += n + n2
			continue
		case '*', '?':
			flush()
			parts = append(parts, part{wild: byte(r)})
			text.WriteRune(r)
			i += n
			continue
		case '^', '~':
			return token{}, errorf(l.q, i, "boost (^) and fuzzy (~) operators are not supported; escape the character with '\\' to search for it")
		case ':':
			if mode == mClause {
				break loop
			}
		case '=', '<', '>', '!':
			// field=value, field>=value: only after a field's name, so
			// that a word such as Effect=Allow stays searchable text.
			if mode == mClause && i > pos && (r != '!' || strings.HasPrefix(l.src[i:], "!=")) && isFieldName(l.src[pos:i]) {
				break loop
			}
		}
		lit.WriteRune(r)
		text.WriteRune(r)
		i += n
	}
	flush()
	if i == pos {
		return token{}, errorf(l.q, pos, "unexpected %q", l.src[pos:pos+1])
	}
	return token{kind: tTerm, pos: pos, end: i, text: text.String(), parts: parts}, nil
}

// isFieldName reports whether s names a field or a JSON path.
func isFieldName(s string) bool {
	if lookupField(s) != nil {
		return true
	}
	_, ok := jsonPath(s)
	return ok
}

// quoted reads "..." (or '...' in stages): backslash escapes the next
// character.
func (l *lexer) quoted(pos int, q byte) (token, error) {
	var b strings.Builder
	for i := pos + 1; i < len(l.src); {
		c := l.src[i]
		switch c {
		case q:
			return token{kind: tPhrase, pos: pos, end: i + 1, text: b.String()}, nil
		case '\\':
			if i+1 >= len(l.src) {
				return token{}, errorf(l.q, i, "expected a character after '\\'")
			}
			r, n := utf8.DecodeRuneInString(l.src[i+1:])
			switch r {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			default:
				b.WriteRune(r)
			}
			i += 1 + n
			continue
		}
		b.WriteByte(c)
		i++
	}
	return token{}, errorf(l.q, pos, "unterminated string: expected a closing %c", q)
}

// regex reads /.../; "\/" stands for '/', other escapes are kept for the
// regular expression engine.
func (l *lexer) regex(pos int) (token, error) {
	var b strings.Builder
	for i := pos + 1; i < len(l.src); {
		c := l.src[i]
		switch c {
		case '/':
			return token{kind: tRegex, pos: pos, end: i + 1, text: b.String()}, nil
		case '\\':
			if i+1 < len(l.src) && l.src[i+1] == '/' {
				b.WriteByte('/')
				i += 2
				continue
			}
			if i+1 < len(l.src) {
				b.WriteByte(c)
				b.WriteByte(l.src[i+1])
				i += 2
				continue
			}
		}
		b.WriteByte(c)
		i++
	}
	return token{}, errorf(l.q, pos, "unterminated regular expression: expected a closing '/'")
}

// exprToken reads a stage token at pos.
func (l *lexer) exprToken(pos int) (token, error) {
	pos = l.skipSpace(pos)
	if pos >= len(l.src) {
		return token{kind: tEOF, pos: pos, end: pos}, nil
	}
	s := l.src[pos:]
	c := s[0]
	switch {
	case c == '|' && !strings.HasPrefix(s, "||"):
		return token{kind: tPipe, pos: pos, end: pos + 1, text: "|"}, nil
	case c == '(':
		return token{kind: tLParen, pos: pos, end: pos + 1, text: "("}, nil
	case c == ')':
		return token{kind: tRParen, pos: pos, end: pos + 1, text: ")"}, nil
	case c == ',':
		return token{kind: tComma, pos: pos, end: pos + 1, text: ","}, nil
	case c == '"' || c == '\'':
		return l.quoted(pos, c)
	case c >= '0' && c <= '9':
		return l.number(pos)
	case c == '_' || c == '@' || c == '`' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		return l.ident(pos)
	}
	for _, op := range []string{"==", "=~", "!=", "!~", "<>", "<=", ">=", "&&", "||", "=", "<", ">", "+", "-", "*", "/", "%", "!"} {
		if strings.HasPrefix(s, op) {
			return token{kind: tOp, pos: pos, end: pos + len(op), text: op}, nil
		}
	}
	r, _ := utf8.DecodeRuneInString(s)
	return token{}, errorf(l.q, pos, "unexpected %q", string(r))
}

// ident reads a name: letters, digits, '_', '.', '@', or a `quoted` name.
func (l *lexer) ident(pos int) (token, error) {
	if l.src[pos] == '`' {
		end := strings.IndexByte(l.src[pos+1:], '`')
		if end < 0 {
			return token{}, errorf(l.q, pos, "unterminated name: expected a closing '`'")
		}
		return token{kind: tIdent, pos: pos, end: pos + end + 2, text: l.src[pos+1 : pos+1+end]}, nil
	}
	i := pos
	for i < len(l.src) {
		c := l.src[i]
		if c == '_' || c == '.' || c == '@' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			i++
			continue
		}
		break
	}
	return token{kind: tIdent, pos: pos, end: i, text: l.src[pos:i]}, nil
}

// number reads 10, 2.5, 1e3, or a duration such as 5m, 24h, 7d, 2w, 500ms.
func (l *lexer) number(pos int) (token, error) {
	i := pos
	digits := func() {
		for i < len(l.src) && l.src[i] >= '0' && l.src[i] <= '9' {
			i++
		}
	}
	digits()
	if i+1 < len(l.src) && l.src[i] == '.' && l.src[i+1] >= '0' && l.src[i+1] <= '9' {
		i++
		digits()
	}
	if i < len(l.src) && (l.src[i] == 'e' || l.src[i] == 'E') && i+1 < len(l.src) && (l.src[i+1] >= '0' && l.src[i+1] <= '9' || (l.src[i+1] == '-' || l.src[i+1] == '+') && i+2 < len(l.src) && l.src[i+2] >= '0' && l.src[i+2] <= '9') {
		i += 2
		digits()
	}
	j := i
	for j < len(l.src) && (l.src[j] >= 'a' && l.src[j] <= 'z' || l.src[j] >= 'A' && l.src[j] <= 'Z') {
		j++
	}
	if j > i {
		if _, err := parseDuration(l.src[pos:j]); err != nil {
			return token{}, errorf(l.q, pos, "expected a number or a duration such as 5m, 24h or 7d, got %q", l.src[pos:j])
		}
		return token{kind: tDuration, pos: pos, end: j, text: l.src[pos:j]}, nil
	}
	return token{kind: tNumber, pos: pos, end: i, text: l.src[pos:i]}, nil
}
