package rulepack

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Case is one test of a rule test file (x.tests.yml beside x.yml):
//
//   - name: StopLogging by an IAM user   # required
//     rule: trail_stopped                # id, name or title; default: the file's only alerting rule
//     match: true                        # does the rule fire?
//     fires: 1                           # optional: how many times it fires
//     source: aws.cloudtrail             # optional: default from the rule's logsource
//     event: {eventName: StopLogging, …} # one record, or
//     events: [{…}, {…}]                 # several, in order (correlations; times from the records)
//     group: {sourceIPAddress: 1.2.3.4}  # optional: group-by values a correlation firing must have
//
// Records are written in YAML and converted to JSON: plain scalars keep
// their YAML type (numbers, booleans, null), timestamps stay strings.
type Case struct {
	Name   string
	Rule   string
	Match  bool
	Fires  int // -1 when not given
	Source string
	Events [][]byte // JSON records
	Group  map[string]string
	// FirstSeen counts the target's firings through a FirstSeen tracker
	// (its cairn.new_value attribute) instead of its plain matches.
	FirstSeen bool
	Line      int
}

// ParseCases reads a test file. file is used in messages.
func ParseCases(data []byte, file string) ([]Case, error) {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: no test cases", file)
		}
		return nil, fmt.Errorf("%s: invalid YAML: %w", file, err)
	}
	root := doc.Content[0]
	if root.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%s:%d: a test file is a list of cases", file, root.Line)
	}
	var out []Case
	for _, n := range root.Content {
		c, err := parseCase(n)
		if err != nil {
			return nil, fmt.Errorf("%s:%w", file, err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no test cases", file)
	}
	return out, nil
}

func parseCase(n *yaml.Node) (Case, error) {
	c := Case{Line: n.Line, Fires: -1}
	if n.Kind != yaml.MappingNode {
		return c, fmt.Errorf("%d: a case is a map (name, match, event or events)", n.Line)
	}
	hasMatch := false
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var err error
		switch k.Value {
		case "name":
			c.Name = v.Value
		case "rule":
			c.Rule = v.Value
		case "source":
			c.Source = v.Value
		case "match":
			hasMatch = true
			err = v.Decode(&c.Match)
		case "fires":
			err = v.Decode(&c.Fires)
		case "group":
			err = v.Decode(&c.Group)
		case "first_seen":
			err = v.Decode(&c.FirstSeen)
		case "event":
			var b []byte
			if b, err = record(v); err == nil {
				c.Events = append(c.Events, b)
			}
		case "events":
			if v.Kind != yaml.SequenceNode {
				return c, fmt.Errorf("%d: events must be a list of records", v.Line)
			}
			for _, ev := range v.Content {
				b, err := record(ev)
				if err != nil {
					return c, fmt.Errorf("%d: events: %v", ev.Line, err)
				}
				c.Events = append(c.Events, b)
			}
		default:
			return c, fmt.Errorf("%d: unknown key %q in a test case", k.Line, k.Value)
		}
		if err != nil {
			return c, fmt.Errorf("%d: %s: %v", v.Line, k.Value, err)
		}
	}
	switch {
	case c.Name == "":
		return c, fmt.Errorf("%d: case has no name", n.Line)
	case !hasMatch:
		return c, fmt.Errorf("%d: case %q has no match: true|false", n.Line, c.Name)
	case len(c.Events) == 0:
		return c, fmt.Errorf("%d: case %q has no event", n.Line, c.Name)
	case c.Match && c.Fires == 0, !c.Match && c.Fires > 0:
		return c, fmt.Errorf("%d: case %q: fires %d contradicts match %v", n.Line, c.Name, c.Fires, c.Match)
	}
	return c, nil
}

// record converts a YAML record (a map) to JSON.
func record(n *yaml.Node) ([]byte, error) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind != yaml.MappingNode {
		return nil, errors.New("a record must be a map")
	}
	var b bytes.Buffer
	if err := appendJSON(&b, n, 0); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// maxRecord bounds one record's JSON, so aliases cannot blow it up.
const maxRecord = 1 << 20

func appendJSON(b *bytes.Buffer, n *yaml.Node, depth int) error {
	if depth > 64 {
		return errors.New("record nested too deeply")
	}
	if b.Len() > maxRecord {
		return fmt.Errorf("record larger than %d bytes", maxRecord)
	}
	switch n.Kind {
	case yaml.AliasNode:
		return appendJSON(b, n.Alias, depth+1)
	case yaml.MappingNode:
		keys, vals := mapPairs(n, nil, nil)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			kb, _ := json.Marshal(k)
			b.Write(kb)
			b.WriteByte(':')
			if err := appendJSON(b, vals[i], depth+1); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case yaml.SequenceNode:
		b.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := appendJSON(b, c, depth+1); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			b.WriteString("null")
		case "!!bool":
			var v bool
			if err := n.Decode(&v); err != nil {
				return err
			}
			b.WriteString(strconv.FormatBool(v))
		case "!!int", "!!float":
			if json.Valid([]byte(n.Value)) {
				b.WriteString(n.Value)
				return nil
			}
			var f float64
			if err := n.Decode(&f); err != nil {
				return err
			}
			b.WriteString(strconv.FormatFloat(f, 'g', -1, 64))
		default:
			s, _ := json.Marshal(n.Value)
			b.Write(s)
		}
	default:
		return errors.New("unexpected YAML node in a record")
	}
	return nil
}

// testFileNames are the names a rule file's tests may have, in order of
// preference.
func testFileNames(ruleFile string) []string {
	base := strings.TrimSuffix(strings.TrimSuffix(ruleFile, ".yml"), ".yaml")
	return []string{base + ".tests.yml", base + ".tests.yaml", base + "_tests.yml", base + "_test.yml", base + ".test.yml"}
}

// mapPairs lists a mapping's keys and values with YAML merge keys ("<<:
// *base") applied: merged pairs first, keys written in the map override
// them, so a case can reuse a record and change a field.
func mapPairs(n *yaml.Node, keys []string, vals []*yaml.Node) ([]string, []*yaml.Node) {
	set := func(k string, v *yaml.Node) {
		for i, old := range keys {
			if old == k {
				vals[i] = v
				return
			}
		}
		keys, vals = append(keys, k), append(vals, v)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Value == "<<" && k.ShortTag() == "!!merge" {
			v := n.Content[i+1]
			if v.Kind == yaml.AliasNode {
				v = v.Alias
			}
			srcs := []*yaml.Node{v}
			if v.Kind == yaml.SequenceNode {
				srcs = v.Content
			}
			for _, src := range srcs {
				if src.Kind == yaml.AliasNode {
					src = src.Alias
				}
				if src.Kind == yaml.MappingNode {
					ks, vs := mapPairs(src, nil, nil)
					for j := range ks {
						set(ks[j], vs[j])
					}
				}
			}
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; !(k.Value == "<<" && k.ShortTag() == "!!merge") {
			set(k.Value, n.Content[i+1])
		}
	}
	return keys, vals
}
