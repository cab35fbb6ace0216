package rulepack

import (
	"encoding/json"
	"testing"
)

// FuzzParseCases: any input either parses into cases whose records are
// valid JSON objects, or is refused with an error; it never panics.
func FuzzParseCases(f *testing.F) {
	f.Add([]byte("- name: a\n  match: true\n  event: {eventName: X, n: 1, b: true, z: null}\n"))
	f.Add([]byte("- name: a\n  match: false\n  fires: 0\n  events:\n    - &e {a: 1}\n    - {<<: *e, b: [1, {c: d}]}\n"))
	f.Add([]byte("- name: a\n  match: true\n  event: {a: &x [*x]}\n"))
	f.Add([]byte("a: b"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cases, err := ParseCases(data, "f.tests.yml")
		if err != nil {
			return
		}
		for _, c := range cases {
			for _, ev := range c.Events {
				var obj map[string]any
				if err := json.Unmarshal(ev, &obj); err != nil {
					t.Fatalf("record is not a JSON object: %v\n%s", err, ev)
				}
			}
		}
	})
}

// FuzzNewValues: any rule file either yields new_value specs with at least
// one part, each with at least one non-empty field, or an error; never a
// panic.
func FuzzNewValues(f *testing.F) {
	f.Add([]byte("title: a\ncairn:\n  new_value:\n    fields: [[x.y, z], r]\n    learning: 1h\n    forget: 2h\n"))
	f.Add([]byte("title: a\ncairn:\n  new_value:\n    fields: [a]\n---\ntitle: b\ncairn: {new_value: {fields: [[]]}}\n"))
	f.Add([]byte("cairn: {new_value: {fields: [{a: b}], learning: -1h}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		specs, err := parseNewValues(data, "f.yml")
		if err != nil {
			return
		}
		for _, nv := range specs {
			if len(nv.Fields) == 0 || len(nv.Alternatives) != len(nv.Fields) || nv.Learning < 0 || nv.Forget < 0 {
				t.Fatalf("spec %+v", nv)
			}
			for _, alts := range nv.Alternatives {
				if len(alts) == 0 {
					t.Fatalf("part without fields: %+v", nv)
				}
				for _, a := range alts {
					if a == "" {
						t.Fatalf("empty field: %+v", nv)
					}
				}
			}
		}
	})
}
