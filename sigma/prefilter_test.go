package sigma

import (
	"strings"
	"testing"
)

func TestRuleRequires(t *testing.T) {
	cases := []struct {
		name, rule, field string
		want              []string
		ok                bool
	}{
		{"one name", "sel: {eventSource: iam.amazonaws.com, eventName: CreateUser}\ncondition: sel", "eventName", []string{"createuser"}, true},
		{"source", "sel: {eventSource: iam.amazonaws.com, eventName: CreateUser}\ncondition: sel", "eventSource", []string{"iam.amazonaws.com"}, true},
		{"or of names", "a: {eventName: [StopLogging, DeleteTrail]}\nb: {eventName: UpdateTrail}\ncondition: a or b", "eventName", []string{"stoplogging", "deletetrail", "updatetrail"}, true},
		{"or with an unpinned side", "a: {eventName: StopLogging}\nb: {userIdentity.type: Root}\ncondition: a or b", "eventName", nil, false},
		{"wildcard is not a literal", "a: {eventName: 'Delete*'}\ncondition: a", "eventName", nil, false},
		{"not", "a: {eventName: GetObject}\ncondition: not a", "eventName", nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := "title: t\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  " + strings.ReplaceAll(c.rule, "\n", "\n  ") + "\n"
			r, err := ParseRule([]byte(src))
			if err != nil {
				t.Fatal(err)
			}
			got, ok := r.Requires(c.field)
			if ok != c.ok || strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Fatalf("Requires(%s) = %v %v, want %v %v", c.field, got, ok, c.want, c.ok)
			}
		})
	}
}
