package deploy

import (
	"fmt"
	"strings"
)

// The Terraform resources; the same set as cfn_resources.go, spelled the
// way the AWS provider splits them (bucket settings are separate resources).

func (w *tfWriter) resource(typ, name string, body func()) {
	w.block(fmt.Sprintf("resource %q %q", typ, name), body)
	w.line("")
}

func (w *tfWriter) trailResources() {
	p := w.p
	w.resource("aws_kms_key", "trail", func() {
		w.attr("description", Sub("${Prefix}: encrypts CloudTrail log files"))
		w.attr("customer_master_key_spec", "SYMMETRIC_DEFAULT")
		w.attr("key_usage", "ENCRYPT_DECRYPT")
		w.attr("enable_key_rotation", true)
		w.attr("deletion_window_in_days", 7)
		w.attr("policy", w.jsonencode(p.keyPolicy()))
	})
	w.resource("aws_kms_alias", "trail", func() {
		w.attr("name", Sub("alias/${Prefix}-cloudtrail"))
		w.attr("target_key_id", raw("aws_kms_key.trail.key_id"))
	})
	w.resource("aws_s3_bucket", "trail", func() {
		if p.o.Bucket != "" {
			w.attr("bucket", p.o.Bucket)
		} else {
			w.attr("bucket_prefix", Sub("${Prefix}-cloudtrail-"))
		}
		w.attr("force_destroy", true)
	})
	w.resource("aws_s3_bucket_ownership_controls", "trail", func() {
		w.attr("bucket", raw("aws_s3_bucket.trail.id"))
		w.block("rule", func() { w.attr("object_ownership", "BucketOwnerEnforced") })
	})
	w.resource("aws_s3_bucket_public_access_block", "trail", func() {
		w.attr("bucket", raw("aws_s3_bucket.trail.id"))
		for _, a := range []string{"block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"} {
			w.attr(a, true)
		}
	})
	w.resource("aws_s3_bucket_server_side_encryption_configuration", "trail", func() {
		w.attr("bucket", raw("aws_s3_bucket.trail.id"))
		w.block("rule", func() {
			w.block("apply_server_side_encryption_by_default", func() {
				w.attr("sse_algorithm", "aws:kms")
				w.attr("kms_master_key_id", raw("aws_kms_key.trail.arn"))
			})
			w.attr("bucket_key_enabled", true)
		})
	})
	w.resource("aws_s3_bucket_lifecycle_configuration", "trail", func() {
		w.attr("bucket", raw("aws_s3_bucket.trail.id"))
		w.block("rule", func() {
			w.attr("id", "expire-after-7-days")
			w.attr("status", "Enabled")
			w.line("filter {}")
			w.block("expiration", func() { w.attr("days", 7) })
			w.block("abort_incomplete_multipart_upload", func() { w.attr("days_after_initiation", 1) })
		})
	})
	w.resource("aws_s3_bucket_policy", "trail", func() {
		w.attr("bucket", raw("aws_s3_bucket.trail.id"))
		w.attr("policy", w.jsonencode(p.bucketPolicy()))
		w.attr("depends_on", raw("[aws_s3_bucket_public_access_block.trail]"))
	})
	w.resource("aws_sns_topic", "trail", func() {
		w.attr("name", Sub("${Prefix}-cloudtrail"))
	})
	w.resource("aws_sns_topic_policy", "trail", func() {
		w.attr("arn", raw("aws_sns_topic.trail.arn"))
		w.attr("policy", w.jsonencode(p.topicPolicy()))
	})
	w.resource("aws_cloudtrail", "trail", func() {
		w.attr("name", subTrailName)
		w.attr("s3_bucket_name", raw("aws_s3_bucket.trail.id"))
		w.attr("sns_topic_name", raw("aws_sns_topic.trail.arn"))
		w.attr("kms_key_id", raw("aws_kms_key.trail.arn"))
		w.attr("enable_logging", true)
		w.attr("is_multi_region_trail", true)
		w.attr("include_global_service_events", true)
		w.attr("enable_log_file_validation", true)
		if p.org() {
			w.attr("is_organization_trail", true)
		}
		w.attr("depends_on", raw("[aws_s3_bucket_policy.trail, aws_sns_topic_policy.trail]"))
	})
}

