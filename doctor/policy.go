package doctor

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
)

// Policy is an IAM policy document (a queue policy, a key policy), as far
// as doctor reads one.
type Policy struct {
	Statements []Statement
}

// Statement is one policy statement. Principals are by type ("AWS",
// "Service", "Federated", "CanonicalUser"); "*" alone is stored as
// {"*": ["*"]}. Conditions are operator → key → values.
type Statement struct {
	Sid        string
	Effect     string
	Principals map[string][]string
	Actions    []string
	NotAction  bool
	Resources  []string
	Conditions map[string]map[string][]string
}

// ParsePolicy parses an IAM policy document. Single strings and lists are
// both accepted wherever IAM accepts them.
func ParsePolicy(doc string) (Policy, error) {
	var raw struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(doc), &raw); err != nil {
		return Policy{}, fmt.Errorf("policy is not JSON: %w", err)
	}
	var stmts []json.RawMessage
	switch {
	case len(raw.Statement) == 0:
		return Policy{}, errors.New("policy has no Statement")
	case raw.Statement[0] == '[':
		if err := json.Unmarshal(raw.Statement, &stmts); err != nil {
			return Policy{}, fmt.Errorf("policy Statement: %w", err)
		}
	default:
		stmts = []json.RawMessage{raw.Statement}
	}
	var p Policy
	for i, rs := range stmts {
		var s struct {
			Sid       string
			Effect    string
			Principal json.RawMessage
			Action    json.RawMessage
			NotAction json.RawMessage
			Resource  json.RawMessage
			Condition map[string]map[string]json.RawMessage
		}
		if err := json.Unmarshal(rs, &s); err != nil {
			return Policy{}, fmt.Errorf("policy statement %d: %w", i, err)
		}
		st := Statement{Sid: s.Sid, Effect: s.Effect, Principals: map[string][]string{}}
		var err error
		if len(s.Principal) > 0 {
			var star string
			if json.Unmarshal(s.Principal, &star) == nil {
				st.Principals["*"] = []string{star}
			} else {
				var m map[string]json.RawMessage
				if err := json.Unmarshal(s.Principal, &m); err != nil {
					return Policy{}, fmt.Errorf("policy statement %d: Principal: %w", i, err)
				}
				for typ, v := range m {
					if st.Principals[typ], err = strings1(v); err != nil {
						return Policy{}, fmt.Errorf("policy statement %d: Principal %s: %w", i, typ, err)
					}
				}
			}
		}
		if len(s.NotAction) > 0 {
			st.NotAction = true
			s.Action = s.NotAction
		}
		if st.Actions, err = strings1(s.Action); err != nil {
			return Policy{}, fmt.Errorf("policy statement %d: Action: %w", i, err)
		}
		if st.Resources, err = strings1(s.Resource); err != nil {
			return Policy{}, fmt.Errorf("policy statement %d: Resource: %w", i, err)
		}
		if len(s.Condition) > 0 {
			st.Conditions = map[string]map[string][]string{}
			for op, kv := range s.Condition {
				st.Conditions[op] = map[string][]string{}
				for k, v := range kv {
					vals, err := strings1(v)
					if err != nil {
						return Policy{}, fmt.Errorf("policy statement %d: Condition %s %s: %w", i, op, k, err)
					}
					st.Conditions[op][strings.ToLower(k)] = vals
				}
			}
		}
		p.Statements = append(p.Statements, st)
	}
	return p, nil
}

// strings1 reads a JSON string or list of strings (numbers and booleans,
// which conditions may hold, as their text).
func strings1(v json.RawMessage) ([]string, error) {
	if len(v) == 0 || string(v) == "null" {
		return nil, nil
	}
	var list []any
	if v[0] != '[' {
		var one any
		if err := json.Unmarshal(v, &one); err != nil {
			return nil, err
		}
		list = []any{one}
	} else if err := json.Unmarshal(v, &list); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(list))
	for _, e := range list {
		switch e := e.(type) {
		case string:
			out = append(out, e)
		case float64, bool:
			out = append(out, fmt.Sprint(e))
		default:
			return nil, fmt.Errorf("want a string or a list of strings, got %T", e)
		}
	}
	return out, nil
}

// wildMatch matches IAM wildcards (* and ?), case-sensitively when exact
// is true (ARNs) and case-insensitively otherwise (actions).
func wildMatch(pattern, s string, exact bool) bool {
	if !exact {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	// path.Match treats / specially and [ as a class; IAM does neither.
	pattern = strings.NewReplacer("[", `\[`, "/", "\x00").Replace(pattern)
	ok, err := path.Match(pattern, strings.ReplaceAll(s, "/", "\x00"))
	return err == nil && ok
}

// allowsAction reports whether the statement's actions cover action.
func (s Statement) allowsAction(action string) bool {
	hit := false
	for _, a := range s.Actions {
		if wildMatch(a, action, false) {
			hit = true
			break
		}
	}
	return hit != s.NotAction
}

// coversResource reports whether the statement applies to arn (no
// Resource, as in key policies' "*" or an omitted one, covers everything).
func (s Statement) coversResource(arn string) bool {
	if len(s.Resources) == 0 {
		return true
	}
	for _, r := range s.Resources {
		if wildMatch(r, arn, true) {
			return true
		}
	}
	return false
}

// hasPrincipal reports whether the statement names principal of type typ
// ("Service", "AWS"), or everyone.
func (s Statement) hasPrincipal(typ string, match func(string) bool) bool {
	if v, ok := s.Principals["*"]; ok && len(v) > 0 && v[0] == "*" {
		return true
	}
	for _, p := range s.Principals["AWS"] {
		if p == "*" {
			return true
		}
	}
	for _, p := range s.Principals[typ] {
		if match(p) {
			return true
		}
	}
	return false
}

// everyone reports whether the statement's principal is anyone at all.
func (s Statement) everyone() bool {
	return s.hasPrincipal("", func(string) bool { return false })
}

// conditionAllows evaluates the statement's conditions for a request that
// carries the given context keys (lower-case names). A condition on a key
// doctor does not know, or with an operator it does not know, is reported
// as unknown rather than guessed.
func (s Statement) conditionAllows(keys map[string]string) (ok bool, unknown string) {
	for op, kv := range s.Conditions {
		base := strings.TrimSuffix(op, "IfExists")
		ifExists := base != op
		if strings.HasPrefix(base, "ForAnyValue:") || strings.HasPrefix(base, "ForAllValues:") {
			base = base[strings.Index(base, ":")+1:]
		}
		for k, vals := range kv {
			have, present := keys[k]
			if !present {
				if ifExists {
					continue
				}
				if base == "Null" {
					if len(vals) > 0 && strings.EqualFold(vals[0], "true") {
						continue
					}
				}
				return false, k // a key doctor does not know the request's value of
			}
			negate := strings.Contains(base, "Not")
			base = strings.Replace(base, "Not", "", 1)
			match := false
			for _, v := range vals {
				switch base {
				case "ArnEquals", "StringEquals":
					match = match || v == have
				case "ArnLike", "StringLike":
					match = match || wildMatch(v, have, true)
				case "StringEqualsIgnoreCase":
					match = match || strings.EqualFold(v, have)
				case "Null":
					match = match || strings.EqualFold(v, "false")
				default:
					return false, op
				}
			}
			if negate {
				match = !match
			}
			if !match {
				return false, ""
			}
		}
	}
	return true, ""
}
