package simulate

import "time"

// Security, secrets and operations calls: KMS, CloudTrail, GuardDuty,
// Config, Secrets Manager, CloudWatch Logs, Systems Manager and Health.
var securityCalls = []*call{
	{svc: "kms", name: "Decrypt", w: 60, read: true, who: whoAny,
		svcs: []string{"secretsmanager.amazonaws.com", "s3.amazonaws.com", "lambda.amazonaws.com", "ssm.amazonaws.com", "rds.amazonaws.com"},
		req: func(c *rc) {
			c.targetKey()
			c.obj()
			c.kstr("encryptionAlgorithm", "SYMMETRIC_DEFAULT")
			c.kobj("encryptionContext")
			if c.invokedBy == "s3.amazonaws.com" || c.chance(40) {
				c.kstr("aws:s3:arn", "arn:aws:s3:::"+pick(c.g, c.a.buckets)+"/"+pick(c.g, objectPrefixes)+c.g.rs(lowerChars, 12))
			} else {
				c.kstr("SecretARN", "arn:aws:secretsmanager:"+c.region+":"+c.a.id+":secret:"+pick(c.g, c.a.secrets))
				c.kstr("SecretVersionId", c.g.uuid())
			}
			c.end()
			c.end()
		},
		res: keyResource},
	{svc: "kms", name: "GenerateDataKey", w: 25, read: true, who: whoAny,
		svcs: []string{"s3.amazonaws.com", "secretsmanager.amazonaws.com", "dynamodb.amazonaws.com", "logs.amazonaws.com"},
		req: func(c *rc) {
			c.obj()
			c.kstr("keyId", c.targetKey())
			c.kstr("keySpec", "AES_256")
			c.kobj("encryptionContext")
			c.kstr("aws:s3:arn", "arn:aws:s3:::"+pick(c.g, c.a.buckets))
			c.end()
			c.end()
		},
		res: keyResource},
	{svc: "kms", name: "ScheduleKeyDeletion", w: 2,
		req: func(c *rc) {
			c.obj()
			c.kstr("keyId", c.targetKey())
			c.kint("pendingWindowInDays", 7)
			c.end()
		},
		resp: func(c *rc) {
			c.obj()
			c.kstr("keyId", c.s1)
			c.ktime("deletionDate", c.t.Add(7*24*time.Hour).Truncate(24*time.Hour), "2006-01-02T15:04:05Z")
			c.kstr("keyState", "PendingDeletion")
			c.kint("pendingWindowInDays", 7)
			c.end()
		},
		res: keyResource},
	{svc: "kms", name: "RotateKey", w: 3, kind: kService, who: whoSvc,
		svcs: []string{"AWS Internal"},
		pre:  func(c *rc) { c.targetKey() },
		res:  keyResource,
		detail: func(c *rc) {
			c.obj()
			c.kstr("keyId", c.s1[len(c.s1)-36:])
			c.end()
		}},

	{svc: "cloudtrail", name: "DescribeTrails", w: 8, read: true,
		req: func(c *rc) {
			c.obj()
			c.karr("trailNameList")
			c.endA()
			c.kbool("includeShadowTrails", true)
			c.end()
		}},
	{svc: "cloudtrail", name: "LookupEvents", w: 6, read: true,
		req: func(c *rc) {
			c.obj()
			c.ktime("startTime", c.t.Add(-24*time.Hour), "Jan 2, 2006, 3:04:05 PM")
			c.ktime("endTime", c.t, "Jan 2, 2006, 3:04:05 PM")
			c.kint("maxResults", 50)
			c.end()
		}},
	{svc: "cloudtrail", name: "StopLogging", w: 2,
		req: func(c *rc) { c.obj(); c.kstr("name", c.trailARN()); c.end() }},
	{svc: "cloudtrail", name: "DeleteTrail", w: 1,
		req: func(c *rc) { c.obj(); c.kstr("name", c.trailARN()); c.end() }},
	{svc: "cloudtrail", name: "PutEventSelectors", w: 2,
		req: func(c *rc) {
			c.obj()
			c.kstr("trailName", c.trailARN())
			eventSelectors(c)
			c.end()
		},
		resp: func(c *rc) {
			c.obj()
			c.kstr("trailARN", c.res)
			eventSelectors(c)
			c.end()
		}},

	{svc: "guardduty", name: "ListDetectors", w: 8, read: true},
	{svc: "guardduty", name: "DeleteDetector", w: 1,
		req: func(c *rc) { c.obj(); c.kstr("detectorId", c.a.detector); c.end() }},
	{svc: "guardduty", name: "CreateIPSet", w: 2,
		req: func(c *rc) {
			c.obj()
			c.kstr("detectorId", c.a.detector)
			c.kstr("name", pick(c.g, []string{"trusted-ips", "office", "allowlist"}))
			c.kstr("format", "TXT")
			c.kstr("location", "https://s3.amazonaws.com/"+pick(c.g, c.a.buckets)+"/ipset.txt")
			c.kbool("activate", true)
			c.kstr("clientToken", c.g.uuid())
			c.end()
		},
		resp: func(c *rc) { c.obj(); c.kstr("ipSetId", c.g.rs(hexDigits, 32)); c.end() }},

	{svc: "config", name: "DescribeConfigurationRecorders", w: 8, read: true,
		req: func(c *rc) { c.obj(); c.end() }},
	{svc: "config", name: "StopConfigurationRecorder", w: 2,
		req: func(c *rc) { c.obj(); c.kstr("configurationRecorderName", "default"); c.end() }},
	{svc: "config", name: "DeleteDeliveryChannel", w: 1,
		req: func(c *rc) { c.obj(); c.kstr("deliveryChannelName", "default"); c.end() }},

	{svc: "secretsmanager", name: "GetSecretValue", w: 25, read: true,
		req: func(c *rc) { c.obj(); c.kstr("secretId", c.targetSecret()); c.end() }},
	{svc: "secretsmanager", name: "ListSecrets", w: 8, read: true},
	{svc: "secretsmanager", name: "CreateSecret", w: 3,
		req: func(c *rc) {
			c.s1 = c.a.env + "/" + pick(c.g, []string{"vendor/api-key", "db/replica-password", "oauth/client-secret"})
			c.obj()
			c.kstr("name", c.s1)
			c.kstr("clientRequestToken", c.g.uuid())
			c.kstr("description", "Managed by Terraform")
			c.end()
		},
		resp: func(c *rc) {
			c.obj()
			c.kstr("arn", "arn:aws:secretsmanager:"+c.region+":"+c.a.id+":secret:"+c.s1+"-"+c.g.rs(alnumChars, 6))
			c.kstr("name", c.s1)
			c.kstr("versionId", c.g.uuid())
			c.end()
		}},

	{svc: "logs", name: "DescribeLogGroups", w: 15, read: true,
		req: func(c *rc) { c.obj(); c.kint("limit", 50); c.end() }},
	{svc: "logs", name: "DeleteLogGroup", w: 2,
		req: func(c *rc) {
			lg := pick(c.g, c.a.logGroups)
			c.nf = "The specified log group does not exist."
			c.obj()
			c.kstr("logGroupName", lg)
			c.end()
		}},

	{svc: "ssm", name: "GetParameter", w: 30, read: true,
		svcs: []string{"cloudformation.amazonaws.com", "ec2.amazonaws.com"},
		req: func(c *rc) {
			p := pick(c.g, c.a.params)
			c.nf = ""
			c.res = "arn:aws:ssm:" + c.region + ":" + c.a.id + ":parameter" + p
			c.obj()
			c.kstr("name", p)
			c.kbool("withDecryption", c.chance(50))
			c.end()
		}},
	{svc: "ssm", name: "DescribeInstanceInformation", w: 15, read: true,
		req: func(c *rc) { c.obj(); c.kint("maxResults", 50); c.end() }},
	{svc: "ssm", name: "SendCommand", w: 4,
		req: func(c *rc) {
			c.obj()
			c.kstrs("instanceIds", c.targetInstance())
			c.kstr("documentName", pick(c.g, []string{"AWS-RunShellScript", "AWS-RunPowerShellScript"}))
			c.kstr("parameters", "HIDDEN_DUE_TO_SECURITY_REASONS")
			c.kbool("interactive", false)
			c.end()
		},
		resp: func(c *rc) {
			c.obj()
			c.kobj("command")
			c.kstr("commandId", c.g.uuid())
			c.kstr("documentName", "AWS-RunShellScript")
			c.kstr("status", "Pending")
			c.ktime("requestedDateTime", c.t, "Jan 2, 2006, 3:04:05 PM")
			c.end()
			c.end()
		}},
	{svc: "ssm", name: "StartSession", w: 4,
		req: func(c *rc) { c.obj(); c.kstr("target", c.targetInstance()); c.end() },
		resp: func(c *rc) {
			c.obj()
			c.kstr("sessionId", c.callerName()+"-"+c.g.rs(hexDigits, 17))
			c.kstr("tokenValue", "Value hidden due to security reasons.")
			c.kstr("streamUrl", "wss://ssmmessages."+c.region+".amazonaws.com/v1/data-channel/"+c.g.rs(hexDigits, 17))
			c.end()
		}},

	{svc: "health", name: "DescribeEventAggregates", w: 6, read: true,
		req: func(c *rc) {
			c.obj()
			c.kstr("aggregateField", "eventTypeCategory")
			c.kobj("filter")
			c.kstrs("eventStatusCodes", "open", "upcoming")
			c.end()
			c.end()
		}},
}

func keyResource(c *rc) { c.resource(c.a.id, "AWS::KMS::Key", c.s1) }

func eventSelectors(c *rc) {
	c.karr("eventSelectors")
	c.obj()
	c.kstr("readWriteType", "All")
	c.kbool("includeManagementEvents", false)
	c.karr("dataResources")
	c.endA()
	c.karr("excludeManagementEventSources")
	c.endA()
	c.end()
	c.endA()
}

// callerName is a short name for the caller, as in SSM session IDs.
func (c *rc) callerName() string {
	if c.u != nil {
		return c.u.name
	}
	return pick(c.g, userNames)
}
