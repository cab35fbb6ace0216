package watch

import "testing"

func TestOwns(t *testing.T) {
	s := Spec{Configured: map[string]bool{"arn:aws:sns:us-east-1:1:team-topic": true}}
	for name, want := range map[string]bool{
		"cairn-trail": true, "arn:aws:sns:us-east-1:1:cairn-cloudtrail": true,
		"https://sqs.us-east-1.amazonaws.com/1/cairn-cloudtrail": true,
		"arn:aws:sns:us-east-1:1:team-topic":                     true, // configured
		"arn:aws:sns:us-east-1:1:security-topic":                 false,
		"cairntrail":                                             false, "my-cairn-trail": false, "": false,
	} {
		if got := s.Owns(name); got != want {
			t.Errorf("Owns(%q) = %v, want %v", name, got, want)
		}
	}
	if !(Spec{Prefix: "acme"}).Owns("acme-trail") || (Spec{Prefix: "acme"}).Owns("cairn-trail") {
		t.Error("name_prefix not honoured")
	}
}
