package deploy

import (
	"regexp"
	"strings"
)

// token is one placeholder of a Sub string, as each target spells it.
//
// cfn is either a Ref target ("AWS::Partition", "TrailBucket") or a GetAtt
// "Resource.Attribute"; tf is a Terraform expression.
type token struct {
	cfn string
	tf  string
}

var tokenRE = regexp.MustCompile(`\$\{([A-Za-z0-9]+)\}`)

// tokens returns the placeholders the plan's policies use.
func (p *plan) tokens() map[string]token {
	t := map[string]token{
		"Partition": {"AWS::Partition", "data.aws_partition.current.partition"},
		"AccountId": {"AWS::AccountId", "data.aws_caller_identity.current.account_id"},
		"Region":    {"AWS::Region", "data.aws_region.current.name"},
		"Prefix":    {"NamePrefix", "var.name_prefix"},
		"QueueArn":  {"Queue.Arn", "aws_sqs_queue.queue.arn"},
		"QueueUrl":  {"Queue", "aws_sqs_queue.queue.url"},
		"DLQArn":    {"DeadLetterQueue.Arn", "aws_sqs_queue.dlq.arn"},
	}
	if p.o.Mode == Automated {
		t["Bucket"] = token{"TrailBucket", "aws_s3_bucket.trail.id"}
		t["KeyArn"] = token{"TrailKey.Arn", "aws_kms_key.trail.arn"}
		t["TopicArn"] = token{"TrailTopic", "aws_sns_topic.trail.arn"}
		t["FirehoseSecret"] = token{"FirehoseAccessKey", "aws_secretsmanager_secret.firehose.arn"}
	} else {
		t["Bucket"] = token{"BucketName", "var.bucket_name"}
		t["TopicArn"] = token{"TopicArn", "var.topic_arn"}
	}
	switch p.o.Trust {
	case TrustUser:
		t["ReaderArn"] = token{"ReaderUser.Arn", "aws_iam_user.reader.arn"}
		t["AccessKeyId"] = token{"ReaderAccessKey", "aws_iam_access_key.reader.id"}
		t["AccessKeySecret"] = token{"ReaderAccessKey.SecretAccessKey", "aws_iam_access_key.reader.secret"}
	default:
		t["ReaderArn"] = token{"ReaderRole.Arn", "aws_iam_role.reader.arn"}
	}
	if p.o.Trust == TrustRole {
		t["TrustedAccount"] = token{"TrustedAccountId", "var.trusted_account_id"}
		t["ExternalId"] = token{"ExternalId", "var.external_id"}
	}
	return t
}

// splitSub cuts s into literal text and token names: parts at odd indexes
// are token names.
func splitSub(s string) []string {
	var parts []string
	last := 0
	for _, m := range tokenRE.FindAllStringSubmatchIndex(s, -1) {
		parts = append(parts, s[last:m[0]], s[m[2]:m[3]])
		last = m[1]
	}
	return append(parts, s[last:])
}

// soleToken reports whether s is exactly one placeholder.
func soleToken(s string) (string, bool) {
	p := splitSub(s)
	if len(p) == 3 && p[0] == "" && p[2] == "" {
		return p[1], true
	}
	return "", false
}

// mustToken panics on an unknown token: a programming error caught by the
// golden tests, never by users.
func mustToken(t map[string]token, name string) token {
	v, ok := t[name]
	if !ok {
		panic("deploy: unknown token ${" + name + "}")
	}
	return v
}

// cfnSub renders s as the body of a !Sub.
func cfnSub(t map[string]token, s string) string {
	var b strings.Builder
	for i, part := range splitSub(s) {
		if i%2 == 0 {
			b.WriteString(part)
			continue
		}
		b.WriteString("${" + mustToken(t, part).cfn + "}")
	}
	return b.String()
}
