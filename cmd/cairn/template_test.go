package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runTemplateCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRootCommand()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(append([]string{"template"}, args...))
	err := root.Execute()
	return out.String(), err
}

func TestTemplateStdout(t *testing.T) {
	out, err := runTemplateCmd(t, "--mode", "automated", "--format", "cloudformation", "--partition", "aws-us-gov", "--trust", "role")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"AWS::CloudTrail::Trail", "IsMultiRegionTrail: true", "${AWS::Partition}", "aws-us-gov"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	tf, err := runTemplateCmd(t, "--mode", "byob", "--bucket", "my-trail-logs", "--format", "terraform", "--trust", "user")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`resource "aws_s3_bucket_notification"`, `resource "aws_iam_access_key"`, "data.aws_partition.current.partition"} {
		if !strings.Contains(tf, want) {
			t.Errorf("terraform lacks %q", want)
		}
	}
	if strings.Contains(tf, "kms:Decrypt") {
		t.Error("SSE-S3 byob grants kms:Decrypt")
	}
}

func TestTemplateWith(t *testing.T) {
	out, err := runTemplateCmd(t, "--with", "vpcflow,resolver", "--with", "firehose")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"AWS::EC2::FlowLog", "AWS::Route53Resolver::ResolverQueryLoggingConfig", "AWS::KinesisFirehose::DeliveryStream", "{{resolve:secretsmanager:"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

func TestTemplateOutputDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	if _, err := runTemplateCmd(t, "--format", "terraform", "-o", dir); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "cairn.tf"))
	if err != nil || !strings.Contains(string(b), `resource "aws_cloudtrail" "trail"`) {
		t.Fatalf("cairn.tf: %v", err)
	}
}

func TestTemplateUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--mode", "byob", "--bucket", "my-trail-logs", "--scope", "org"},
		{"--mode", "byob"},
		{"--format", "pulumi"},
		{"--trust", "oidc"},
	} {
		_, err := runTemplateCmd(t, args...)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != 2 {
			t.Errorf("%v: got %v, want a usage error", args, err)
		}
	}
}
