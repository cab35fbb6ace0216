package deploy

// Terraform resources for --with vpcflow,resolver,firehose.

func (w *tfWriter) extraVariables() {
	p := w.p
	if p.needsVPC() {
		w.variable("vpc_id", "string", "VPC whose flow logs and/or DNS query logs go to the bucket.", nil, nil)
	}
	if p.with(WithFirehose) {
		w.variable("firehose_endpoint_url", "string", firehoseURLDesc, nil, func() {
			w.block("validation", func() {
				w.attr("condition", raw(`can(regex("`+firehoseURLPattern+`", var.firehose_endpoint_url))`))
				w.attr("error_message", "firehose_endpoint_url: https://HOST/firehose/cwlogs or https://HOST/firehose/raw?format=lines|json|cloudtrail.")
			})
		})
		w.variable("firehose_access_key", "string", "Access key Firehose sends to cairn serve (stored in Secrets Manager).", nil, func() {
			w.attr("sensitive", true)
		})
	}
}

func (w *tfWriter) extraResources() {
	p := w.p
	if p.with(WithVPCFlow) {
		w.resource("aws_flow_log", "vpc", func() {
			w.attr("vpc_id", raw("var.vpc_id"))
			w.attr("traffic_type", "ALL")
			w.attr("log_destination_type", "s3")
			w.attr("log_destination", raw("aws_s3_bucket.trail.arn"))
			w.attr("max_aggregation_interval", 600)
			w.attr("depends_on", raw("[aws_s3_bucket_policy.trail]"))
		})
	}
	if p.with(WithResolver) {
		w.resource("aws_route53_resolver_query_log_config", "dns", func() {
			w.attr("name", Sub("${Prefix}-dns-queries"))
			w.attr("destination_arn", raw("aws_s3_bucket.trail.arn"))
			w.attr("depends_on", raw("[aws_s3_bucket_policy.trail]"))
		})
		w.resource("aws_route53_resolver_query_log_config_association", "dns", func() {
			w.attr("resolver_query_log_config_id", raw("aws_route53_resolver_query_log_config.dns.id"))
			w.attr("resource_id", raw("var.vpc_id"))
		})
	}
	if p.with(WithFirehose) {
		w.resource("aws_secretsmanager_secret", "firehose", func() {
			w.attr("name", Sub("${Prefix}/firehose-access-key"))
			w.attr("description", "Access key Firehose sends to cairn serve (X-Amz-Firehose-Access-Key).")
		})
		w.resource("aws_secretsmanager_secret_version", "firehose", func() {
			w.attr("secret_id", raw("aws_secretsmanager_secret.firehose.id"))
			w.attr("secret_string", raw("var.firehose_access_key"))
		})
		w.resource("aws_iam_role", "firehose", func() {
			w.attr("name_prefix", Sub("${Prefix}-firehose-"))
			w.attr("assume_role_policy", w.jsonencode(firehoseTrust()))
		})
		w.resource("aws_iam_role_policy", "firehose", func() {
			w.attr("name", "backup-failed-records")
			w.attr("role", raw("aws_iam_role.firehose.id"))
			w.attr("policy", w.jsonencode(p.firehosePolicy()))
		})
		w.resource("aws_kinesis_firehose_delivery_stream", "cairn", func() {
			w.attr("name", Sub("${Prefix}-to-cairn"))
			w.attr("destination", "http_endpoint")
			w.block("server_side_encryption", func() {
				w.attr("enabled", true)
				w.attr("key_type", "AWS_OWNED_CMK")
			})
			w.block("http_endpoint_configuration", func() {
				w.attr("name", "Cairn")
				w.attr("url", raw("var.firehose_endpoint_url"))
				w.attr("access_key", raw("aws_secretsmanager_secret_version.firehose.secret_string"))
				w.attr("buffering_interval", 60)
				w.attr("buffering_size", 1)
				w.attr("retry_duration", 300)
				w.attr("role_arn", raw("aws_iam_role.firehose.arn"))
				w.attr("s3_backup_mode", "FailedDataOnly")
				w.block("request_configuration", func() { w.attr("content_encoding", "GZIP") })
				w.block("s3_configuration", func() {
					w.attr("role_arn", raw("aws_iam_role.firehose.arn"))
					w.attr("bucket_arn", raw("aws_s3_bucket.trail.arn"))
					w.attr("prefix", subFailedPrefix)
					w.attr("compression_format", "GZIP")
				})
			})
		})
	}
}
