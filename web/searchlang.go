package web

import (
	"errors"
	"unicode/utf8"

	"github.com/cairn-sec/cairn/search"
)

// SearchCompile is the CompileFunc of Cairn's query language (package
// search). A mistake comes back as *QueryError with the compiler's caret
// message and the mistake's offset in characters.
func SearchCompile(query string, opts CompileOptions) (string, []any, error) {
	st, err := search.Compile(query, search.Options{From: opts.From, To: opts.To, Limit: opts.Limit, Now: opts.Now})
	if err != nil {
		var se *search.Error
		if errors.As(err, &se) {
			pos := min(max(se.Pos, 0), len(se.Query))
			return "", nil, &QueryError{Message: se.Error(), Pos: utf8.RuneCountInString(se.Query[:pos])}
		}
		return "", nil, err
	}
	return st.SQL, st.Args, nil
}

// SearchFields lists the query language's fields.
func SearchFields() []Field {
	fs := search.Fields()
	out := make([]Field, len(fs))
	for i, f := range fs {
		out[i] = Field{Name: f.Name, Type: f.Type, Column: f.Column, Aliases: f.Aliases}
	}
	return out
}

// CheckSearch reports whether a query compiles (for queries.Options.Check).
func CheckSearch(query string) error {
	_, err := search.Compile(query, search.Options{})
	return err
}
