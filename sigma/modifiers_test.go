package sigma

import (
	"strings"
	"testing"
)

// mustRule builds a CloudTrail rule around a detection section.
func mustRule(t testing.TB, detection string, opts *Options) *Rule {
	t.Helper()
	r, err := buildRule(detection, opts)
	if err != nil {
		t.Fatalf("rule:\n%s\n%v", detection, err)
	}
	return r
}

func buildRule(detection string, opts *Options) (*Rule, error) {
	src := "title: test\nid: test-rule\nlogsource:\n    product: aws\n    service: cloudtrail\ndetection:\n" + indent(detection)
	rules, errs := Parse([]byte(src), "test.yml", opts)
	if len(errs) > 0 {
		return nil, errs[0]
	}
	return rules[0], nil
}

func indent(s string) string {
	lines := strings.Split(strings.Trim(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "    " + l
	}
	return strings.Join(lines, "\n") + "\n"
}

func mustEvent(t testing.TB, js string) *Event {
	t.Helper()
	e, err := ParseEvent([]byte(js))
	if err != nil {
		t.Fatalf("event %s: %v", js, err)
	}
	return e
}

type matchCase struct {
	name      string
	detection string
	event     string
	want      bool
}

func runMatchCases(t *testing.T, cases []matchCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := mustRule(t, c.detection, &Options{Placeholders: map[string][]string{
				"Admins": {"root", "adm*"}, "Nets": {"10.0.0.0/8"},
			}})
			if got := r.Match(mustEvent(t, c.event)); got != c.want {
				t.Errorf("match = %v, want %v\ncondition: %s\nevent: %s", got, c.want, r.Detection, c.event)
			}
		})
	}
}

const sel = "condition: sel\nsel:\n"

