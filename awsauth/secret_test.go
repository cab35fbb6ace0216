package awsauth

import (
	"encoding/json"
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
		var raw struct{ SecretAccessKey any }
		if err != nil && json.Unmarshal([]byte(s), &raw) == nil {
			if sec, ok := raw.SecretAccessKey.(string); ok && len(sec) >= 4 && strings.Contains(err.Error(), sec) {
				t.Fatalf("error quotes the secret: %v", err)
			}
		}
	})
}
