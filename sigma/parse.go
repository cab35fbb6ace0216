package sigma

import (
	"bytes"
	"errors"
	"io"
	"strings"

	"gopkg.in/yaml.v3"
)

// Rule is one Sigma document: a detection rule (Detection set) or a
// correlation rule (Correlation set).
type Rule struct {
	ID             string
	Name           string // unique name correlations may refer to
	Title          string
	Status         string // stable test experimental deprecated unsupported
	Level          string // informational low medium high critical
	Description    string
	Author         string // DRL 1.1: credit the author wherever matches are shown
	License        string
	Date           string
	Modified       string
	Taxonomy       string
	References     []string
	Tags           []string
	Falsepositives []string
	Fields         []string
	Scope          []string
	Related        []Related
	LogSource      LogSource
	Detection      *Detection   // detection rules
	Condition      string       // the condition as written (several joined by " or ")
	Correlation    *Correlation // correlation rules

	File string // source file ("" for in-memory rules)
	Line int    // line of the document's first key
}

// Related is an entry of a rule's related list.
type Related struct {
	ID   string
	Type string // derived obsolete merged renamed similar
}

// LogSource says which logs a rule applies to.
type LogSource struct {
	Product    string
	Service    string
	Category   string
	Definition string
}

// CloudTrail is the log source of AWS CloudTrail records.
var CloudTrail = LogSource{Product: "aws", Service: "cloudtrail"}

// Key identifies a rule in match results: its id, else its name, else its
// title.
func (r *Rule) Key() string {
	switch {
	case r.ID != "":
		return r.ID
	case r.Name != "":
		return r.Name
	}
	return r.Title
}

// Options tune loading.
type Options struct {
	// Placeholders gives the values of %name% placeholders used with the
	// expand modifier (each value a Sigma string; several are ORed). A rule
	// using a placeholder missing here is refused, as the spec requires.
	Placeholders map[string][]string
}

var (
	levels   = map[string]bool{"informational": true, "low": true, "medium": true, "high": true, "critical": true}
	statuses = map[string]bool{"stable": true, "test": true, "experimental": true, "deprecated": true, "unsupported": true}
)

// maxRuleSize bounds one rule file; Sigma rules are a few kilobytes.
const maxRuleSize = 4 << 20

// Parse parses every YAML document in data. file is used in messages.
// Documents that fail are reported in errs; the others are returned.
func Parse(data []byte, file string, opts *Options) (rules []*Rule, errs []error) {
	c := &compiler{file: file}
	if opts != nil {
		c.opts = *opts
	}
	if len(data) > maxRuleSize {
		return nil, []error{errorf(file, 0, "file larger than %d bytes", maxRuleSize)}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			errs = append(errs, yamlError(file, err))
			break // the decoder cannot resynchronise after an error
		}
		if len(doc.Content) == 0 {
			continue
		}
		root := resolve(doc.Content[0])
		if root.Kind == yaml.ScalarNode && isNull(root) {
			continue // empty document ("---" at the end)
		}
		r, err := c.rule(root)
		if err != nil {
			if e, ok := err.(*Error); ok && r != nil && e.Rule == "" {
				e.Rule = r.Title
			}
			errs = append(errs, err)
			continue
		}
		rules = append(rules, r)
	}
	if len(rules) == 0 && len(errs) == 0 {
		errs = append(errs, errorf(file, 0, "no Sigma rule in file"))
	}
	return rules, errs
}

// ParseRule parses a single-document rule (tests, API uploads).
func ParseRule(data []byte) (*Rule, error) {
	rules, errs := Parse(data, "", nil)
	if len(errs) > 0 {
		return nil, errs[0]
	}
	if len(rules) != 1 {
		return nil, errorf("", 0, "expected one rule, found %d", len(rules))
	}
	return rules[0], nil
}

