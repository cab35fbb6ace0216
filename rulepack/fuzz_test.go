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
