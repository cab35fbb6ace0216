package simulate

import "strconv"

// Infrastructure calls: S3, EC2, Lambda, RDS and DynamoDB.
var infraCalls = []*call{
	{svc: "s3", name: "ListBuckets", w: 15, read: true, s3id: true,
		req:   func(c *rc) { c.obj(); c.kstr("Host", "s3."+c.region+".amazonaws.com"); c.end() },
		extra: s3Extra(0)},
	{svc: "s3", name: "GetBucketAcl", w: 15, read: true, s3id: true,
		req: bucketRequest("acl"), extra: s3Extra(0), res: bucketResource},
	{svc: "s3", name: "PutBucketPolicy", w: 4, s3id: true,
		req: func(c *rc) {
			b := c.targetBucket()
			c.obj()
			c.kobj("bucketPolicy")
			c.kstr("Version", "2012-10-17")
			c.karr("Statement")
			c.obj()
			c.kstr("Sid", pick(c.g, []string{"PublicRead", "CrossAccountRead", "AllowCloudFront"}))
			c.kstr("Effect", "Allow")
			if c.chance(40) {
				c.kstr("Principal", "*")
			} else {
				c.kobj("Principal")
				c.kstr("AWS", "arn:aws:iam::"+pick(c.g, c.g.external)+":root")
				c.end()
			}
			c.kstr("Action", "s3:GetObject")
			c.kstr("Resource", "arn:aws:s3:::"+b+"/*")
			c.end()
			c.endA()
			c.end()
			c.bucketParams(b)
			c.kstr("policy", "")
			c.end()
		},
		extra: s3Extra(420), res: bucketResource},
	{svc: "s3", name: "DeleteBucketPublicAccessBlock", w: 3, s3id: true,
		req: bucketRequest("publicAccessBlock"), extra: s3Extra(0), res: bucketResource},
	{svc: "s3", name: "CreateBucket", w: 3, s3id: true,
		req: func(c *rc) {
			c.s1 = pick(c.g, []string{"acme-tmp-", "acme-export-", "data-share-"}) + c.g.rs(lowerChars, 8)
			c.res = "arn:aws:s3:::" + c.s1
			c.obj()
			c.kobj("CreateBucketConfiguration")
			c.kstr("LocationConstraint", c.region)
			c.kstr("xmlns", "http://s3.amazonaws.com/doc/2006-03-01/")
			c.end()
			c.bucketParams(c.s1)
			c.end()
		},
		extra: s3Extra(153), res: bucketResource},
	{svc: "s3", name: "GetObject", w: 50, read: true, data: true, s3id: true, who: whoData,
		svcs: []string{"cloudtrail.amazonaws.com", "athena.amazonaws.com", "glue.amazonaws.com"},
		req:  s3ObjectRequest, extra: s3Extra(-1), res: objectResources},
	{svc: "s3", name: "PutObject", w: 30, data: true, s3id: true, who: whoData,
		svcs: []string{"cloudtrail.amazonaws.com", "logging.s3.amazonaws.com", "config.amazonaws.com"},
		req:  s3ObjectRequest,
		resp: func(c *rc) {
			c.obj()
			c.kstr("x-amz-server-side-encryption", "AES256")
			c.kstr("x-amz-version-id", c.g.rs(alnumChars+"._", 32))
			c.end()
		},
		extra: s3Extra(-2), res: objectResources},

	{svc: "ec2", name: "DescribeInstances", w: 40, read: true,
		req: func(c *rc) {
			c.obj()
			c.kempty("instancesSet")
			c.kempty("filterSet")
			c.end()
		}},
	{svc: "ec2", name: "DescribeSecurityGroups", w: 25, read: true,
		req: func(c *rc) {
			c.obj()
			c.kempty("securityGroupSet")
			c.kobj("securityGroupIdSet")
			c.karr("items")
			c.obj()
			c.kstr("groupId", pick(c.g, c.a.sgs))
			c.end()
			c.endA()
			c.end()
			c.kempty("filterSet")
			c.end()
		}},
	{svc: "ec2", name: "DescribeVpcs", w: 15, read: true,
		req: func(c *rc) { c.obj(); c.kempty("vpcSet"); c.kempty("filterSet"); c.end() }},
	{svc: "ec2", name: "GetPasswordData", w: 4, read: true,
		req: func(c *rc) { c.obj(); c.kstr("instanceId", c.targetInstance()); c.end() }},
	{svc: "ec2", name: "RunInstances", w: 6, req: runInstancesRequest, resp: runInstancesResponse},
	{svc: "ec2", name: "AuthorizeSecurityGroupIngress", w: 5,
		req: func(c *rc) {
			c.s1 = pick(c.g, c.a.sgs)
			port := pick(c.g, []int64{22, 3389, 443, 5432, 8080})
			cidr := "0.0.0.0/0"
			if c.chance(40) {
				cidr = c.g.publicIPv4() + "/32"
			}
			c.obj()
			c.kstr("groupId", c.s1)
			c.kobj("ipPermissions")
			c.karr("items")
			c.obj()
			c.kstr("ipProtocol", "tcp")
			c.kint("fromPort", port)
			c.kint("toPort", port)
			c.kempty("groups")
			c.kobj("ipRanges")
			c.karr("items")
			c.obj()
			c.kstr("cidrIp", cidr)
			c.end()
			c.endA()
			c.end()
			c.kempty("ipv6Ranges")
			c.kempty("prefixListIds")
			c.end()
			c.endA()
			c.end()
			c.end()
			c.s2, c.s3 = cidr, strconv.FormatInt(port, 10) // for the response
		},
		resp: func(c *rc) {
			port, _ := strconv.ParseInt(c.s3, 10, 64)
			c.obj()
			c.kstr("requestId", c.reqID)
			c.kbool("_return", true)
			c.kobj("securityGroupRuleSet")
			c.karr("items")
			c.obj()
			c.kstr("groupOwnerId", c.a.id)
			c.kstr("groupId", c.s1)
			c.kstr("securityGroupRuleId", "sgr-0"+c.g.rs(hexDigits, 16))
			c.kbool("isEgress", false)
			c.kstr("ipProtocol", "tcp")
			c.kint("fromPort", port)
			c.kint("toPort", port)
			c.kstr("cidrIpv4", c.s2)
			c.end()
			c.endA()
			c.end()
			c.end()
		}},
	{svc: "ec2", name: "ModifySnapshotAttribute", w: 3,
		req: func(c *rc) {
			c.obj()
			c.kstr("snapshotId", pick(c.g, c.a.snapshots))
			c.kobj("createVolumePermission")
			c.kobj("add")
			c.karr("items")
			c.obj()
			c.kstr("userId", pick(c.g, c.g.external))
			c.end()
			c.endA()
			c.end()
			c.end()
			c.kstr("attributeType", "CREATE_VOLUME_PERMISSION")
			c.end()
		},
		resp: ec2Return},
	{svc: "ec2", name: "ModifyInstanceAttribute", w: 3,
		req: func(c *rc) {
			c.obj()
			c.kstr("instanceId", c.targetInstance())
			c.kobj("userData")
			c.kstr("value", "<sensitiveDataRemoved>")
			c.end()
			c.end()
		},
		resp: ec2Return},
	{svc: "ec2", name: "DeleteFlowLogs", w: 2,
		req: func(c *rc) {
			c.obj()
			c.kobj("DeleteFlowLogsRequest")
			c.kobj("FlowLogId")
			c.kint("tag", 1)
			c.kstr("content", "fl-0"+c.g.rs(hexDigits, 16))
			c.end()
			c.end()
			c.end()
		},
		resp: func(c *rc) {
			c.obj()
			c.kobj("DeleteFlowLogsResponse")
			c.kstr("xmlns", "http://ec2.amazonaws.com/doc/2016-11-15/")
			c.kstr("requestId", c.reqID)
			c.kstr("unsuccessful", "")
			c.end()
			c.end()
		}},
	{svc: "ec2", name: "SharedSnapshotVolumeCreated", w: 2, kind: kService, who: whoSvc,
		svcs:   []string{"ec2.amazonaws.com"},
		detail: func(c *rc) { c.obj(); c.kstr("snapshotId", pick(c.g, c.a.snapshots)); c.end() }},

	{svc: "lambda", name: "ListFunctions20150331", w: 15, read: true},
	{svc: "lambda", name: "CreateFunction20150331", w: 4,
		req: func(c *rc) {
			c.s1 = pick(c.g, functionBase) + "-" + c.g.rs(lowerChars, 5)
			c.res = "arn:aws:lambda:" + c.region + ":" + c.a.id + ":function:" + c.s1
			c.obj()
			c.kstr("functionName", c.s1)
			c.kstr("runtime", pick(c.g, []string{"python3.12", "nodejs20.x", "provided.al2023"}))
			c.kstr("role", "arn:aws:iam::"+c.a.id+":role/service-role/lambda-exec-role")
			c.kstr("handler", "index.handler")
			c.kempty("code")
			c.kint("timeout", 30)
			c.kint("memorySize", 256)
			c.kbool("publish", false)
			c.kstr("packageType", "Zip")
			c.kstrs("architectures", "x86_64")
			c.end()
		},
		resp: func(c *rc) {
			c.obj()
			c.kstr("functionName", c.s1)
			c.kstr("functionArn", c.res)
			c.kint("codeSize", int64(1024+c.g.r.IntN(5<<20)))
			c.kstr("state", "Pending")
			c.kstr("lastModified", c.t.Format("2006-01-02T15:04:05.000-0700"))
			c.end()
		}},
	{svc: "lambda", name: "UpdateFunctionCode20150331v2", w: 4,
		req: func(c *rc) {
			c.obj()
			c.kstr("functionName", c.targetFunction())
			c.kbool("publish", true)
			c.kbool("dryRun", false)
			c.end()
		}},
	{svc: "lambda", name: "Invoke", w: 20, data: true, who: whoData,
		svcs: []string{"apigateway.amazonaws.com", "events.amazonaws.com", "sqs.amazonaws.com"},
		req: func(c *rc) {
			c.obj()
			c.kstr("functionName", "arn:aws:lambda:"+c.region+":"+c.a.id+":function:"+c.targetFunction())
			c.end()
		},
		res: func(c *rc) { c.resource(c.a.id, "AWS::Lambda::Function", c.res) }},

	{svc: "rds", name: "DescribeDBInstances", w: 15, read: true},
	{svc: "rds", name: "ModifyDBSnapshotAttribute", w: 2,
		req: func(c *rc) {
			c.s1 = pick(c.g, c.a.dbs) + "-snapshot-" + c.t.Format("2006-01-02")
			c.nf = "DBSnapshot " + c.s1 + " not found."
			c.obj()
			c.kstr("dBSnapshotIdentifier", c.s1)
			c.kstr("attributeName", "restore")
			c.kstrs("valuesToAdd", pick(c.g, []string{"all", pick(c.g, c.g.external)}))
			c.end()
		}},

	{svc: "dynamodb", name: "DescribeTable", w: 12, read: true,
		req: func(c *rc) { c.obj(); c.kstr("tableName", c.targetTable()); c.end() }},
	{svc: "dynamodb", name: "GetItem", w: 25, read: true, data: true, who: whoData,
		req: func(c *rc) {
			c.obj()
			c.kstr("tableName", c.targetTable())
			c.kobj("key")
			c.kstr("pk", "HIDDEN_DUE_TO_SECURITY_REASONS")
			c.end()
			c.kbool("consistentRead", false)
			c.end()
		},
		res: func(c *rc) { c.resource(c.a.id, "AWS::DynamoDB::Table", c.res) }},
}

