package deploy

import (
	"fmt"
	"slices"
	"strings"
)

// Extra sources wired to the same bucket (--with): VPC Flow Logs and
// Route 53 Resolver query logs deliver through delivery.logs.amazonaws.com
// to AWSLogs/<account>/..., next to CloudTrail's files; the Firehose stream
// posts records to cairn serve's HTTP endpoint with an access key kept in
// Secrets Manager, and backs up failed records to the bucket.

// Extra source names.
const (
	WithVPCFlow  = "vpcflow"
	WithResolver = "resolver"
	WithFirehose = "firehose"
)

// firehoseURLPattern is what the Firehose stream's endpoint URL must look
// like: cairn serve's Firehose routes (push.PathFirehoseCWLogs,
// push.PathFirehoseRaw), over HTTPS as Firehose requires.
const (
	firehoseURLPattern = `^https://[^/]+/firehose/(cwlogs|raw)([?]format=(lines|json|cloudtrail))?$`
	firehoseURLDesc    = "HTTPS URL of cairn serve's Firehose endpoint: https://HOST/firehose/cwlogs for CloudWatch Logs subscriptions (EKS control-plane logs), or https://HOST/firehose/raw?format=lines|json|cloudtrail."
)

func (o *Options) normalizeWith() error {
	var with []string
	for _, w := range o.With {
		for _, name := range strings.Split(w, ",") {
			name = strings.TrimSpace(name)
			switch name {
			case "":
				continue
			case WithVPCFlow, WithResolver, WithFirehose:
			default:
				return fmt.Errorf("--with %q: want vpcflow, resolver or firehose", name)
			}
			with = append(with, name)
		}
	}
	slices.Sort(with)
	o.With = slices.Compact(with)
	if len(o.With) > 0 && o.Mode != Automated {
		return fmt.Errorf("--with needs --mode automated: log delivery to the bucket needs bucket and key policy statements, and byob does not own those policies")
	}
	return nil
}

func (p *plan) with(name string) bool { return slices.Contains(p.o.With, name) }

// logDelivery reports whether delivery.logs.amazonaws.com writes to the bucket.
func (p *plan) logDelivery() bool { return p.with(WithVPCFlow) || p.with(WithResolver) }

// needsVPC reports whether the template takes a VPC ID.
func (p *plan) needsVPC() bool { return p.logDelivery() }

const (
	subDeliveryArn  = Sub("arn:${Partition}:logs:${Region}:${AccountId}:*")
	subAccountLogs  = Sub("arn:${Partition}:s3:::${Bucket}/AWSLogs/${AccountId}/*")
	subFailedPrefix = "firehose-failed/"
	subFailedArn    = Sub("arn:${Partition}:s3:::${Bucket}/firehose-failed/*")
)

// logDeliveryBucketStatements let the log delivery service write this
// account's flow and query logs.
func (p *plan) logDeliveryBucketStatements() List {
	cond := obj(
		"StringEquals", obj("aws:SourceAccount", Sub("${AccountId}")),
		"ArnLike", obj("aws:SourceArn", subDeliveryArn))
	write := obj(
		"StringEquals", obj(
			"s3:x-amz-acl", "bucket-owner-full-control",
			"aws:SourceAccount", Sub("${AccountId}")),
		"ArnLike", obj("aws:SourceArn", subDeliveryArn))
	return List{
		obj("Sid", "AWSLogDeliveryAclCheck", "Effect", "Allow",
			"Principal", service("delivery.logs.amazonaws.com"),
			"Action", "s3:GetBucketAcl", "Resource", subBucketArn, "Condition", cond),
		obj("Sid", "AWSLogDeliveryWrite", "Effect", "Allow",
			"Principal", service("delivery.logs.amazonaws.com"),
			"Action", "s3:PutObject", "Resource", subAccountLogs, "Condition", write),
	}
}

// logDeliveryKeyStatement lets the log delivery service encrypt with the key.
func (p *plan) logDeliveryKeyStatement() Obj {
	return obj("Sid", "AllowLogDeliveryEncrypt", "Effect", "Allow",
		"Principal", service("delivery.logs.amazonaws.com"),
		"Action", list("kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"),
		"Resource", "*",
		"Condition", obj("StringEquals", obj("aws:SourceAccount", Sub("${AccountId}"))))
}

// firehoseTrust lets Firehose (of this account only) use its role.
func firehoseTrust() Obj {
	return policyDoc(obj("Effect", "Allow",
		"Principal", service("firehose.amazonaws.com"),
		"Action", "sts:AssumeRole",
		"Condition", obj("StringEquals", obj("sts:ExternalId", Sub("${AccountId}")))))
}

// firehosePolicy lets the stream back up failed records under one prefix.
func (p *plan) firehosePolicy() Obj {
	return policyDoc(
		obj("Sid", "BucketLocation", "Effect", "Allow",
			"Action", list("s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"),
			"Resource", subBucketArn),
		obj("Sid", "BackupFailedRecords", "Effect", "Allow",
			"Action", list("s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"),
			"Resource", subFailedArn),
		obj("Sid", "EncryptBackups", "Effect", "Allow",
			"Action", list("kms:GenerateDataKey", "kms:Decrypt"),
			"Resource", Sub("${KeyArn}")),
	)
}

// appendStatements adds statements to a policy document.
func appendStatements(doc Obj, stmts ...any) Obj {
	for i := range doc {
		if doc[i].K == "Statement" {
			doc[i].V = append(doc[i].V.(List), stmts...)
		}
	}
	return doc
}
