package queries

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// BuiltinSource is the Source of queries shipped with Cairn.
const BuiltinSource = "builtin"

// Query is one saved search.
type Query struct {
	Name        string   `yaml:"name" json:"name"`
	Title       string   `yaml:"title" json:"title"`
	Description string   `yaml:"description" json:"description"`
	Query       string   `yaml:"query" json:"query"`
	Tags        []string `yaml:"tags" json:"tags"`
	// MITRE lists ATT&CK technique IDs, e.g. T1562.008.
	MITRE []string `yaml:"mitre" json:"mitre"`
	// Source is BuiltinSource or the file the query was read from.
	Source string `yaml:"-" json:"source"`
}

// fields are the keys a query may have in YAML.
var fields = map[string]bool{"name": true, "title": true, "description": true, "query": true, "tags": true, "mitre": true}

var (
	nameRE   = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
	tagRE    = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,63}$`)
	mitreRE  = regexp.MustCompile(`^T[0-9]{4}(\.[0-9]{3})?$`)
	errEmpty = errors.New("is empty")
)

// Validate checks the query's fields (not its syntax: see Options.Check).
func (q *Query) Validate() error {
	var errs []error
	if !nameRE.MatchString(q.Name) {
		errs = append(errs, fmt.Errorf("name %q: use 1-64 lower-case letters, digits, - and _, starting with a letter or digit", q.Name))
	}
	if strings.TrimSpace(q.Title) == "" {
		errs = append(errs, fmt.Errorf("title %w", errEmpty))
	}
	if strings.TrimSpace(q.Query) == "" {
		errs = append(errs, fmt.Errorf("query %w", errEmpty))
	}
	for _, t := range q.Tags {
		if !tagRE.MatchString(t) {
			errs = append(errs, fmt.Errorf("tag %q: use lower-case letters, digits, -, _ and .", t))
		}
	}
	for _, m := range q.MITRE {
		if !mitreRE.MatchString(m) {
			errs = append(errs, fmt.Errorf("mitre %q: not an ATT&CK technique ID such as T1078 or T1562.008", m))
		}
	}
	return errors.Join(errs...)
}