func bucketResource(c *rc) { c.resource(c.a.id, "AWS::S3::Bucket", "arn:aws:s3:::"+c.s1) }

func objectResources(c *rc) {
	c.resource("", "AWS::S3::Object", c.res)
	c.resource(c.a.id, "AWS::S3::Bucket", "arn:aws:s3:::"+c.s1)
}

var objectPrefixes = []string{"exports/", "uploads/", "backups/", "reports/", "data/raw/"}

func s3ObjectRequest(c *rc) {
	b := c.targetBucket()
	k := pick(c.g, objectPrefixes) + c.t.Format("2006/01/02/") + c.g.rs(lowerChars, 10) +
		pick(c.g, []string{".json.gz", ".parquet", ".csv", ".pdf", ".tar.gz"})
	c.res = "arn:aws:s3:::" + b + "/" + k
	c.obj()
	c.bucketParams(b)
	c.kstr("key", k)
	c.end()
}

// bucketParams writes the bucketName and Host request parameters.
func (c *rc) bucketParams(b string) {
	c.kstr("bucketName", b)
	c.kstr("Host", b+".s3."+c.region+".amazonaws.com")
}

// bucketRequest returns the request builder of a call on a bucket
// subresource, which S3 logs as an empty parameter named after it.
func bucketRequest(subresource string) func(c *rc) {
	return func(c *rc) {
		c.obj()
		c.bucketParams(c.targetBucket())
		c.kstr(subresource, "")
		c.end()
	}
}

