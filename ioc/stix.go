package ioc

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// stixObject is the part of a STIX 2.1 object that matters here.
type stixObject struct {
	Type         string   `json:"type"`
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	Description  string   `json:"description"`
	Pattern      string   `json:"pattern"`
	PatternType  string   `json:"pattern_type"`
	Labels       []string `json:"labels"`
	ValidUntil   string   `json:"valid_until"`
	Revoked      bool     `json:"revoked"`
	CreatedByRef string   `json:"created_by_ref"`
}

// ParseSTIX reads a STIX 2.1 bundle, one object at a time, and keeps the
// indicators whose patterns it supports (see the package documentation).
func ParseSTIX(r io.Reader, name, file string) (Result, error) {
	var res Result
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '{'); err != nil {
		return res, fmt.Errorf("%s: not a STIX bundle: %w", file, err)
	}
	var typ string
	sawObjects := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return res, fmt.Errorf("%s: %w", file, err)
		}
		key, _ := tok.(string)
		switch key {
		case "type":
			if err := dec.Decode(&typ); err != nil {
				return res, fmt.Errorf("%s: type: %w", file, err)
			}
			if typ != "bundle" {
				return res, fmt.Errorf("%s: type %q: want a STIX bundle", file, typ)
			}
		case "objects":
			sawObjects = true
			if err := readObjects(dec, &res, name, file); err != nil {
				return res, err
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return res, fmt.Errorf("%s: %s: %w", file, key, err)
			}
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return res, fmt.Errorf("%s: %w", file, err)
	}
	if typ != "bundle" || !sawObjects {
		return res, fmt.Errorf("%s: not a STIX bundle (want {\"type\":\"bundle\",\"objects\":[…]})", file)
	}
	return res, nil
}

func expectDelim(dec *json.Decoder, d json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != d {
		return fmt.Errorf("want %q, found %v", d, tok)
	}
	return nil
}

func readObjects(dec *json.Decoder, res *Result, name, file string) error {
	if err := expectDelim(dec, '['); err != nil {
		return fmt.Errorf("%s: objects: %w", file, err)
	}
	for i := 0; dec.More(); i++ {
		var o stixObject
		if err := dec.Decode(&o); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				res.skip(fmt.Errorf("%s: objects[%d]: %w", file, i, err))
				continue
			}
			return fmt.Errorf("%s: objects[%d]: %w", file, i, err)
		}
		if o.Type != "indicator" || o.Revoked {
			continue
		}
		where := fmt.Sprintf("%s: indicator %s", file, o.ID)
		if o.Name != "" {
			where += fmt.Sprintf(" (%s)", o.Name)
		}
		if o.PatternType != "" && o.PatternType != "stix" {
			res.skip(fmt.Errorf("%s: pattern_type %q not supported (only stix)", where, o.PatternType))
			continue
		}
		meta := Indicator{List: name, Source: o.CreatedByRef, Name: o.Name, Description: o.Description, Labels: o.Labels}
		if o.ValidUntil != "" {
			t, err := time.Parse(time.RFC3339Nano, o.ValidUntil)
			if err != nil {
				res.skip(fmt.Errorf("%s: valid_until %q: %w", where, o.ValidUntil, err))
				continue
			}
			meta.ValidUntil = t
		}
		cmps, err := ParsePattern(o.Pattern)
		if err != nil {
			res.skip(fmt.Errorf("%s: %w", where, err))
			continue
		}
		for _, c := range cmps {
			res.add(func() string { return where }, c.Value, c.Type, meta)
		}
	}
	if err := expectDelim(dec, ']'); err != nil {
		return fmt.Errorf("%s: objects: %w", file, err)
	}
	return nil
}

// Comparison is one `path = 'value'` of a pattern, with the indicator type
// its object path maps to ("" = detect).
type Comparison struct {
	Path  string
	Value string
	Type  Type
}

// stixPaths maps the supported object paths to indicator types ("" =
// detect among the types that path can hold).
var stixPaths = map[string]Type{
	"ipv4-addr:value":            "",
	"ipv6-addr:value":            "",
	"domain-name:value":          TypeDomain,
	"url:value":                  TypeURL,
	"user-account:user_id":       "",
	"user-account:account_login": TypeUserName,
	"network-traffic:extensions.'http-request-ext'.request_header.'User-Agent'": TypeUserAgent,
}

// ParsePattern parses a STIX pattern made of `path = 'value'` comparisons
// combined with OR, in one or more observations ([…] OR […]), optionally
// parenthesized. Anything else is refused with an error naming it.
func ParsePattern(p string) ([]Comparison, error) {
	ps := &patternParser{s: p}
	var out []Comparison
	if err := ps.observations(&out, 0); err != nil {
		return nil, fmt.Errorf("pattern %q: %w", p, err)
	}
	if t := ps.next(); t.kind != tokEOF {
		return nil, fmt.Errorf("pattern %q: %s not supported (only = comparisons joined by OR)", p, t)
	}
	for i := range out {
		t, ok := stixPaths[out[i].Path]
		if !ok {
			return nil, fmt.Errorf("pattern %q: object path %s not supported", p, out[i].Path)
		}
		if t == "" {
			t = detectFor(out[i].Path, out[i].Value)
		}
		out[i].Type = t
	}
	return out, nil
}

func detectFor(path, v string) Type {
	switch path {
	case "ipv4-addr:value", "ipv6-addr:value":
		if strings.Contains(v, "/") {
			return TypeCIDR
		}
		if path == "ipv4-addr:value" {
			return TypeIPv4
		}
		return TypeIPv6
	}
	// user-account:user_id: an access key, an ARN, an account, else a name.
	if t, err := Detect(v); err == nil && (t == TypeAccessKeyID || t == TypeARN || t == TypeAccountID) {
		return t
	}
	return TypeUserName
}

const maxPatternDepth = 32

// observations: obs (OR obs)*, where obs is [cmp (OR cmp)*] or ( observations ).
func (ps *patternParser) observations(out *[]Comparison, depth int) error {
	if depth > maxPatternDepth {
		return errors.New("too deeply nested")
	}
	for {
		t := ps.next()
		switch t.kind {
		case tokLBracket:
			if err := ps.comparisons(out); err != nil {
				return err
			}
		case tokLParen:
			if err := ps.observations(out, depth+1); err != nil {
				return err
			}
			if t := ps.next(); t.kind != tokRParen {
				return fmt.Errorf("want ), found %s", t)
			}
		default:
			return fmt.Errorf("want [ or (, found %s", t)
		}
		if !ps.peekWord("OR") {
			return nil
		}
		ps.next()
	}
}

// comparisons: cmp (OR cmp)* ]
func (ps *patternParser) comparisons(out *[]Comparison) error {
	for {
		path := ps.next()
		if path.kind != tokWord {
			return fmt.Errorf("want an object path, found %s", path)
		}
		if strings.EqualFold(path.text, "NOT") {
			return errors.New("NOT not supported (only =)")
		}
		op := ps.next()
		if op.kind != tokEq {
			return fmt.Errorf("comparison %s after %s not supported (only =)", op, path.text)
		}
		val := ps.next()
		if val.kind != tokString {
			return fmt.Errorf("value %s of %s not supported (only a quoted string)", val, path.text)
		}
		*out = append(*out, Comparison{Path: path.text, Value: val.text})
		t := ps.next()
		switch {
		case t.kind == tokRBracket:
			return nil
		case t.kind == tokWord && strings.EqualFold(t.text, "OR"):
		default:
			return fmt.Errorf("%s not supported inside an observation (only OR)", t)
		}
	}
}
