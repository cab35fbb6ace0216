package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/cairn-sec/cairn/deploy"
)

type templateOptions struct {
	opts   deploy.Options
	mode   string
	format string
	scope  string
	trust  string
	outDir string
}

func newTemplateCommand(_ *globals) *cobra.Command {
	o := &templateOptions{}
	cmd := &cobra.Command{
		Use:   "template --mode automated|byob --format cloudformation|terraform",
		Short: "Write the CloudFormation or Terraform that wires CloudTrail to Cairn",
		Long: `Write a CloudFormation template (YAML) or a Terraform configuration (HCL) that
creates what Cairn reads from.

--mode automated creates a multi-region trail with log file validation, a
KMS-encrypted bucket that keeps log files 7 days, an SNS topic, an SQS queue with
a dead-letter queue, and a least-privilege reader. --mode byob uses an existing
bucket (--bucket; --kms-key-arn when it is SSE-KMS; --topic-arn to subscribe to
the trail's topic instead of an S3 event notification); create it in the
bucket's region.

--trust role (AssumeRole with an external ID), oidc (web identity) or user (an
IAM user whose access key goes to Secrets Manager). --scope ou or org makes an
organization trail and a StackSet with a role in every account.

--with vpcflow,resolver,firehose (automated) also sends a VPC's flow logs and
Route 53 Resolver query logs to the same bucket, and creates a Firehose stream
to cairn serve's HTTP endpoint whose access key lives in Secrets Manager.`,
		Args: cobra.NoArgs,
		// Generating a template needs no configuration or store.
		PersistentPreRunE: func(*cobra.Command, []string) error { return nil },
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runTemplate(cmd, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.mode, "mode", "automated", "automated or byob")
	f.StringVar(&o.format, "format", "cloudformation", "cloudformation or terraform")
	f.StringVar(&o.scope, "scope", "account", "account, ou or org")
	f.StringVar(&o.opts.Partition, "partition", "aws", "aws or aws-us-gov")
	f.StringVar(&o.trust, "trust", "role", "how Cairn gets credentials: role, oidc or user")
	f.StringVar(&o.opts.Bucket, "bucket", "", "byob: the existing bucket; automated: name of the bucket to create (default: generated)")
	f.StringVar(&o.opts.KMSKeyARN, "kms-key-arn", "", "byob: key the bucket's objects are encrypted with (omit for SSE-S3)")
	f.StringVar(&o.opts.TopicARN, "topic-arn", "", "byob: subscribe to the trail's existing SNS topic instead of an S3 event notification")
	f.StringVar(&o.opts.TrustedAccount, "trusted-account", "", "role trust: account allowed to assume the reader role (default: a stack parameter)")
	f.StringVar(&o.opts.ExternalID, "external-id", "", "role trust: sts:ExternalId (default: a stack parameter)")
	f.StringVar(&o.opts.OIDCProviderARN, "oidc-provider-arn", "", "oidc trust: ARN of the IAM OIDC provider")
	f.StringVar(&o.opts.OIDCAudience, "oidc-audience", "", "oidc trust: required aud claim")
	f.StringVar(&o.opts.OIDCSubject, "oidc-subject", "", "oidc trust: required sub claim (* wildcards allowed)")
	f.StringSliceVar(&o.opts.With, "with", nil, "automated: also wire vpcflow, resolver and/or firehose (comma-separated)")
	f.StringVarP(&o.outDir, "output", "o", "", "write "+deploy.FileName(deploy.CloudFormation)+" or "+deploy.FileName(deploy.Terraform)+" into this directory instead of stdout")
	return cmd
}

func runTemplate(cmd *cobra.Command, o *templateOptions) error {
	opts := o.opts
	opts.Mode = deploy.Mode(o.mode)
	opts.Format = deploy.Format(o.format)
	opts.Scope = deploy.Scope(o.scope)
	opts.Trust = deploy.Trust(o.trust)
	out, err := deploy.Render(opts)
	if err != nil {
		return usageError("%v", err)
	}
	if o.outDir == "" {
		_, err := cmd.OutOrStdout().Write(out)
		return err
	}
	if err := os.MkdirAll(o.outDir, 0o755); err != nil {
		return err
	}
	path := filepath.Join(o.outDir, deploy.FileName(opts.Format))
	if err := os.WriteFile(path, out, 0o644); err != nil {
		return err
	}
	fmt.Fprintln(cmd.ErrOrStderr(), "wrote", path)
	return nil
}