// s3Extra returns the additionalEventData builder of S3 calls; in < 0
// means a data event (-1 download, -2 upload) with a random size.
func s3Extra(in int64) func(c *rc) {
	return func(c *rc) {
		var bin, bout int64
		switch in {
		case -1:
			bout = int64(c.g.r.IntN(50 << 20))
		case -2:
			bin = int64(c.g.r.IntN(50 << 20))
		default:
			bin = in
		}
		c.obj()
		c.kstr("SignatureVersion", "SigV4")
		c.kstr("CipherSuite", "TLS_AES_128_GCM_SHA256")
		c.kint("bytesTransferredIn", bin)
		c.kstr("AuthenticationMethod", "AuthHeader")
		c.key("x-amz-id-2")
		c.sep()
		c.b = append(c.b, '"')
		c.b = c.g.appendRS(c.b, alnumChars+"+/", 76)
		c.b = append(c.b, '"')
		c.kint("bytesTransferredOut", bout)
		c.end()
	}
}

func ec2Return(c *rc) {
	c.obj()
	c.kstr("requestId", c.reqID)
	c.kbool("_return", true)
	c.end()
}

func runInstancesRequest(c *rc) {
	c.s1 = "ami-0" + c.g.rs(hexDigits, 16)
	c.s2 = pick(c.g, []string{"t3.micro", "m5.large", "c5.4xlarge", "p3.16xlarge", "t3.medium"})
	c.obj()
	c.kobj("instancesSet")
	c.karr("items")
	c.obj()
	c.kstr("imageId", c.s1)
	c.kint("minCount", 1)
	c.kint("maxCount", 1)
	c.end()
	c.endA()
	c.end()
	c.kstr("instanceType", c.s2)
	c.kempty("blockDeviceMapping")
	c.kstr("subnetId", pick(c.g, c.a.subnets))
	c.kobj("monitoring")
	c.kbool("enabled", false)
	c.end()
	c.kbool("disableApiTermination", false)
	c.kbool("disableApiStop", false)
	c.kstr("clientToken", c.g.uuid())
	c.kobj("iamInstanceProfile")
	c.kstr("name", c.a.env+"-app-instance-profile")
	c.end()
	c.end()
}

