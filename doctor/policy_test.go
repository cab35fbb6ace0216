package doctor

import (
	"strings"
	"testing"
)

func TestParsePolicyForms(t *testing.T) {
	p, err := ParsePolicy(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"sqs:SendMessage",
		"Resource":"arn:aws:sqs:us-east-1:1:q","Condition":{"ArnLike":{"AWS:SourceArn":["arn:aws:sns:*:1:t","x"]},"NumericLessThan":{"n":3}}}}`)
	if err != nil {
		t.Fatal(err)
	}
	s := p.Statements[0]
	if len(p.Statements) != 1 || s.Principals["*"][0] != "*" || s.Actions[0] != "sqs:SendMessage" || s.Resources[0] != "arn:aws:sqs:us-east-1:1:q" ||
		len(s.Conditions["ArnLike"]["aws:sourcearn"]) != 2 || s.Conditions["NumericLessThan"]["n"][0] != "3" {
		t.Fatalf("%+v", s)
	}
	for _, bad := range []string{``, `[]`, `{}`, `{"Statement":[{"Principal":{"AWS":{}}}]}`, `{"Statement":[{"Action":[{}]}]}`, `{"Statement":7}`} {
		if _, err := ParsePolicy(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestEvaluateQueuePolicy(t *testing.T) {
	const q, topic = "arn:aws:sqs:us-east-1:111:q", "arn:aws:sns:us-east-1:111:t"
	stmt := func(s string) string { return `{"Statement":[` + s + `]}` }
	allow := `{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"` + q + `","Condition":{"ArnEquals":{"aws:SourceArn":"` + topic + `"}}}`
	for _, tc := range []struct {
		name, doc                 string
		allowed, denied, everyone bool
		unknown                   string
	}{
		{name: "exact", doc: stmt(allow), allowed: true},
		{name: "service list, action wildcard, ArnLike", doc: stmt(`{"Effect":"Allow","Principal":{"Service":["s3.amazonaws.com","sns.amazonaws.com"]},"Action":"SQS:Send*","Resource":"arn:aws:sqs:*:111:*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:sns:us-east-1:111:*"}}}`), allowed: true},
		{name: "other topic", doc: stmt(strings.Replace(allow, topic, topic+"2", 1))},
		{name: "other action", doc: stmt(strings.Replace(allow, "sqs:SendMessage", "sqs:ReceiveMessage", 1))},
		{name: "other resource", doc: stmt(strings.Replace(allow, `"Resource":"`+q, `"Resource":"`+q+"x", 1))},
		{name: "other service", doc: stmt(strings.Replace(allow, "sns.amazonaws.com", "s3.amazonaws.com", 1))},
		{name: "everyone unconditionally", doc: stmt(`{"Effect":"Allow","Principal":"*","Action":"*"}`), allowed: true, everyone: true},
		{name: "everyone with the source condition", doc: stmt(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sqs:SendMessage","Condition":{"ArnEquals":{"aws:SourceArn":"` + topic + `"}}}`), allowed: true},
		{name: "deny wins", doc: stmt(allow + `,{"Sid":"no","Effect":"Deny","Principal":"*","Action":"sqs:*"}`), allowed: true, denied: true},
		{name: "NotAction", doc: stmt(`{"Effect":"Allow","Principal":"*","NotAction":"sqs:DeleteMessage","Condition":{"StringEquals":{"aws:SourceAccount":"111"}}}`), allowed: true},
		{name: "NotAction excluding send", doc: stmt(`{"Effect":"Allow","Principal":"*","NotAction":"sqs:Send*"}`)},
		{name: "negated condition", doc: stmt(`{"Effect":"Allow","Principal":"*","Action":"sqs:SendMessage","Condition":{"ArnNotEquals":{"aws:SourceArn":["a","` + topic + `"]}}}`)},
		{name: "unknown key", doc: stmt(`{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1"}}}`), allowed: true, unknown: "aws:sourcevpce"},
		{name: "IfExists on an absent key", doc: stmt(`{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Condition":{"StringEqualsIfExists":{"aws:SourceVpce":"vpce-1"}}}`), allowed: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParsePolicy(tc.doc)
			if err != nil {
				t.Fatal(err)
			}
			v := evaluate(p, "sns.amazonaws.com", "sqs:SendMessage", q, map[string]string{"aws:sourcearn": topic, "aws:sourceaccount": "111"})
			if v.denied != tc.denied || (!tc.denied && (v.allowed != tc.allowed || v.everyone != tc.everyone || v.unknown != tc.unknown)) {
				t.Fatalf("%+v", v)
			}
		})
	}
}

