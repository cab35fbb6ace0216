package sigma

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Error is a problem with one rule: the file and line it comes from and what
// is wrong. Its text is "file:line: problem", the form editors and CI
// annotations understand.
type Error struct {
	File string // path as given to the loader; "" for in-memory rules
	Line int    // 1-based; 0 when unknown
	Rule string // title or id of the rule, when known
	Msg  string
	// Unsupported is set when the rule is valid Sigma (or legacy Sigma) but
	// uses a construct this engine refuses; errors.Is(err, ErrUnsupported).
	Unsupported bool
}

func (e *Error) Error() string {
	loc := e.File
	if loc == "" {
		loc = "<rule>"
	}
	if e.Line > 0 {
		loc += ":" + strconv.Itoa(e.Line)
	}
	return loc + ": " + e.Msg
}

// ErrUnsupported marks rules refused because they use a construct this engine
// does not evaluate (legacy aggregations, Sigma 1.x collections, …); test with
// errors.Is.
var ErrUnsupported = errors.New("unsupported Sigma construct")

// Is makes errors.Is(err, ErrUnsupported) true for refused constructs.
func (e *Error) Is(target error) bool { return e.Unsupported && target == ErrUnsupported }

// errorf builds a positioned error.
func errorf(file string, line int, format string, args ...any) *Error {
	return &Error{File: file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// unsupportedf builds a positioned error that matches ErrUnsupported.
func unsupportedf(file string, line int, format string, args ...any) *Error {
	e := errorf(file, line, format, args...)
	e.Unsupported = true
	return e
}

var yamlLineRe = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)

// yamlError turns a yaml.v3 error ("yaml: line 3: mapping values are not
// allowed in this context") into a positioned Error.
func yamlError(file string, err error) *Error {
	msg := err.Error()
	if m := yamlLineRe.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		// yaml.v3 reports parser (as opposed to scanner) errors with a
		// 0-based line.
		if line > 0 && (strings.HasPrefix(m[2], "did not find expected") || strings.HasPrefix(m[2], "found duplicate") ||
			strings.HasPrefix(m[2], "found incompatible") || strings.HasPrefix(m[2], "found undefined tag")) {
			line++
		}
		return errorf(file, line, "invalid YAML: %s", m[2])
	}
	return errorf(file, 0, "invalid YAML: %s", msg)
}