func runInstancesResponse(c *rc) {
	g := c.g
	az := c.region + pick(g, []string{"a", "b", "c"})
	ip := "10." + strconv.Itoa(g.r.IntN(256)) + "." + strconv.Itoa(g.r.IntN(256)) + "." + strconv.Itoa(1+g.r.IntN(254))
	c.obj()
	c.kstr("requestId", c.reqID)
	c.kstr("reservationId", "r-0"+g.rs(hexDigits, 16))
	c.kstr("ownerId", c.a.id)
	c.kempty("groupSet")
	c.kobj("instancesSet")
	c.karr("items")
	c.obj()
	c.kstr("instanceId", "i-0"+g.rs(hexDigits, 16))
	c.kstr("imageId", c.s1)
	c.kobj("instanceState")
	c.kint("code", 0)
	c.kstr("name", "pending")
	c.end()
	c.kstr("privateDnsName", "ip-"+replaceDots(ip)+"."+c.region+".compute.internal")
	c.kint("amiLaunchIndex", 0)
	c.kempty("productCodes")
	c.kstr("instanceType", c.s2)
	c.kint("launchTime", c.t.UnixMilli())
	c.kobj("placement")
	c.kstr("availabilityZone", az)
	c.kstr("tenancy", "default")
	c.end()
	c.kobj("monitoring")
	c.kstr("state", "disabled")
	c.end()
	c.kstr("subnetId", pick(g, c.a.subnets))
	c.kstr("vpcId", c.a.vpc)
	c.kstr("privateIpAddress", ip)
	c.kobj("stateReason")
	c.kstr("code", "pending")
	c.kstr("message", "pending")
	c.end()
	c.kstr("architecture", "x86_64")
	c.kstr("rootDeviceType", "ebs")
	c.kstr("rootDeviceName", "/dev/xvda")
	c.kstr("virtualizationType", "hvm")
	c.kstr("clientToken", g.uuid())
	c.kstr("hypervisor", "xen")
	c.kbool("ebsOptimized", false)
	c.kbool("enaSupport", true)
	c.kobj("metadataOptions")
	c.kstr("state", "pending")
	c.kstr("httpTokens", pick(g, []string{"required", "optional"}))
	c.kint("httpPutResponseHopLimit", 2)
	c.kstr("httpEndpoint", "enabled")
	c.end()
	c.end()
	c.endA()
	c.end()
	c.end()
}

func replaceDots(s string) string {
	b := []byte(s)
	for i, ch := range b {
		if ch == '.' {
			b[i] = '-'
		}
	}
	return string(b)
}
