package awsauth

import (
	"strings"
	"testing"
)

func TestParseKeySecret(t *testing.T) {
	for _, in := range []string{
		`{"AccessKeyId":"AKIA1","SecretAccessKey":"s/1+x"}`,
		`{"accessKeyId":"AKIA1","secretAccessKey":"s/1+x","other":1}`, // the templates' spelling
	} {
		k, err := ParseKeySecret(in)
		if err != nil || k.AccessKeyID != "AKIA1" || k.SecretAccessKey != "s/1+x" {
			t.Errorf("%s: %+v, %v", in, k, err)
		}
	}
	for _, in := range []string{`{"AccessKeyId":"AKIA1"}`, `not json s3cr3t`, `{"AccessKeyId":"","SecretAccessKey":"s3cr3t"}`, `[]`} {
		_, err := ParseKeySecret(in)
		if err == nil {
			t.Errorf("%s: no error", in)
		} else if strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("%s: error quotes the secret: %v", in, err)
		}
	}
}

func FuzzParseKeySecret(f *testing.F) {
	f.Add(`{"AccessKeyId":"AKIA1","SecretAccessKey":"s"}`)
	f.Add(`{"accessKeyId":1}`)
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseKeySecret(s)
		if err == nil && (k.AccessKeyID == "" || k.SecretAccessKey == "") {
			t.Fatalf("accepted an incomplete key: %q", s)
		}
		// Errors are fixed sentences: nothing of the input (the secret)
		// can appear in them.
		if err != nil && err.Error() != `secret is not JSON {"AccessKeyId":…,"SecretAccessKey":…}` &&
			err.Error() != "secret lacks AccessKeyId or SecretAccessKey" {
			t.Fatalf("error depends on the input: %v", err)
		}
	})
}
