package queries

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"
)

// Parse reads the queries in one YAML file: a mapping (one query) or a
// list of mappings, in one or more documents. name is used in errors and
// as each query's Source. Unknown keys, missing fields and duplicate names
// within the file are errors that give the line.
func Parse(name string, data []byte) ([]Query, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out []Query
	seen := map[string]int{}
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if len(doc.Content) == 0 {
			continue
		}
		root := doc.Content[0]
		var items []*yaml.Node
		switch root.Kind {
		case yaml.MappingNode:
			items = []*yaml.Node{root}
		case yaml.SequenceNode:
			items = root.Content
		case yaml.ScalarNode:
			if root.Tag == "!!null" {
				continue
			}
			return nil, fmt.Errorf("%s: line %d: want a query (a mapping with name, title, query, ...) or a list of them", name, root.Line)
		default:
			return nil, fmt.Errorf("%s: line %d: want a query (a mapping with name, title, query, ...) or a list of them", name, root.Line)
		}
		for _, n := range items {
			q, err := parseQuery(n)
			if err != nil {
				return nil, fmt.Errorf("%s: line %d: %w", name, n.Line, err)
			}
			if line, dup := seen[q.Name]; dup {
				return nil, fmt.Errorf("%s: line %d: query %q is already defined at line %d", name, n.Line, q.Name, line)
			}
			seen[q.Name] = n.Line
			q.Source = name
			out = append(out, q)
		}
	}
	return out, nil
}

func parseQuery(n *yaml.Node) (Query, error) {
	var q Query
	if n.Kind != yaml.MappingNode {
		return q, errors.New("want a query (a mapping with name, title, query, ...)")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if !fields[k.Value] {
			return q, fmt.Errorf("unknown key %q (want name, title, description, query, tags, mitre)", k.Value)
		}
	}
	if err := n.Decode(&q); err != nil {
		return q, err
	}
	q.Name = strings.TrimSpace(q.Name)
	q.Query = strings.TrimSpace(q.Query)
	q.Title = strings.TrimSpace(q.Title)
	q.Description = strings.TrimSpace(q.Description)
	if err := q.Validate(); err != nil {
		if q.Name != "" {
			return q, fmt.Errorf("query %q: %w", q.Name, err)
		}
		return q, err
	}
	return q, nil
}