// rule parses one document. It returns the partly filled rule with errors
// so messages can name it.
func (c *compiler) rule(n *yaml.Node) (*Rule, error) {
	if n.Kind != yaml.MappingNode {
		return nil, errorf(c.file, n.Line, "a Sigma rule must be a YAML map")
	}
	r := &Rule{File: c.file, Line: n.Line}
	keys := map[string]*yaml.Node{}
	keyLine := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind != yaml.ScalarNode {
			return nil, errorf(c.file, k.Line, "rule keys must be strings")
		}
		if _, dup := keys[k.Value]; dup {
			return nil, errorf(c.file, k.Line, "key %q given twice", k.Value)
		}
		keys[k.Value] = resolve(n.Content[i+1])
		keyLine[k.Value] = k.Line
	}
	if a, ok := keys["action"]; ok {
		return nil, unsupportedf(c.file, keyLine["action"],
			"action: %s (Sigma 1.x rule collection) is not supported; merge the documents into standalone rules", a.Value)
	}
	if _, ok := keys["filter"]; ok {
		if _, det := keys["detection"]; !det {
			return nil, unsupportedf(c.file, keyLine["filter"], "Sigma filter documents (filter:) are not supported")
		}
	}
	for _, f := range []struct {
		key string
		dst *string
	}{{"title", &r.Title}, {"id", &r.ID}, {"name", &r.Name}, {"status", &r.Status}, {"level", &r.Level},
		{"description", &r.Description}, {"author", &r.Author}, {"license", &r.License}, {"date", &r.Date},
		{"modified", &r.Modified}, {"taxonomy", &r.Taxonomy}} {
		if v, ok := keys[f.key]; ok {
			s, err := c.scalar(v, f.key)
			if err != nil {
				return r, err
			}
			*f.dst = s
		}
	}
	for _, f := range []struct {
		key string
		dst *[]string
	}{{"references", &r.References}, {"tags", &r.Tags}, {"falsepositives", &r.Falsepositives},
		{"fields", &r.Fields}, {"scope", &r.Scope}} {
		if v, ok := keys[f.key]; ok {
			l, err := c.strList(v, f.key)
			if err != nil {
				return r, err
			}
			*f.dst = l
		}
	}
	if strings.TrimSpace(r.Title) == "" {
		return r, errorf(c.file, n.Line, "rule has no title")
	}
	if r.Level != "" && !levels[r.Level] {
		return r, errorf(c.file, keyLine["level"], "invalid level %q (want informational, low, medium, high or critical)", r.Level)
	}
	if r.Status != "" && !statuses[r.Status] {
		return r, errorf(c.file, keyLine["status"], "invalid status %q (want stable, test, experimental, deprecated or unsupported)", r.Status)
	}
	if v, ok := keys["related"]; ok {
		rel, err := c.related(v)
		if err != nil {
			return r, err
		}
		r.Related = rel
	}
	corr, isCorr := keys["correlation"]
	det, isDet := keys["detection"]
	switch {
	case isCorr && isDet:
		return r, errorf(c.file, keyLine["correlation"], "a document cannot hold both detection and correlation")
	case isCorr:
		cr, err := c.correlation(corr, keys["generate"], keyLine["correlation"])
		if err != nil {
			return r, err
		}
		r.Correlation = cr
		return r, nil
	case !isDet:
		return r, errorf(c.file, n.Line, "rule has no detection section")
	}
	ls, ok := keys["logsource"]
	if !ok {
		return r, errorf(c.file, n.Line, "rule has no logsource")
	}
	if err := c.logsource(ls, &r.LogSource); err != nil {
		return r, err
	}
	d, err := c.detection(det, keyLine["detection"])
	if err != nil {
		return r, err
	}
	r.Detection = d
	if len(d.Conditions) == 1 {
		r.Condition = d.Conditions[0]
	} else {
		r.Condition = "(" + strings.Join(d.Conditions, ") or (") + ")"
	}
	return r, nil
}

// scalar reads a string-valued key.
func (c *compiler) scalar(n *yaml.Node, key string) (string, error) {
	if n.Kind != yaml.ScalarNode {
		return "", errorf(c.file, n.Line, "%s must be a string", key)
	}
	if isNull(n) {
		return "", nil
	}
	return n.Value, nil
}

// strList reads a list of strings (a single string is accepted too).
func (c *compiler) strList(n *yaml.Node, key string) ([]string, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		if isNull(n) {
			return nil, nil
		}
		return []string{n.Value}, nil
	case yaml.SequenceNode:
		out := make([]string, 0, len(n.Content))
		for _, item := range n.Content {
			item = resolve(item)
			if item.Kind != yaml.ScalarNode {
				return nil, errorf(c.file, item.Line, "%s must be a list of strings", key)
			}
			out = append(out, item.Value)
		}
		return out, nil
	}
	return nil, errorf(c.file, n.Line, "%s must be a list of strings", key)
}

func (c *compiler) related(n *yaml.Node) ([]Related, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, errorf(c.file, n.Line, "related must be a list of {id, type}")
	}
	var out []Related
	for _, item := range n.Content {
		item = resolve(item)
		if item.Kind != yaml.MappingNode {
			return nil, errorf(c.file, item.Line, "related entries must be maps with id and type")
		}
		var r Related
		for i := 0; i+1 < len(item.Content); i += 2 {
			k, v := item.Content[i], resolve(item.Content[i+1])
			s, err := c.scalar(v, "related."+k.Value)
			if err != nil {
				return nil, err
			}
			switch k.Value {
			case "id":
				r.ID = s
			case "type":
				r.Type = s
			}
		}
		out = append(out, r)
	}
	return out, nil
}

func (c *compiler) logsource(n *yaml.Node, ls *LogSource) error {
	if n.Kind != yaml.MappingNode {
		return errorf(c.file, n.Line, "logsource must be a map (product, service, category)")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		s, err := c.scalar(v, "logsource."+k.Value)
		if err != nil {
			return err
		}
		switch k.Value {
		case "product":
			ls.Product = strings.ToLower(s)
		case "service":
			ls.Service = strings.ToLower(s)
		case "category":
			ls.Category = strings.ToLower(s)
		case "definition":
			ls.Definition = s
		}
	}
	return nil
}

// Applies reports whether a rule with logsource ls applies to events from
// src: every field the rule sets must equal the source's.
func (ls LogSource) Applies(src LogSource) bool {
	return (ls.Product == "" || ls.Product == src.Product) &&
		(ls.Service == "" || ls.Service == src.Service) &&
		(ls.Category == "" || ls.Category == src.Category)
}

// Match evaluates a detection rule against a parsed event. It is false for
// correlation rules.
func (r *Rule) Match(e *Event) bool {
	if r.Detection == nil || r.Detection.cond == nil || e == nil || len(e.nodes) == 0 {
		return false
	}
	return r.Detection.cond.eval(e)
}
