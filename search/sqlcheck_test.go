package search

import (
	"regexp"
	"strings"
	"testing"
)

// sqlWords is every bare word the compiler writes: SQL keywords, function
// names, columns of the events view, CTE and lambda names.
var sqlWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`WITH AS SELECT FROM WHERE AND OR NOT IS NULL IN CASE WHEN THEN ELSE END BETWEEN
		ILIKE LIKE ESCAPE GROUP BY ORDER ASC DESC NULLS LAST LIMIT DISTINCT FILTER OVER PARTITION QUALIFY
		REPLACE EXCLUDE CAST VARCHAR BIGINT DOUBLE DATE TIMESTAMP TRY_CAST true false events
		lower upper length abs floor ceil sqrt ln round coalesce concat substr replace string_split contains
		starts_with ends_with regexp_matches regexp_full_match len list_transform list_filter list_reduce
		list_bool_and list_sort list_slice list_reverse_sort flatten map_entries histogram list count sum avg min max
		median stddev_samp arg_min arg_max row_number time_bucket to_microseconds json_extract json_extract_string
		json_type array_to_string lpad repeat hour dayofweek epoch
		x y s h o a b p gs g e v n key value`) {
		m[w] = true
	}
	for _, f := range registry {
		m[f.Name] = true
	}
	return m
}()

// sqlLiterals are the only string constants the compiler writes.
var sqlLiterals = map[string]bool{
	`ARRAY`: true, `$[*]`: true, `$`: true, `\`: true, ``: true, `.`: true, `:`: true, `::`: true, `:::`: true,
	`*`: true, `0`: true, `0000`: true, `n`: true, `v`: true, `[0-9a-f:]{2,39}`: true,
	`(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}`: true,
}

var (
	numberTok = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)
	stageName = regexp.MustCompile(`^s[0-9]+$`)
)

// checkSQLSafe fails when SQL holds anything but the compiler's own text:
// its words, its constants, '?' placeholders, and column names the user
// chose that passed validation (letters, digits, _ . - @ $). Comments and
// statement separators are refused outright.
func checkSQLSafe(t testing.TB, q string, st *Statement) {
	t.Helper()
	if err := sqlSafe(st); err != "" {
		t.Fatalf("query %q compiled to unsafe SQL: %s\n%s", q, err, st.SQL)
	}
	if n := strings.Count(stripLiterals(st.SQL), "?"); n != len(st.Args) {
		t.Fatalf("query %q: %d placeholders, %d args\n%s", q, n, len(st.Args), st.SQL)
	}
}

// stripLiterals blanks out string literals.
func stripLiterals(sql string) string {
	var b strings.Builder
	in := false
	for i := 0; i < len(sql); i++ {
		if sql[i] == '\'' {
			in = !in
			continue
		}
		if !in {
			b.WriteByte(sql[i])
		}
	}
	return b.String()
}

func sqlSafe(st *Statement) string {
	s := st.SQL
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return "unterminated string literal"
			}
			lit := s[i+1 : i+1+end]
			if !sqlLiterals[lit] {
				return "string literal not written by the compiler: '" + lit + "'"
			}
			i += end + 2
		case c == '"':
			end := strings.IndexByte(s[i+1:], '"')
			if end < 0 {
				return "unterminated quoted name"
			}
			name := s[i+1 : i+1+end]
			if !safeName.MatchString(name) {
				return "unsafe quoted name \"" + name + "\""
			}
			i += end + 2
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(s) && (s[j] == '_' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= '0' && s[j] <= '9') {
				j++
			}
			w := s[i:j]
			if !sqlWords[w] && !stageName.MatchString(w) {
				return "word not written by the compiler: " + w
			}
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
				j++
			}
			if !numberTok.MatchString(s[i:j]) {
				return "bad number " + s[i:j]
			}
			i = j
		case c == '-' && i+1 < len(s) && s[i+1] == '-', c == '/' && i+1 < len(s) && s[i+1] == '*', c == ';':
			return "comment or statement separator"
		case strings.IndexByte(" \n()[]{},.?=<>!+-*/%|:", c) >= 0:
			i++
		default:
			return "unexpected character " + string(c)
		}
	}
	return ""
}
