package deploy

// Policy documents, in the neutral value form. Each is least privilege for
// the one resource it guards; conditions pin the calling service to this
// trail, topic or bucket (confused-deputy protection).

func policyDoc(stmts ...Obj) Obj {
	l := make(List, len(stmts))
	for i, s := range stmts {
		l[i] = s
	}
	return obj("Version", "2012-10-17", "Statement", l)
}

func service(name string) Obj { return obj("Service", name) }

// keyPolicy lets the account administer the key (so IAM policies apply),
// CloudTrail encrypt for this account's trails, and the reader decrypt.
func (p *plan) keyPolicy() Obj {
	doc := policyDoc(
		obj("Sid", "EnableAccountAdministration", "Effect", "Allow",
			"Principal", obj("AWS", subRootArn),
			"Action", "kms:*", "Resource", "*"),
		obj("Sid", "AllowCloudTrailEncrypt", "Effect", "Allow",
			"Principal", service("cloudtrail.amazonaws.com"),
			"Action", "kms:GenerateDataKey*", "Resource", "*",
			"Condition", obj(
				"StringEquals", obj("aws:SourceArn", subTrailArn),
				"StringLike", obj("kms:EncryptionContext:aws:cloudtrail:arn", subAnyTrail))),
		obj("Sid", "AllowCloudTrailDescribeKey", "Effect", "Allow",
			"Principal", service("cloudtrail.amazonaws.com"),
			"Action", "kms:DescribeKey", "Resource", "*",
			"Condition", obj("StringEquals", obj("aws:SourceArn", subTrailArn))),
		obj("Sid", "AllowReaderDecrypt", "Effect", "Allow",
			"Principal", obj("AWS", Sub("${ReaderArn}")),
			"Action", "kms:Decrypt", "Resource", "*",
			"Condition", obj("StringLike", obj("kms:EncryptionContext:aws:cloudtrail:arn", subAnyTrail))),
	)
	if p.logDelivery() {
		doc = appendStatements(doc, p.logDeliveryKeyStatement())
	}
	return doc
}

// bucketPolicy lets this trail check the ACL and write, and refuses
// anything over plain HTTP.
func (p *plan) bucketPolicy() Obj {
	doc := policyDoc(
		obj("Sid", "AWSCloudTrailAclCheck", "Effect", "Allow",
			"Principal", service("cloudtrail.amazonaws.com"),
			"Action", "s3:GetBucketAcl", "Resource", subBucketArn,
			"Condition", obj("StringEquals", obj("aws:SourceArn", subTrailArn))),
		obj("Sid", "AWSCloudTrailWrite", "Effect", "Allow",
			"Principal", service("cloudtrail.amazonaws.com"),
			"Action", "s3:PutObject", "Resource", subLogsArn,
			"Condition", obj("StringEquals", obj(
				"s3:x-amz-acl", "bucket-owner-full-control",
				"aws:SourceArn", subTrailArn))),
		obj("Sid", "DenyInsecureTransport", "Effect", "Deny",
			"Principal", "*",
			"Action", "s3:*", "Resource", list(subBucketArn, subObjectsArn),
			"Condition", obj("Bool", obj("aws:SecureTransport", "false"))),
	)
	if p.logDelivery() {
		doc = appendStatements(doc, p.logDeliveryBucketStatements()...)
	}
	return doc
}

// topicPolicy lets only this trail publish.
func (p *plan) topicPolicy() Obj {
	return policyDoc(
		obj("Sid", "AWSCloudTrailSNSPolicy", "Effect", "Allow",
			"Principal", service("cloudtrail.amazonaws.com"),
			"Action", "sns:Publish", "Resource", Sub("${TopicArn}"),
			"Condition", obj("StringEquals", obj("aws:SourceArn", subTrailArn))),
	)
}

// queuePolicy lets only the topic (or, in byob without a topic, only the
// bucket) send to the queue.
func (p *plan) queuePolicy() Obj {
	if p.viaTopic() {
		return policyDoc(
			obj("Sid", "AllowTrailTopic", "Effect", "Allow",
				"Principal", service("sns.amazonaws.com"),
				"Action", "sqs:SendMessage", "Resource", Sub("${QueueArn}"),
				"Condition", obj("ArnEquals", obj("aws:SourceArn", Sub("${TopicArn}")))),
		)
	}
	return policyDoc(
		obj("Sid", "AllowBucketNotifications", "Effect", "Allow",
			"Principal", service("s3.amazonaws.com"),
			"Action", "sqs:SendMessage", "Resource", Sub("${QueueArn}"),
			"Condition", obj(
				"ArnEquals", obj("aws:SourceArn", subBucketArn),
				"StringEquals", obj("aws:SourceAccount", Sub("${AccountId}")))),
	)
}

// readerPolicy is all the collector may do: drain its queue, read log
// objects, list the bucket, and decrypt when there is a key.
func (p *plan) readerPolicy() Obj {
	doc := policyDoc(
		obj("Sid", "ConsumeQueue", "Effect", "Allow",
			"Action", list("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"),
			"Resource", Sub("${QueueArn}")),
		obj("Sid", "ReadLogObjects", "Effect", "Allow",
			"Action", "s3:GetObject", "Resource", subLogsArn),
		obj("Sid", "ListLogBucket", "Effect", "Allow",
			"Action", "s3:ListBucket", "Resource", subBucketArn),
	)
	if p.hasKey() {
		doc = appendStatements(doc, obj("Sid", "DecryptLogObjects", "Effect", "Allow",
			"Action", "kms:Decrypt", "Resource", p.keyArn()))
	}
	return doc
}

// trustPolicy says who may become the reader role.
func (p *plan) trustPolicy() Obj {
	if p.o.Trust == TrustOIDC {
		host := p.o.oidcHost()
		return policyDoc(obj("Sid", "OIDCWebIdentity", "Effect", "Allow",
			"Principal", obj("Federated", p.o.OIDCProviderARN),
			"Action", "sts:AssumeRoleWithWebIdentity",
			"Condition", obj(
				"StringEquals", obj(host+":aud", p.o.OIDCAudience),
				"StringLike", obj(host+":sub", p.o.OIDCSubject))))
	}
	return policyDoc(obj("Sid", "TrustedAccountWithExternalId", "Effect", "Allow",
		"Principal", obj("AWS", Sub("arn:${Partition}:iam::${TrustedAccount}:root")),
		"Action", "sts:AssumeRole",
		"Condition", obj("StringEquals", obj("sts:ExternalId", Sub("${ExternalId}")))))
}

// lambdaTrust lets Lambda run the cleanup function.
func lambdaTrust() Obj {
	return policyDoc(obj("Effect", "Allow",
		"Principal", service("lambda.amazonaws.com"),
		"Action", "sts:AssumeRole"))
}

// cleanupPolicy reaches this bucket only, and its own log group.
func (p *plan) cleanupPolicy() Obj {
	return policyDoc(
		obj("Sid", "ListThisBucket", "Effect", "Allow",
			"Action", list("s3:ListBucket", "s3:ListBucketVersions"),
			"Resource", subBucketArn),
		obj("Sid", "DeleteInThisBucket", "Effect", "Allow",
			"Action", list("s3:DeleteObject", "s3:DeleteObjectVersion"),
			"Resource", subObjectsArn),
		obj("Sid", "OwnLogs", "Effect", "Allow",
			"Action", list("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"),
			"Resource", subCleanLogs),
	)
}