func TestModifiers(t *testing.T) {
	runMatchCases(t, []matchCase{
		// plain equality, case-insensitive, wildcards, escapes
		{"eq", sel + "    eventName: DeleteTrail", `{"eventName":"DeleteTrail"}`, true},
		{"eq-case", sel + "    eventName: deletetrail", `{"eventName":"DeleteTrail"}`, true},
		{"eq-neg", sel + "    eventName: DeleteTrail", `{"eventName":"DeleteTrails"}`, false},
		{"eq-missing", sel + "    eventName: DeleteTrail", `{"other":"DeleteTrail"}`, false},
		{"star", sel + "    eventName: 'Delete*'", `{"eventName":"DeleteTrail"}`, true},
		{"star-mid", sel + "    eventName: 'Del*Tr*l'", `{"eventName":"DeleteTrail"}`, true},
		{"star-neg", sel + "    eventName: 'Delete*'", `{"eventName":"StopLogging"}`, false},
		{"qmark", sel + "    eventName: 'Delete?rail'", `{"eventName":"DeleteTrail"}`, true},
		{"qmark-neg", sel + "    eventName: 'Delete?rail'", `{"eventName":"DeleteTTrail"}`, false},
		{"qmark-utf8", sel + "    f: 'a?c'", `{"f":"aéc"}`, true},
		{"escaped-star", sel + `    f: 'a\*c'`, `{"f":"a*c"}`, true},
		{"escaped-star-neg", sel + `    f: 'a\*c'`, `{"f":"abc"}`, false},
		{"escaped-q", sel + `    f: 'a\?'`, `{"f":"ab"}`, false},
		{"backslash-plain", sel + `    f: 'C:\Windows\x'`, `{"f":"C:\\Windows\\x"}`, true},
		{"backslash-double", sel + `    f: 'C:\\Windows'`, `{"f":"C:\\Windows"}`, true},
		{"backslash-then-wildcard", sel + `    f: 'a\\*'`, `{"f":"a\\bcd"}`, true},
		{"three-backslashes", sel + `    f: 'a\\\*'`, `{"f":"a\\*"}`, true},
		{"three-backslashes-neg", sel + `    f: 'a\\\*'`, `{"f":"a\\b"}`, false},
		{"unicode-fold", sel + "    f: 'ÄBC'", `{"f":"äbc"}`, true},
		{"empty", sel + "    f: ''", `{"f":""}`, true},
		{"empty-neg", sel + "    f: ''", `{"f":"x"}`, false},
		{"empty-missing", sel + "    f: ''", `{}`, false},
		{"null-missing", sel + "    errorCode: null", `{"eventName":"x"}`, true},
		{"null-json-null", sel + "    errorCode: null", `{"errorCode":null}`, true},
		{"null-neg", sel + "    errorCode: null", `{"errorCode":"AccessDenied"}`, false},
		{"null-empty-value", sel + "    errorCode:", `{}`, true},
		{"number", sel + "    n: 4624", `{"n":4624}`, true},
		{"number-float", sel + "    n: 4624", `{"n":4624.0}`, true},
		{"number-string", sel + "    n: 4624", `{"n":"4624"}`, true},
		{"bool", sel + "    requestParameters.enable: 'false'", `{"requestParameters":{"enable":false}}`, true},
		{"bool-neg", sel + "    requestParameters.enable: 'false'", `{"requestParameters":{"enable":true}}`, false},
		{"list-or", sel + "    eventName: [A, B]", `{"eventName":"b"}`, true},
		{"list-or-neg", sel + "    eventName: [A, B]", `{"eventName":"c"}`, false},
		{"map-and", sel + "    a: 1\n    b: 2", `{"a":1,"b":2}`, true},
		{"map-and-neg", sel + "    a: 1\n    b: 2", `{"a":1,"b":3}`, false},
		{"list-of-maps", sel + "    - a: 1\n    - b: 2", `{"a":5,"b":2}`, true},
		{"list-of-maps-neg", sel + "    - a: 1\n    - b: 2", `{"a":5,"b":5}`, false},
		// paths
		{"dotted", sel + "    userIdentity.type: Root", `{"userIdentity":{"type":"Root"}}`, true},
		{"dotted-deep", sel + "    a.b.c: x", `{"a":{"b":{"c":"X"}}}`, true},
		{"dotted-key", sel + "    a.b.c: x", `{"a":{"b.c":"x"}}`, true},
		{"array-path", sel + "    resources.ARN: 'arn:x'", `{"resources":[{"ARN":"arn:y"},{"ARN":"arn:x"}]}`, true},
		{"array-path-neg", sel + "    resources.ARN: 'arn:z'", `{"resources":[{"ARN":"arn:y"},{"ARN":"arn:x"}]}`, false},
		{"array-value", sel + "    tags: b", `{"tags":["a","b"]}`, true},
		{"nested-array", sel + "    a.b: x", `{"a":[[{"b":"x"}]]}`, true},
		{"escaped-key", sel + "    ab: x", `{"a\u0062":"x"}`, true},
		// the top-level key index: dotted, repeated and escaped keys fall
		// back to the scan; a missing key is missing
		{"root-dotted-key", sel + "    a.b: x", `{"z":1,"a.b":"x"}`, true},
		{"root-dotted-key-and-object", sel + "    a.b: x", `{"a":{"b":"y"},"a.b":"x"}`, true},
		{"root-repeated-key", sel + "    a: x", `{"a":"y","a":"x"}`, true},
		{"root-escaped-other-key", sel + "    b: x", `{"\u0061":1,"b":"x"}`, true},
		{"root-missing", sel + "    c: x", `{"a":"x","b":"x"}`, false},
		{"escaped-value", sel + "    f: 'a\"b'", `{"f":"a\"b"}`, true},
		// contains / startswith / endswith
		{"contains", sel + "    userAgent|contains: trufflehog", `{"userAgent":"TruffleHog/3.0"}`, true},
		{"contains-neg", sel + "    userAgent|contains: trufflehog", `{"userAgent":"aws-cli"}`, false},
		{"contains-star", sel + "    errorCode|contains: '*'", `{"errorCode":"AccessDenied"}`, true},
		{"contains-star-null", sel + "    errorCode|contains: '*'", `{"errorCode":null}`, false},
		{"contains-star-missing", sel + "    errorCode|contains: '*'", `{}`, false},
		{"contains-star-array", sel + "    requestParameters.layers|contains: '*'", `{"requestParameters":{"layers":["arn:l"]}}`, true},
		{"contains-star-empty-array", sel + "    requestParameters.layers|contains: '*'", `{"requestParameters":{"layers":[]}}`, false},
		{"contains-object", sel + "    requestParameters|contains: Suspended", `{"requestParameters":{"VersioningConfiguration":{"Status":"Suspended"}}}`, true},
		{"contains-object-key", sel + "    requestParameters|contains: '\"Status\":\"Suspended\"'", `{"requestParameters": {"Status": "Suspended"}}`, true},
		{"contains-object-neg", sel + "    requestParameters|contains: Suspended", `{"requestParameters":{"Status":"Enabled"}}`, false},
		{"contains-embedded-json", sel + "    requestParameters|contains: '\"s3:GetObject\"'", `{"requestParameters":{"policyDocument":"{\"Action\":\"s3:GetObject\"}"}}`, true},
		{"contains-wildcard", sel + "    f|contains: 'a*c'", `{"f":"xxabbbcxx"}`, true},
		{"startswith", sel + "    eventName|startswith: UpdateFunctionConfiguration", `{"eventName":"UpdateFunctionConfiguration20150331v2"}`, true},
		{"startswith-neg", sel + "    eventName|startswith: UpdateFunctionConfiguration", `{"eventName":"GetUpdateFunctionConfiguration"}`, false},
		{"endswith", sel + "    f|endswith: '.exe'", `{"f":"C:\\x\\CMD.EXE"}`, true},
		{"endswith-neg", sel + "    f|endswith: '.exe'", `{"f":"cmd.exe.txt"}`, false},
		{"all", sel + "    f|contains|all: [a, b]", `{"f":"xaxbx"}`, true},
		{"all-neg", sel + "    f|contains|all: [a, b]", `{"f":"xaxx"}`, false},
		{"all-array-elements", sel + "    f|all: [a, b]", `{"f":["a","b"]}`, true},
		{"contains-all-object", sel + `    requestParameters|contains|all:
        - '"arn:aws:s3:::<YOUR-BUCKET-NAME>/*"'
        - '"s3:GetObject"'
        - '"Allow"'`, `{"requestParameters":{"policyDocument":"{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\"],\"Resource\":[\"arn:aws:s3:::<YOUR-BUCKET-NAME>/*\"]}]}"}}`, true},
		// cased
		{"cased", sel + "    f|cased: Abc", `{"f":"Abc"}`, true},
		{"cased-neg", sel + "    f|cased: Abc", `{"f":"abc"}`, false},
		{"cased-contains", sel + "    f|contains|cased: Bc", `{"f":"abc"}`, false},
		// re
		{"re", sel + "    userIdentity.arn|re: '.+:assumed-role/aws:.+'", `{"userIdentity":{"arn":"arn:aws:sts::1:assumed-role/aws:ec2-instance/i-1"}}`, true},
		{"re-neg", sel + "    userIdentity.arn|re: '.+:assumed-role/aws:.+'", `{"userIdentity":{"arn":"arn:aws:iam::1:user/bob"}}`, false},
		{"re-case-sensitive", sel + "    f|re: '^abc$'", `{"f":"ABC"}`, false},
		{"re-i", sel + "    f|re|i: '^abc$'", `{"f":"ABC"}`, true},
		{"re-m", sel + "    f|re|m: '^b$'", `{"f":"a\nb\nc"}`, true},
		{"re-m-neg", sel + "    f|re: '^b$'", `{"f":"a\nb\nc"}`, false},
		{"re-s", sel + "    f|re|s: 'a.b'", `{"f":"a\nb"}`, true},
		{"re-s-neg", sel + "    f|re: 'a.b'", `{"f":"a\nb"}`, false},
		// cidr
		{"cidr4", sel + "    sourceIPAddress|cidr: 10.0.0.0/8", `{"sourceIPAddress":"10.2.3.4"}`, true},
		{"cidr4-neg", sel + "    sourceIPAddress|cidr: 10.0.0.0/8", `{"sourceIPAddress":"11.2.3.4"}`, false},
		{"cidr4-not-ip", sel + "    sourceIPAddress|cidr: 10.0.0.0/8", `{"sourceIPAddress":"AWS Internal"}`, false},
		{"cidr6", sel + "    sourceIPAddress|cidr: '2001:db8::/32'", `{"sourceIPAddress":"2001:db8:1::5"}`, true},
		{"cidr6-neg", sel + "    sourceIPAddress|cidr: '2001:db8::/32'", `{"sourceIPAddress":"2001:db9::5"}`, false},
		{"cidr-list", sel + "    ip|cidr: [192.168.0.0/16, 172.16.0.0/12]", `{"ip":"172.20.1.1"}`, true},
		{"cidr-mapped", sel + "    ip|cidr: 10.0.0.0/8", `{"ip":"::ffff:10.1.1.1"}`, true},
		// exists
		{"exists", sel + "    errorCode|exists: true", `{"errorCode":"X"}`, true},
		{"exists-null", sel + "    errorCode|exists: true", `{"errorCode":null}`, true},
		{"exists-neg", sel + "    errorCode|exists: true", `{}`, false},
		{"exists-false", sel + "    errorCode|exists: false", `{}`, true},
		{"exists-false-neg", sel + "    errorCode|exists: false", `{"errorCode":""}`, false},
		{"exists-object", sel + "    requestParameters|exists: true", `{"requestParameters":{}}`, true},
		// neq
		{"neq", sel + "    userIdentity.type|neq: AssumedRole", `{"userIdentity":{"type":"IAMUser"}}`, true},
		{"neq-neg", sel + "    userIdentity.type|neq: AssumedRole", `{"userIdentity":{"type":"assumedrole"}}`, false},
		{"neq-list", sel + "    t|neq: [a, b]", `{"t":"b"}`, false},
		{"neq-list-pos", sel + "    t|neq: [a, b]", `{"t":"c"}`, true},
		{"neq-null", sel + "    t|neq: null", `{"t":"c"}`, true},
		{"neq-null-neg", sel + "    t|neq: null", `{}`, false},
		// numeric
		{"gt", sel + "    n|gt: 10", `{"n":11}`, true},
		{"gt-neg", sel + "    n|gt: 10", `{"n":10}`, false},
		{"gte", sel + "    n|gte: 10", `{"n":10}`, true},
		{"gte-neg", sel + "    n|gte: 10", `{"n":9.99}`, false},
		{"gt-missing", sel + "    n|gt: 10", `{}`, false},
		{"lt", sel + "    n|lt: 10", `{"n":"9.5"}`, true},
		{"lt-neg", sel + "    n|lt: 10", `{"n":"abc"}`, false},
		{"lte", sel + "    n|lte: 10", `{"n":10}`, true},
		{"lte-neg", sel + "    n|lte: 10", `{"n":10.01}`, false},
		// time parts
		{"hour", sel + "    eventTime|hour: 3", `{"eventTime":"2024-01-02T03:04:05Z"}`, true},
		{"hour-gte", sel + "    eventTime|hour|gte: 22", `{"eventTime":"2024-01-02T23:04:05Z"}`, true},
		{"hour-gte-neg", sel + "    eventTime|hour|gte: 22", `{"eventTime":"2024-01-02T03:04:05Z"}`, false},
		{"year", sel + "    eventTime|year: 2024", `{"eventTime":"2024-01-02T03:04:05Z"}`, true},
		{"month-neg", sel + "    eventTime|month: 2", `{"eventTime":"2024-01-02T03:04:05Z"}`, false},
		// encodings
		{"base64", sel + "    f|base64: 'secret'", `{"f":"c2VjcmV0"}`, true},
		{"base64-contains", sel + "    f|base64|contains: 'secret'", `{"f":"xxc2VjcmV0yy"}`, true},
		{"base64-cased", sel + "    f|base64: 'secret'", `{"f":"C2VJCMV0"}`, false},
		{"base64offset-0", sel + "    f|base64offset|contains: 'http://'", `{"f":"aHR0cDovL2V2aWw="}`, true},
		{"base64offset-1", sel + "    f|base64offset|contains: 'http://'", `{"f":"eGh0dHA6Ly9ldmls"}`, true},
		{"base64offset-2", sel + "    f|base64offset|contains: 'http://'", `{"f":"eHhodHRwOi8vZXZpbA=="}`, true},
		{"base64offset-neg", sel + "    f|base64offset|contains: 'http://'", `{"f":"aHR0cHM6Ly9ldmls"}`, false},
		{"utf16le-base64", sel + "    f|utf16le|base64: 'cmd'", `{"f":"YwBtAGQA"}`, true},
		{"wide-base64offset", sel + "    f|wide|base64offset|contains: 'cmd'", `{"f":"xxYwBtAGQAxx"}`, true},
		{"utf16le-base64-neg", sel + "    f|utf16le|base64: 'cmd'", `{"f":"Y21k"}`, false},
		{"wide-base64offset-neg", sel + "    f|wide|base64offset|contains: 'cmd'", `{"f":"xxY21kxx"}`, false},
		{"utf16be-base64-neg", sel + "    f|utf16be|base64: 'cmd'", `{"f":"YwBtAGQA"}`, false},
		{"utf16-base64-neg", sel + "    f|utf16|base64: 'cmd'", `{"f":"YwBtAGQA"}`, false},
		{"utf16be-base64", sel + "    f|utf16be|base64: 'cmd'", `{"f":"AGMAbQBk"}`, true},
		{"utf16-base64", sel + "    f|utf16|base64: 'cmd'", `{"f":"//5jAG0AZAA="}`, true},
		// windash
		{"windash-dash", sel + "    cmd|windash|contains: ' -enc '", `{"cmd":"powershell /enc abc"}`, true},
		{"windash-endash", sel + "    cmd|windash|contains: ' -enc '", `{"cmd":"powershell –enc abc"}`, true},
		{"windash-neg", sel + "    cmd|windash|contains: ' -enc '", `{"cmd":"powershell enc abc"}`, false},
		// fieldref
		{"fieldref", sel + "    userIdentity.userName|fieldref: requestParameters.userName", `{"userIdentity":{"userName":"bob"},"requestParameters":{"userName":"Bob"}}`, true},
		{"fieldref-neg", sel + "    userIdentity.userName|fieldref: requestParameters.userName", `{"userIdentity":{"userName":"bob"},"requestParameters":{"userName":"alice"}}`, false},
		{"fieldref-missing", sel + "    a|fieldref: b", `{"a":"x"}`, false},
		{"fieldref-endswith", sel + "    userIdentity.arn|fieldref|endswith: requestParameters.userName", `{"userIdentity":{"arn":"arn:aws:iam::1:user/bob"},"requestParameters":{"userName":"bob"}}`, true},
		{"fieldref-neq", sel + "    a|fieldref|neq: b", `{"a":"x","b":"y"}`, true},
		{"fieldref-cased", sel + "    a|fieldref|cased: b", `{"a":"x","b":"X"}`, false},
		// expand
		{"expand", sel + "    user|expand: '%Admins%'", `{"user":"admin2"}`, true},
		{"expand-first", sel + "    user|expand: '%Admins%'", `{"user":"ROOT"}`, true},
		{"expand-neg", sel + "    user|expand: '%Admins%'", `{"user":"bob"}`, false},
		{"expand-escaped", sel + `    user|expand: '\%x%Admins%'`, `{"user":"%xroot"}`, true},
		{"expand-cidr", sel + "    ip|expand|cidr: '%Nets%'", `{"ip":"10.9.8.7"}`, true},
		{"expand-cidr-neg", sel + "    ip|expand|cidr: '%Nets%'", `{"ip":"11.9.8.7"}`, false},
		{"no-expand-literal", sel + "    user: '%Admins%'", `{"user":"%Admins%"}`, true},
		// keywords
		{"keyword", "condition: kw\nkw:\n    - TruffleHog\n    - Pacu", `{"userAgent":"pacu/1.0"}`, true},
		{"keyword-neg", "condition: kw\nkw:\n    - TruffleHog\n    - Pacu", `{"userAgent":"aws-cli"}`, false},
		{"keyword-all", "condition: kw\nkw:\n    '|all':\n        - DeleteTrail\n        - cloudtrail", `{"eventName":"DeleteTrail","eventSource":"cloudtrail.amazonaws.com"}`, true},
		{"keyword-all-neg", "condition: kw\nkw:\n    '|all':\n        - DeleteTrail\n        - guardduty", `{"eventName":"DeleteTrail","eventSource":"cloudtrail.amazonaws.com"}`, false},
		{"keyword-wildcard", "condition: kw\nkw:\n    - 'Delete*Trail'", `{"eventName":"DeleteTrail"}`, true},
		{"keyword-scalar", "condition: kw\nkw: DeleteTrail", `{"eventName":"DeleteTrail"}`, true},
		{"keyword-escaped-json", "condition: kw\nkw:\n    - 'say \"hi\"'", `{"msg":"say \"hi\""}`, true},
		{"keyword-re", "condition: kw\nkw:\n    '|re': 'Delete[A-Z]rail'", `{"eventName":"DeleteTrail"}`, true},
	})
}

