package deploy

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// templateCase is one golden combination.
type templateCase struct {
	name string
	opts Options
}

// exampleOptions fills the flag values a user would pass for the combination.
func exampleOptions(mode Mode, trust Trust, scope Scope, partition string) Options {
	region := "us-east-1"
	if partition == "aws-us-gov" {
		region = "us-gov-west-1"
	}
	o := Options{Mode: mode, Trust: trust, Scope: scope, Partition: partition}
	if mode == BYOB {
		o.Bucket = "example-trail-logs"
		o.KMSKeyARN = fmt.Sprintf("arn:%s:kms:%s:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", partition, region)
	}
	switch trust {
	case TrustRole:
		o.TrustedAccount, o.ExternalID = "111122223333", "cairn-example"
	case TrustOIDC:
		o.OIDCProviderARN = "arn:" + partition + ":iam::123456789012:oidc-provider/token.example.com/cairn"
		o.OIDCAudience, o.OIDCSubject = "cairn", "system:serviceaccount:cairn:collector"
	}
	return o
}

// allCases is every mode × trust × scope × partition that generates; byob
// with ou/org is refused (see Options.Normalize).
func allCases() []templateCase {
	var cases []templateCase
	for _, mode := range []Mode{Automated, BYOB} {
		for _, trust := range []Trust{TrustRole, TrustOIDC, TrustUser} {
			for _, scope := range []Scope{ScopeAccount, ScopeOU, ScopeOrg} {
				for _, part := range []string{"aws", "aws-us-gov"} {
					if mode == BYOB && scope != ScopeAccount {
						continue
					}
					cases = append(cases, templateCase{
						name: fmt.Sprintf("%s-%s-%s-%s", mode, trust, scope, part),
						opts: exampleOptions(mode, trust, scope, part),
					})
				}
			}
		}
	}
	// Two byob variants: SSE-S3 (no key) and the trail's existing topic.
	sse := exampleOptions(BYOB, TrustRole, ScopeAccount, "aws")
	sse.KMSKeyARN = ""
	topic := exampleOptions(BYOB, TrustRole, ScopeAccount, "aws")
	topic.TopicARN = "arn:aws:sns:us-east-1:123456789012:cloudtrail-topic"
	cases = append(cases,
		templateCase{"byob-role-account-aws-sses3", sse},
		templateCase{"byob-role-account-aws-sns", topic})
	// Every extra source, in both partitions.
	for _, part := range []string{"aws", "aws-us-gov"} {
		o := exampleOptions(Automated, TrustRole, ScopeAccount, part)
		o.With = []string{"vpcflow,resolver", "firehose"}
		cases = append(cases, templateCase{"automated-role-account-" + part + "-with-all", o})
	}
	return cases
}

// renderAll renders every case in both formats: file name → content.
func renderAll(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, c := range allCases() {
		for _, f := range []Format{CloudFormation, Terraform} {
			o := c.opts
			o.Format = f
			b, err := Render(o)
			if err != nil {
				t.Fatalf("%s %s: %v", c.name, f, err)
			}
			ext := ".cfn.yaml"
			if f == Terraform {
				ext = ".tf"
			}
			out[c.name+ext] = b
		}
	}
	return out
}

func TestDeployGolden(t *testing.T) {
	files := renderAll(t)
	for name, got := range files {
		path := filepath.Join("testdata", name)
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./deploy -run TestDeployGolden -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the golden file; run go test ./deploy -run TestDeployGolden -update and review the diff", name)
		}
	}
	// No stale golden files.
	entries, _ := os.ReadDir("testdata")
	for _, e := range entries {
		if _, ok := files[e.Name()]; !ok && !*update && (strings.HasSuffix(e.Name(), ".tf") || strings.HasSuffix(e.Name(), ".cfn.yaml")) {
			t.Errorf("stale golden file testdata/%s", e.Name())
		}
	}
}

func TestDeployDeterministic(t *testing.T) {
	a, b := renderAll(t), renderAll(t)
	for k := range a {
		if !bytes.Equal(a[k], b[k]) {
			t.Errorf("%s: two renderings differ", k)
		}
	}
}

func TestDeployPartitionInEveryARN(t *testing.T) {
	for name, b := range renderAll(t) {
		s := string(b)
		// Every ARN is built from the partition: no literal arn:aws: except
		// the flag values (key, topic, OIDC provider) of the aws cases.
		for _, line := range strings.Split(s, "\n") {
			if strings.Contains(line, "arn:aws:") && !strings.Contains(line, "123456789012") {
				t.Errorf("%s: hard-coded partition: %s", name, strings.TrimSpace(line))
			}
		}
		if strings.Contains(name, "aws-us-gov") && strings.Contains(s, "arn:aws:") {
			t.Errorf("%s: commercial ARN in a GovCloud template", name)
		}
	}
}

func TestDeployKMSDecryptOmittedWithoutKey(t *testing.T) {
	files := renderAll(t)
	for _, ext := range []string{".cfn.yaml", ".tf"} {
		if s := string(files["byob-role-account-aws-sses3"+ext]); strings.Contains(s, "kms:") {
			t.Errorf("SSE-S3 %s mentions kms:", ext)
		}
		if s := string(files["byob-role-account-aws"+ext]); !strings.Contains(s, "kms:Decrypt") {
			t.Errorf("SSE-KMS %s lacks kms:Decrypt", ext)
		}
	}
}

func TestDeployOptionErrors(t *testing.T) {
	cases := []struct {
		o    Options
		want string
	}{
		{Options{Mode: BYOB, Scope: ScopeOrg, Bucket: "b-logs"}, "--scope account"},
		{Options{Mode: BYOB}, "needs --bucket"},
		{Options{Mode: "x"}, "--mode"},
		{Options{Partition: "aws-cn"}, "--partition"},
		{Options{Trust: TrustOIDC}, "--oidc-provider-arn"},
		{Options{Mode: BYOB, Bucket: "b-logs", KMSKeyARN: "arn:aws:kms:us-east-1:123456789012:key/abc", Partition: "aws-us-gov"}, "partition aws"},
		{Options{KMSKeyARN: "arn:aws:kms:us-east-1:123456789012:key/abc"}, "automated mode creates its own key"},
		{Options{TrustedAccount: "12"}, "12-digit"},
		{Options{Trust: TrustUser, ExternalID: "abc"}, "--trust role"},
		{Options{With: []string{"vpcflow,ebs"}}, "--with"},
		{Options{Mode: BYOB, Bucket: "b-logs", With: []string{"vpcflow"}}, "--mode automated"},
	}
	for _, c := range cases {
		_, err := Render(c.o)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got %v, want error containing %q", c.o, err, c.want)
		}
	}
	if _, err := Render(Options{}); err != nil {
		t.Errorf("defaults: %v", err)
	}
}