func TestKeyPolicyForRole(t *testing.T) {
	r := &run{caller: Caller{Account: "222", ARN: "arn:aws:sts::222:assumed-role/reader/cairn"}}
	for _, tc := range []struct {
		name, principal, action string
		allowed, viaIAM         bool
	}{
		{"role", "arn:aws:iam::222:role/reader", "kms:Decrypt", true, false},
		{"role with a path", "arn:aws:iam::222:role/team/reader", "kms:Decrypt", true, false},
		{"other role", "arn:aws:iam::222:role/writer", "kms:Decrypt", false, false},
		{"same name, other account", "arn:aws:iam::333:role/reader", "kms:Decrypt", false, false},
		{"account root", "arn:aws:iam::222:root", "kms:*", true, true},
		{"bare account", "222", "kms:Decrypt", true, true},
		{"role, other action", "arn:aws:iam::222:role/reader", "kms:Encrypt", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParsePolicy(`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"` + tc.principal + `"},"Action":"` + tc.action + `","Resource":"*"}]}`)
			if err != nil {
				t.Fatal(err)
			}
			if v := r.keyAllows(p, "kms:Decrypt"); v.allowed != tc.allowed || (tc.allowed && v.viaIAM != tc.viaIAM) {
				t.Fatalf("%+v", v)
			}
		})
	}
}

func TestWildMatch(t *testing.T) {
	for _, tc := range []struct {
		p, s  string
		exact bool
		want  bool
	}{
		{"arn:aws:sns:*:1:t", "arn:aws:sns:us-east-1:1:t", true, true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/a/b/c", true, true},
		{"arn:aws:s3:::b/[x]", "arn:aws:s3:::b/[x]", true, true},
		{"sqs:send?essage", "SQS:SendMessage", false, true},
		{"arn:aws:sns:*:1:T", "arn:aws:sns:us-east-1:1:t", true, false},
	} {
		if got := wildMatch(tc.p, tc.s, tc.exact); got != tc.want {
			t.Errorf("wildMatch(%q, %q) = %v", tc.p, tc.s, got)
		}
	}
}

// FuzzParsePolicy: any document parses or fails cleanly, and evaluating a
// parsed one never panics.
func FuzzParsePolicy(f *testing.F) {
	f.Add(`{"Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Condition":{"ArnEquals":{"aws:SourceArn":"a"}}}]}`)
	f.Add(`{"Statement":{"Effect":"Deny","Principal":"*","NotAction":["kms:*"],"Condition":{"NullIfExists":{"k":true}}}}`)
	f.Add(`{"Statement":[{"Principal":{"AWS":["arn:aws:iam::1:root","1"]},"Resource":["*"],"Condition":{"ForAnyValue:StringLike":{"x":["[*"]}}}]}`)
	f.Fuzz(func(t *testing.T, doc string) {
		p, err := ParsePolicy(doc)
		if err != nil {
			return
		}
		evaluate(p, "sns.amazonaws.com", "sqs:SendMessage", "arn:aws:sqs:us-east-1:1:q", map[string]string{"aws:sourcearn": "arn:aws:sns:us-east-1:1:t"})
		r := &run{caller: Caller{Account: "1", ARN: "arn:aws:sts::1:assumed-role/r/s"}}
		r.keyAllows(p, "kms:Decrypt")
	})
}

func BenchmarkQueuePolicy(b *testing.B) {
	doc := `{"Version":"2012-10-17","Statement":[{"Sid":"deliver","Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage",` +
		`"Resource":"arn:aws:sqs:us-east-1:111:q","Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:111:t"}}},` +
		`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111:root"},"Action":"sqs:*","Resource":"arn:aws:sqs:us-east-1:111:q"}]}`
	keys := map[string]string{"aws:sourcearn": "arn:aws:sns:us-east-1:111:t"}
	for b.Loop() {
		p, err := ParsePolicy(doc)
		if err != nil {
			b.Fatal(err)
		}
		if !evaluate(p, "sns.amazonaws.com", "sqs:SendMessage", "arn:aws:sqs:us-east-1:111:q", keys).allowed {
			b.Fatal("not allowed")
		}
	}
}