// TestModifierErrors: malformed values and modifier chains are refused with
// the line of the problem.
func TestModifierErrors(t *testing.T) {
	for _, c := range []struct{ detection, want string }{
		{sel + "    f|foo: x", `test.yml:9: field "f|foo": unknown modifier "foo"`},
		{sel + "    f|contains|contains: x", `given twice`},
		{sel + "    f|contains|endswith: x", `conflicts`},
		{sel + "    f|re: '('", `test.yml:9: field "f|re": invalid regular expression`},
		{sel + "    f|re|contains: a", `cannot be combined`},
		{sel + "    f|i: a", `must follow re`},
		{sel + "    f|cidr: 10.0.0.0/33", `invalid CIDR`},
		{sel + "    f|gt: abc", `needs a number`},
		{sel + "    f|exists: maybe", `exists needs true or false`},
		{sel + "    f|exists|contains: true", `cannot be combined`},
		{sel + "    f|all: x", `all needs a list`},
		{sel + "    f|contains: null", `null value cannot be used with modifier "contains"`},
		{sel + "    f|base64: 'a*'", `cannot encode a value with wildcards`},
		{sel + "    f|expand: '%Nope%'", `placeholder %Nope% has no configured values`},
		{sel + "    f|expand: '%Nope'", `unterminated placeholder`},
		{sel + "    f|windash: '-a-b-c-d-e-f'", `windash expands to more than`},
		{sel + "    f|: x", `empty modifier`},
		{sel + "    f: {a: b}", `must be a value or a list of values`},
		{sel + "    f: []", `empty list of values`},
		{sel + "    f:\n        - [a]", `must be plain values`},
		{sel + "    a..b: x", `empty path segment`},
		{sel + "    '|exists': true", `needs a field name`},
		{sel + "    f|fieldref: ''", `fieldref needs a field name`},
		{sel + "    f|cidr|contains: 10.0.0.0/8", `cannot be combined with cidr`},
		{sel + "    f|gt|lt: 1", `conflicts`},
	} {
		_, err := buildRule(c.detection, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("detection %q: error %v, want %q", c.detection, err, c.want)
		}
	}
}
