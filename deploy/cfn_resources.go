package deploy

// The CloudFormation resources, in dependency order.

func (c *cfnWriter) resources() Obj {
	p := c.p
	r := Obj{}
	if p.automated() {
		r = append(r, c.trailResources()...)
		r = append(r, c.extraResources()...)
	}
	r = append(r, c.queueResources()...)
	r = append(r, c.readerResources()...)
	if p.org() {
		r = append(r, c.stackSet())
	}
	return r
}

func (c *cfnWriter) trailResources() Obj {
	p := c.p
	bucket := obj(
		"BucketEncryption", obj("ServerSideEncryptionConfiguration", list(obj(
			"ServerSideEncryptionByDefault", obj("SSEAlgorithm", "aws:kms", "KMSMasterKeyID", getAtt("TrailKey.Arn")),
			"BucketKeyEnabled", true))),
		"PublicAccessBlockConfiguration", obj(
			"BlockPublicAcls", true, "BlockPublicPolicy", true,
			"IgnorePublicAcls", true, "RestrictPublicBuckets", true),
		"OwnershipControls", obj("Rules", list(obj("ObjectOwnership", "BucketOwnerEnforced"))),
		"LifecycleConfiguration", obj("Rules", list(obj(
			"Id", "expire-after-7-days", "Status", "Enabled", "ExpirationInDays", 7,
			"AbortIncompleteMultipartUpload", obj("DaysAfterInitiation", 1)))),
	)
	if p.o.Bucket != "" {
		bucket = append(Obj{{"BucketName", p.o.Bucket}}, bucket...)
	}
	trail := obj(
		"TrailName", subTrailName,
		"S3BucketName", ref("TrailBucket"),
		"SnsTopicName", ref("TrailTopic"),
		"KMSKeyId", getAtt("TrailKey.Arn"),
		"IsLogging", true,
		"IsMultiRegionTrail", true,
		"IncludeGlobalServiceEvents", true,
		"EnableLogFileValidation", true,
	)
	if p.org() {
		trail = append(trail, KV{"IsOrganizationTrail", true})
	}
	return Obj{
		{"TrailKey", res("AWS::KMS::Key", obj(
			"Description", Sub("${Prefix}: encrypts CloudTrail log files"),
			"KeySpec", "SYMMETRIC_DEFAULT", "KeyUsage", "ENCRYPT_DECRYPT",
			"EnableKeyRotation", true, "PendingWindowInDays", 7,
			"KeyPolicy", p.keyPolicy()))},
		{"TrailKeyAlias", res("AWS::KMS::Alias", obj(
			"AliasName", Sub("alias/${Prefix}-cloudtrail"), "TargetKeyId", ref("TrailKey")))},
		{"TrailBucket", res("AWS::S3::Bucket", bucket)},
		{"TrailBucketPolicy", res("AWS::S3::BucketPolicy", obj(
			"Bucket", ref("TrailBucket"), "PolicyDocument", p.bucketPolicy()))},
		{"BucketCleanupRole", res("AWS::IAM::Role", obj(
			"AssumeRolePolicyDocument", lambdaTrust(),
			"Policies", list(obj("PolicyName", "empty-this-bucket-only", "PolicyDocument", p.cleanupPolicy()))))},
		{"BucketCleanupFunction", res("AWS::Lambda::Function", obj(
			"FunctionName", subCleanName,
			"Description", "Empties this stack's CloudTrail bucket when the stack is deleted.",
			"Runtime", "python3.12", "Handler", "index.handler", "Timeout", 900,
			"Role", getAtt("BucketCleanupRole.Arn"),
			"Environment", obj("Variables", obj("BUCKET", ref("TrailBucket"))),
			"Code", obj("ZipFile", literalBlock(cleanupCode))))},
		{"BucketCleanup", res("Custom::EmptyBucket", obj(
			"ServiceToken", getAtt("BucketCleanupFunction.Arn"),
			"BucketName", ref("TrailBucket")))},
		{"TrailTopic", res("AWS::SNS::Topic", obj("TopicName", Sub("${Prefix}-cloudtrail")))},
		{"TrailTopicPolicy", res("AWS::SNS::TopicPolicy", obj(
			"Topics", list(ref("TrailTopic")), "PolicyDocument", p.topicPolicy()))},
		// The trail depends on the cleanup resource so that, on deletion,
		// the trail stops writing before the bucket is emptied.
		{"Trail", res("AWS::CloudTrail::Trail", trail,
			KV{"DependsOn", list("TrailBucketPolicy", "TrailTopicPolicy", "BucketCleanup")})},
	}
}

