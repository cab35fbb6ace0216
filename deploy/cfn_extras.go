package deploy

// CloudFormation resources for --with vpcflow,resolver,firehose. Each
// depends on BucketCleanup, so on deletion it stops writing before the
// bucket is emptied.

func (c *cfnWriter) extraParameters() Obj {
	p := c.p
	var params Obj
	if p.needsVPC() {
		params = append(params, KV{"VpcId", obj("Type", "AWS::EC2::VPC::Id",
			"Description", "VPC whose flow logs and/or DNS query logs go to the bucket.")})
	}
	if p.with(WithFirehose) {
		params = append(params, KV{"FirehoseEndpointUrl", obj("Type", "String",
			"AllowedPattern", firehoseURLPattern,
			"Description", firehoseURLDesc)})
	}
	return params
}

func (c *cfnWriter) extraResources() Obj {
	p := c.p
	deps := KV{"DependsOn", list("TrailBucketPolicy", "BucketCleanup")}
	var r Obj
	if p.with(WithVPCFlow) {
		r = append(r, KV{"VpcFlowLog", res("AWS::EC2::FlowLog", obj(
			"ResourceId", ref("VpcId"), "ResourceType", "VPC", "TrafficType", "ALL",
			"LogDestinationType", "s3", "LogDestination", subBucketArn,
			"MaxAggregationInterval", 600), deps)})
	}
	if p.with(WithResolver) {
		r = append(r,
			KV{"ResolverQueryLogging", res("AWS::Route53Resolver::ResolverQueryLoggingConfig", obj(
				"Name", Sub("${Prefix}-dns-queries"), "DestinationArn", subBucketArn), deps)},
			KV{"ResolverQueryLoggingAssociation", res("AWS::Route53Resolver::ResolverQueryLoggingConfigAssociation", obj(
				"ResolverQueryLogConfigId", getAtt("ResolverQueryLogging.Id"), "ResourceId", ref("VpcId")))})
	}
	if p.with(WithFirehose) {
		r = append(r,
			KV{"FirehoseAccessKey", res("AWS::SecretsManager::Secret", obj(
				"Name", Sub("${Prefix}/firehose-access-key"),
				"Description", "Access key Firehose sends to cairn serve (X-Amz-Firehose-Access-Key).",
				"GenerateSecretString", obj("PasswordLength", 40, "ExcludePunctuation", true)))},
			KV{"FirehoseRole", res("AWS::IAM::Role", obj(
				"AssumeRolePolicyDocument", firehoseTrust(),
				"Policies", list(obj("PolicyName", "backup-failed-records", "PolicyDocument", p.firehosePolicy()))))},
			KV{"FirehoseStream", res("AWS::KinesisFirehose::DeliveryStream", obj(
				"DeliveryStreamName", Sub("${Prefix}-to-cairn"),
				"DeliveryStreamType", "DirectPut",
				"DeliveryStreamEncryptionConfigurationInput", obj("KeyType", "AWS_OWNED_CMK"),
				"HttpEndpointDestinationConfiguration", obj(
					"EndpointConfiguration", obj(
						"Name", "Cairn", "Url", ref("FirehoseEndpointUrl"),
						// A dynamic reference: the key never appears in the template or events.
						"AccessKey", Sub("{{resolve:secretsmanager:${FirehoseSecret}:SecretString}}")),
					"RequestConfiguration", obj("ContentEncoding", "GZIP"),
					"BufferingHints", obj("IntervalInSeconds", 60, "SizeInMBs", 1),
					"RetryOptions", obj("DurationInSeconds", 300),
					"RoleARN", getAtt("FirehoseRole.Arn"),
					"S3BackupMode", "FailedDataOnly",
					"S3Configuration", obj(
						"BucketARN", subBucketArn, "RoleARN", getAtt("FirehoseRole.Arn"),
						"Prefix", subFailedPrefix, "CompressionFormat", "GZIP"))),
				KV{"DependsOn", list("BucketCleanup")})})
	}
	return r
}