func (w *tfWriter) queueResources() {
	p := w.p
	if !p.automated() {
		w.block(`data "aws_s3_bucket" "logs"`, func() { w.attr("bucket", raw("var.bucket_name")) })
		w.line("")
	}
	w.resource("aws_sqs_queue", "dlq", func() {
		w.attr("name", Sub("${Prefix}-cloudtrail-dlq"))
		w.attr("message_retention_seconds", 1209600)
		w.attr("sqs_managed_sse_enabled", true)
	})
	w.resource("aws_sqs_queue", "queue", func() {
		w.attr("name", Sub("${Prefix}-cloudtrail"))
		w.attr("visibility_timeout_seconds", 300)
		w.attr("message_retention_seconds", 345600)
		w.attr("sqs_managed_sse_enabled", true)
		w.attr("redrive_policy", w.jsonencode(obj("deadLetterTargetArn", Sub("${DLQArn}"), "maxReceiveCount", 5)))
		w.preconditions()
	})
	w.resource("aws_sqs_queue_policy", "queue", func() {
		w.attr("queue_url", raw("aws_sqs_queue.queue.id"))
		w.attr("policy", w.jsonencode(p.queuePolicy()))
	})
	if p.viaTopic() {
		w.comment("raw_message_delivery stays false: Cairn parses the SNS envelope.")
		w.resource("aws_sns_topic_subscription", "queue", func() {
			w.attr("topic_arn", Sub("${TopicArn}"))
			w.attr("protocol", "sqs")
			w.attr("endpoint", raw("aws_sqs_queue.queue.arn"))
			w.attr("raw_message_delivery", false)
		})
		return
	}
	w.comment("Replaces the bucket's whole notification configuration (see the note at the top).")
	w.resource("aws_s3_bucket_notification", "logs", func() {
		w.attr("bucket", raw("var.bucket_name"))
		w.block("queue", func() {
			w.attr("queue_arn", raw("aws_sqs_queue.queue.arn"))
			w.attr("events", []string{"s3:ObjectCreated:*"})
			w.attr("filter_prefix", "AWSLogs/")
		})
		w.attr("depends_on", raw("[aws_sqs_queue_policy.queue]"))
	})
}

func (w *tfWriter) readerResources() {
	p := w.p
	if p.o.Trust == TrustUser {
		w.resource("aws_iam_user", "reader", func() { w.attr("name", subRoleName) })
		w.resource("aws_iam_user_policy", "reader", func() {
			w.attr("name", "cairn-reader")
			w.attr("user", raw("aws_iam_user.reader.name"))
			w.attr("policy", w.jsonencode(p.readerPolicy()))
		})
		w.resource("aws_iam_access_key", "reader", func() { w.attr("user", raw("aws_iam_user.reader.name")) })
		w.resource("aws_secretsmanager_secret", "reader", func() {
			w.attr("name", Sub("${Prefix}/reader-access-key"))
			w.attr("description", "Access key of the Cairn reader user (rotate with cairn rotate-keys).")
		})
		w.resource("aws_secretsmanager_secret_version", "reader", func() {
			w.attr("secret_id", raw("aws_secretsmanager_secret.reader.id"))
			w.attr("secret_string", w.jsonencode(obj("accessKeyId", Sub("${AccessKeyId}"), "secretAccessKey", Sub("${AccessKeySecret}"))))
		})
		return
	}
	w.resource("aws_iam_role", "reader", func() {
		w.attr("name", subRoleName)
		w.attr("max_session_duration", 3600)
		w.attr("assume_role_policy", w.jsonencode(p.trustPolicy()))
	})
	w.resource("aws_iam_role_policy", "reader", func() {
		w.attr("name", "cairn-reader")
		w.attr("role", raw("aws_iam_role.reader.id"))
		w.attr("policy", w.jsonencode(p.readerPolicy()))
	})
}

func (w *tfWriter) stackSet() {
	w.resource("aws_cloudformation_stack_set", "account_reader", func() {
		w.attr("name", Sub("${Prefix}-account-reader"))
		w.attr("description", "Cairn per-account role in every targeted account.")
		w.attr("permission_model", "SERVICE_MANAGED")
		w.attr("capabilities", []string{"CAPABILITY_NAMED_IAM"})
		w.block("auto_deployment", func() {
			w.attr("enabled", true)
			w.attr("retain_stacks_on_account_removal", false)
		})
		w.block("managed_execution", func() { w.attr("active", true) })
		w.attr("parameters", raw(fmt.Sprintf("{\nNamePrefix = var.name_prefix\nReaderPrincipalArn = %s\n}", mustToken(w.p.tok, "ReaderArn").tf)))
		// A heredoc is a template too: escape the member template's ${...}.
		w.line("template_body = <<-EOT")
		for _, l := range strings.Split(strings.TrimRight(memberTemplate, "\n"), "\n") {
			w.line("  %s", strings.ReplaceAll(l, "${", "$${"))
		}
		w.line("EOT")
		w.block("lifecycle", func() { w.attr("ignore_changes", raw("[administration_role_arn]")) })
	})
	w.resource("aws_cloudformation_stack_set_instance", "account_reader", func() {
		w.attr("stack_set_name", raw("aws_cloudformation_stack_set.account_reader.name"))
		w.attr("region", raw("data.aws_region.current.name"))
		w.block("deployment_targets", func() {
			w.attr("organizational_unit_ids", raw("var.organizational_unit_ids"))
		})
	})
}