func (c *cfnWriter) queueResources() Obj {
	p := c.p
	r := Obj{
		{"DeadLetterQueue", res("AWS::SQS::Queue", obj(
			"QueueName", Sub("${Prefix}-cloudtrail-dlq"),
			"MessageRetentionPeriod", 1209600, "SqsManagedSseEnabled", true))},
		{"Queue", res("AWS::SQS::Queue", obj(
			"QueueName", Sub("${Prefix}-cloudtrail"),
			"VisibilityTimeout", 300, "MessageRetentionPeriod", 345600,
			"SqsManagedSseEnabled", true,
			"RedrivePolicy", obj("deadLetterTargetArn", getAtt("DeadLetterQueue.Arn"), "maxReceiveCount", 5)))},
		{"QueuePolicy", res("AWS::SQS::QueuePolicy", obj(
			"Queues", list(ref("Queue")), "PolicyDocument", p.queuePolicy()))},
	}
	if p.viaTopic() {
		// RawMessageDelivery stays false: Cairn parses the SNS envelope.
		r = append(r, KV{"QueueSubscription", res("AWS::SNS::Subscription", obj(
			"TopicArn", Sub("${TopicArn}"), "Protocol", "sqs",
			"Endpoint", getAtt("Queue.Arn"), "RawMessageDelivery", false))})
	}
	return r
}

func (c *cfnWriter) readerResources() Obj {
	p := c.p
	if p.o.Trust == TrustUser {
		return Obj{
			{"ReaderUser", res("AWS::IAM::User", obj("UserName", subRoleName))},
			{"ReaderPolicy", res("AWS::IAM::Policy", obj(
				"PolicyName", "cairn-reader", "PolicyDocument", p.readerPolicy(),
				"Users", list(ref("ReaderUser"))))},
			{"ReaderAccessKey", res("AWS::IAM::AccessKey", obj(
				"UserName", ref("ReaderUser"), "Status", "Active"))},
			{"ReaderSecret", res("AWS::SecretsManager::Secret", obj(
				"Name", Sub("${Prefix}/reader-access-key"),
				"Description", "Access key of the Cairn reader user (rotate with cairn rotate-keys).",
				"SecretString", Sub(`{"accessKeyId":"${AccessKeyId}","secretAccessKey":"${AccessKeySecret}"}`)))},
		}
	}
	return Obj{
		{"ReaderRole", res("AWS::IAM::Role", obj(
			"RoleName", subRoleName, "MaxSessionDuration", 3600,
			"AssumeRolePolicyDocument", p.trustPolicy()))},
		{"ReaderPolicy", res("AWS::IAM::Policy", obj(
			"PolicyName", "cairn-reader", "PolicyDocument", p.readerPolicy(),
			"Roles", list(ref("ReaderRole"))))},
	}
}

func (c *cfnWriter) stackSet() KV {
	return KV{"AccountReaderStackSet", res("AWS::CloudFormation::StackSet", obj(
		"StackSetName", Sub("${Prefix}-account-reader"),
		"Description", "Cairn per-account role in every targeted account.",
		"PermissionModel", "SERVICE_MANAGED",
		"AutoDeployment", obj("Enabled", true, "RetainStacksOnAccountRemoval", false),
		"ManagedExecution", obj("Active", true),
		"Capabilities", list("CAPABILITY_NAMED_IAM"),
		"Parameters", list(
			obj("ParameterKey", "NamePrefix", "ParameterValue", ref("NamePrefix")),
			obj("ParameterKey", "ReaderPrincipalArn", "ParameterValue", Sub("${ReaderArn}"))),
		"StackInstancesGroup", list(obj(
			"DeploymentTargets", obj("OrganizationalUnitIds", ref("OrganizationalUnitIds")),
			"Regions", list(ref("AWS::Region")))),
		"TemplateBody", literalBlock(memberTemplate)))}
}
