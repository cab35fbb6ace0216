package search

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Error is a mistake in a query: what was expected, and where. Pos is a
// byte offset into Query.
type Error struct {
	Query string
	Pos   int
	Msg   string
}

// Error renders the message, the line of the query holding the mistake and
// a caret under its position:
//
//	search: expected a value after "event_name:" at column 12
//	  event_name:
//	             ^
func (e *Error) Error() string {
	pos := min(max(e.Pos, 0), len(e.Query))
	start := strings.LastIndexByte(e.Query[:pos], '\n') + 1
	end := len(e.Query)
	if i := strings.IndexByte(e.Query[pos:], '\n'); i >= 0 {
		end = pos + i
	}
	line := 1 + strings.Count(e.Query[:start], "\n")
	col := utf8.RuneCountInString(e.Query[start:pos]) + 1
	where := fmt.Sprintf("column %d", col)
	if strings.Contains(e.Query, "\n") {
		where = fmt.Sprintf("line %d, column %d", line, col)
	}
	text := strings.Map(func(r rune) rune {
		if r == '\t' || r == '\r' {
			return ' '
		}
		return r
	}, e.Query[start:end])
	return fmt.Sprintf("search: %s at %s\n  %s\n  %s^", e.Msg, where, text, strings.Repeat(" ", col-1))
}

// errorf builds an *Error at pos.
func errorf(query string, pos int, format string, args ...any) *Error {
	return &Error{Query: query, Pos: pos, Msg: fmt.Sprintf(format, args...)}
}
