package watch

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// statement is one IAM policy statement Cairn applies.
type statement struct {
	Sid       string         `json:"Sid"`
	Effect    string         `json:"Effect"`
	Principal map[string]any `json:"Principal"`
	Action    string         `json:"Action"`
	Resource  string         `json:"Resource"`
	Condition map[string]any `json:"Condition,omitempty"`
}

// readPolicy parses a resource policy; "" is an empty one.
func readPolicy(policy string) (map[string]any, []any, error) {
	doc := map[string]any{}
	if strings.TrimSpace(policy) == "" {
		return doc, nil, nil
	}
	if err := json.Unmarshal([]byte(policy), &doc); err != nil {
		return nil, nil, errors.New("policy is not a JSON object")
	}
	switch st := doc["Statement"].(type) {
	case nil:
		return doc, nil, nil
	case []any:
		return doc, st, nil
	case map[string]any:
		return doc, []any{st}, nil
	default:
		return nil, nil, fmt.Errorf("policy Statement is a %T", st)
	}
}

// strs reads a policy value that is a string or a list of strings.
func strs(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// allows reports whether policy has an Allow statement for the service
// principal and action — and, when sourceARN is set, one whose
// aws:SourceArn condition names it.
func allows(policy, service, action, sourceARN string) bool {
	_, sts, err := readPolicy(policy)
	if err != nil {
		return false
	}
	for _, raw := range sts {
		st, ok := raw.(map[string]any)
		if !ok || st["Effect"] != "Allow" || !principalIs(st["Principal"], service) || !actionMatches(strs(st["Action"]), action) {
			continue
		}
		if sourceARN == "" || conditionNames(st["Condition"], sourceARN) {
			return true
		}
	}
	return false
}

func principalIs(p any, service string) bool {
	if s, ok := p.(string); ok {
		return s == "*"
	}
	m, ok := p.(map[string]any)
	if !ok {
		return false
	}
	for _, s := range strs(m["Service"]) {
		if s == service {
			return true
		}
	}
	for _, s := range strs(m["AWS"]) {
		if s == "*" {
			return true
		}
	}
	return false
}

func actionMatches(actions []string, want string) bool {
	svc, _, _ := strings.Cut(want, ":")
	for _, a := range actions {
		if strings.EqualFold(a, want) || a == "*" || strings.EqualFold(a, svc+":*") {
			return true
		}
	}
	return false
}

// conditionNames reports whether a Condition block's aws:SourceArn (under
// any operator) names arn.
func conditionNames(c any, arn string) bool {
	m, ok := c.(map[string]any)
	if !ok {
		return false
	}
	for _, ops := range m {
		om, ok := ops.(map[string]any)
		if !ok {
			continue
		}
		for k, v := range om {
			if !strings.EqualFold(k, "aws:SourceArn") {
				continue
			}
			for _, s := range strs(v) {
				if s == arn {
					return true
				}
			}
		}
	}
	return false
}

// withStatement returns policy with st added, replacing a statement with
// the same Sid and keeping every other statement. A policy it cannot read
// is an error: Cairn never overwrites what it does not understand.
func withStatement(policy string, st statement) (string, error) {
	doc, sts, err := readPolicy(policy)
	if err != nil {
		return "", err
	}
	out := make([]any, 0, len(sts)+1)
	for _, raw := range sts {
		if m, ok := raw.(map[string]any); ok && m["Sid"] == st.Sid {
			continue
		}
		out = append(out, raw)
	}
	out = append(out, st)
	if _, ok := doc["Version"]; !ok {
		doc["Version"] = "2012-10-17"
	}
	doc["Statement"] = out
	b, err := json.Marshal(doc)
	if err != nil {
		return "", err
	}
	return string(b), nil
}
