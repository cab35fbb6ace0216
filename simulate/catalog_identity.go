package simulate

import (
	"net/url"
	"strconv"
	"time"
)

// Identity-related calls: IAM, STS, console sign-in, Organizations,
// IAM Identity Center and WorkDocs (directory users).
var identityCalls = []*call{
	{svc: "iam", name: "GetUser", w: 20, read: true, global: true,
		req: func(c *rc) { u := c.targetUser(); c.obj(); c.kstr("userName", u.name); c.end() }},
	{svc: "iam", name: "ListUsers", w: 10, read: true, global: true},
	{svc: "iam", name: "GetRole", w: 12, read: true, global: true,
		req: func(c *rc) { r := c.targetRole(); c.obj(); c.kstr("roleName", r.name); c.end() }},
	{svc: "iam", name: "ListAttachedRolePolicies", w: 12, read: true, global: true,
		req: func(c *rc) { r := c.targetRole(); c.obj(); c.kstr("roleName", r.name); c.end() }},
	{svc: "iam", name: "CreateUser", w: 4, global: true,
		req: func(c *rc) {
			c.s1 = pick(c.g, []string{"svc-", "tmp-", "", "backup-"}) + pick(c.g, userNames) + strconv.Itoa(c.g.r.IntN(100))
			c.res = "arn:aws:iam::" + c.a.id + ":user/" + c.s1
			c.obj()
			c.kstr("userName", c.s1)
			c.end()
		},
		resp: func(c *rc) {
			c.obj()
			c.kobj("user")
			c.kstr("path", "/")
			c.kstr("userName", c.s1)
			c.kstr("userId", "AIDA"+c.a.infix+c.g.rs(b32Chars, 9))
			c.kstr("arn", c.res)
			c.ktime("createDate", c.t, iamDate)
			c.end()
			c.end()
		}},
	{svc: "iam", name: "CreateAccessKey", w: 5, global: true,
		req: func(c *rc) {
			if c.kind == idRoot {
				c.null()
				return
			}
			u := c.targetUser()
			c.obj()
			c.kstr("userName", u.name)
			c.end()
		},
		resp: func(c *rc) {
			c.obj()
			c.kobj("accessKey")
			if c.u != nil {
				c.kstr("userName", c.u.name)
			}
			c.kstr("accessKeyId", "AKIA"+c.a.infix+c.g.rs(b32Chars, 8))
			c.kstr("status", "Active")
			c.ktime("createDate", c.t, iamDate)
			c.end()
			c.end()
		}},
	{svc: "iam", name: "AttachUserPolicy", w: 4, global: true,
		req: func(c *rc) {
			u := c.targetUser()
			c.obj()
			c.kstr("userName", u.name)
			c.kstr("policyArn", pick(c.g, managedPolicies))
			c.end()
		}},
	{svc: "iam", name: "AttachRolePolicy", w: 4, global: true,
		req: func(c *rc) {
			r := c.targetRole()
			c.obj()
			c.kstr("roleName", r.name)
			c.kstr("policyArn", pick(c.g, managedPolicies))
			c.end()
		}},
	{svc: "iam", name: "PutUserPolicy", w: 3, global: true,
		req: func(c *rc) {
			u := c.targetUser()
			c.obj()
			c.kstr("userName", u.name)
			c.kstr("policyName", pick(c.g, []string{"inline-s3-access", "allow-all", "ci-deploy"}))
			c.kstr("policyDocument", c.policyDoc(pick(c.g, []string{"s3:*", "*", "ec2:Describe*"}), "*"))
			c.end()
		}},
	{svc: "iam", name: "CreateRole", w: 4, global: true,
		req: func(c *rc) {
			c.s1 = pick(c.g, []string{"cross-account-audit", "vendor-integration", "ci-runner", "debug-role"}) + "-" + c.g.rs(lowerChars, 4)
			c.res = "arn:aws:iam::" + c.a.id + ":role/" + c.s1
			c.s2 = trustDoc("arn:aws:iam::" + pick(c.g, c.g.external) + ":root")
			c.obj()
			c.kstr("roleName", c.s1)
			c.kstr("assumeRolePolicyDocument", c.s2)
			c.kstr("description", "Managed by Terraform")
			c.end()
		},
		resp: func(c *rc) {
			c.obj()
			c.kobj("role")
			c.kstr("assumeRolePolicyDocument", url.QueryEscape(c.s2))
			c.kstr("arn", c.res)
			c.kstr("roleId", "AROA"+c.a.infix+c.g.rs(b32Chars, 9))
			c.ktime("createDate", c.t, iamDate)
			c.kstr("roleName", c.s1)
			c.kstr("path", "/")
			c.end()
			c.end()
		}},
	{svc: "iam", name: "UpdateAssumeRolePolicy", w: 3, global: true,
		req: func(c *rc) {
			r := c.targetRole()
			principal := "arn:aws:iam::" + pick(c.g, c.g.external) + ":root"
			if c.chance(30) {
				principal = "*"
			}
			c.obj()
			c.kstr("roleName", r.name)
			c.kstr("policyDocument", trustDoc(principal))
			c.end()
		}},
	{svc: "iam", name: "CreateLoginProfile", w: 3, global: true,
		req: func(c *rc) {
			u := c.targetUser()
			c.obj()
			c.kstr("userName", u.name)
			c.kbool("passwordResetRequired", c.chance(50))
			c.end()
		},
		resp: func(c *rc) {
			c.obj()
			c.kobj("loginProfile")
			c.kstr("userName", c.u.name)
			c.ktime("createDate", c.t, iamDate)
			c.kbool("passwordResetRequired", false)
			c.end()
			c.end()
		}},
	{svc: "iam", name: "DeactivateMFADevice", w: 2, global: true,
		req: func(c *rc) {
			u := c.targetUser()
			c.obj()
			c.kstr("userName", u.name)
			c.kstr("serialNumber", "arn:aws:iam::"+c.a.id+":mfa/"+u.name)
			c.end()
		}},
	{svc: "iam", name: "AddUserToGroup", w: 3, global: true,
		req: func(c *rc) {
			u := c.targetUser()
			c.obj()
			c.kstr("groupName", pick(c.g, []string{"Admins", "Developers", "ReadOnly", "Billing"}))
			c.kstr("userName", u.name)
			c.end()
		}},

	{svc: "sts", name: "AssumeRole", w: 50, read: true, who: whoAssume,
		svcs: []string{"ec2.amazonaws.com", "lambda.amazonaws.com", "config.amazonaws.com", "inspector2.amazonaws.com", "ecs-tasks.amazonaws.com"},
		req: func(c *rc) {
			r := c.targetRole()
			c.s1 = pick(c.g, userNames) + "-" + strconv.FormatInt(c.t.Unix(), 10)
			if c.kind == idAWSService {
				c.s1 = c.g.rs(alnumChars, 8) + "-" + c.g.rs(hexDigits, 12)
			}
			c.obj()
			c.kstr("roleArn", r.arn(c.a.id))
			c.kstr("roleSessionName", c.s1)
			c.kint("durationSeconds", 3600)
			c.end()
		},
		resp: func(c *rc) {
			c.obj()
			c.credentials(time.Hour)
			c.assumedRoleUser(c.r, c.s1)
			c.end()
		},
		res: func(c *rc) { c.resource(c.a.id, "AWS::IAM::Role", c.r.arn(c.a.id)) }},
	{svc: "sts", name: "GetCallerIdentity", w: 25, read: true},
	{svc: "sts", name: "GetSessionToken", w: 5, read: true,
		req: func(c *rc) { c.obj(); c.kint("durationSeconds", 43200); c.end() },
		resp: func(c *rc) {
			c.obj()
			c.credentials(12 * time.Hour)
			c.end()
		}},
	{svc: "sts", name: "AssumeRoleWithSAML", w: 14, read: true, who: whoSAML,
		req: func(c *rc) {
			r := c.targetRoleWhere(func(r *role) bool { return r.sess == sessUser })
			c.obj()
			c.kstr("sAMLAssertionID", "_"+c.g.rs(hexDigits, 32))
			c.s2 = pick(c.g, userNames) + "@acme.example"
			c.kstr("roleSessionName", c.s2)
			c.kint("durationSeconds", 3600)
			c.kstr("roleArn", r.arn(c.a.id))
			c.kstr("principalArn", "arn:aws:iam::"+c.a.id+":saml-provider/Okta")
			c.end()
		},
		resp: func(c *rc) {
			c.obj()
			c.kstr("subjectType", "persistent")
			c.kstr("issuer", "http://www.okta.com/exk"+c.g.rs(alnumChars, 17))
			c.credentials(time.Hour)
			c.kstr("nameQualifier", c.a.samlIdP)
			c.assumedRoleUser(c.r, c.s2)
			c.kstr("audience", "https://signin.aws.amazon.com/saml")
			c.end()
		},
		res: func(c *rc) {
			c.resource(c.a.id, "AWS::IAM::Role", c.r.arn(c.a.id))
			c.resource(c.a.id, "AWS::IAM::SAMLProvider", "arn:aws:iam::"+c.a.id+":saml-provider/Okta")
		}},
	{svc: "sts", name: "AssumeRoleWithWebIdentity", w: 14, read: true, who: whoWeb,
		pre: func(c *rc) { c.oidc = c.chance(60) },
		req: func(c *rc) {
			r := c.targetRoleWhere(func(r *role) bool { return r.sess == sessInstance || r.sess == sessSDK })
			c.s2 = "aws-go-sdk-" + strconv.FormatInt(c.t.UnixNano()+c.g.r.Int64N(1e9), 10)
			if c.oidc {
				r, c.s2 = c.a.oidcRole(), "GitHubActions"
				c.r, c.res = r, r.arn(c.a.id)
			}
			c.obj()
			c.kstr("roleArn", r.arn(c.a.id))
			c.kstr("roleSessionName", c.s2)
			c.kint("durationSeconds", 3600)
			c.end()
		},
		resp: func(c *rc) {
			c.obj()
			if c.oidc {
				c.kstr("subjectFromWebIdentityToken", "repo:acme/"+pick(c.g, repoNames)+":ref:refs/heads/main")
			} else {
				c.kstr("subjectFromWebIdentityToken", "system:serviceaccount:"+c.a.env+":app")
			}
			c.credentials(time.Hour)
			if c.oidc {
				c.kstr("provider", "arn:aws:iam::"+c.a.id+":oidc-provider/token.actions.githubusercontent.com")
			} else {
				c.kstr("provider", "arn:aws:iam::"+c.a.id+":oidc-provider/oidc.eks."+c.region+".amazonaws.com/id/"+c.a.eksOIDC)
			}
			c.assumedRoleUser(c.r, c.s2)
			c.kstr("audience", "sts.amazonaws.com")
			c.end()
		},
		res: func(c *rc) { c.resource(c.a.id, "AWS::IAM::Role", c.r.arn(c.a.id)) }},

	{svc: "signin", name: "ConsoleLogin", w: 30, kind: kConsole, who: whoConsole,
		pre: func(c *rc) { c.fail = c.chance(25) },
		resp: func(c *rc) {
			c.obj()
			if c.fail {
				c.kstr("ConsoleLogin", "Failure")
			} else {
				c.kstr("ConsoleLogin", "Success")
			}
			c.end()
		},
		extra: func(c *rc) {
			c.obj()
			c.kstr("LoginTo", "https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_"+c.region+"_"+c.g.rs(hexDigits, 16))
			c.kstr("MobileVersion", "No")
			mfa := c.kind != idAssumedRole && (c.kind == idRoot && c.chance(60) || c.u != nil && c.u.mfa)
			if mfa {
				if !c.fail {
					c.kstr("MFAIdentifier", c.mfaARN())
				}
				c.kstr("MFAUsed", "Yes")
			} else {
				c.kstr("MFAUsed", "No")
			}
			c.end()
		}},
	{svc: "signin", name: "CheckMfa", w: 4, kind: kConsole, who: mkWho(idIAMUser, 1),
		resp: func(c *rc) { c.obj(); c.kstr("CheckMfa", "Success"); c.end() },
		extra: func(c *rc) {
			c.obj()
			c.kstr("MfaType", pick(c.g, []string{"Virtual MFA", "U2F MFA"}))
			c.end()
		}},

	{svc: "organizations", name: "DescribeOrganization", w: 6, read: true, global: true},
	{svc: "organizations", name: "ListAccounts", w: 5, read: true, global: true},
	{svc: "organizations", name: "LeaveOrganization", w: 1, global: true},

	{svc: "sso", name: "ListAccounts", w: 12, read: true, who: whoSSO,
		req: func(c *rc) { c.obj(); c.kint("maxResults", 100); c.end() }},
	{svc: "sso", name: "GetRoleCredentials", w: 14, read: true, who: whoSSO,
		req: func(c *rc) {
			c.obj()
			c.kstr("accountId", c.a.id)
			c.kstr("roleName", pick(c.g, []string{"AdministratorAccess", "ReadOnlyAccess", "PowerUserAccess"}))
			c.end()
		}},
	{svc: "sso", name: "CreateAccountAssignment", w: 3,
		req: func(c *rc) {
			c.s1 = "arn:aws:sso:::permissionSet/" + c.a.ssoInst + "/ps-" + c.g.rs(hexDigits, 16)
			c.obj()
			c.kstr("instanceArn", "arn:aws:sso:::instance/"+c.a.ssoInst)
			c.kstr("targetId", pick(c.g, c.g.accounts))
			c.kstr("targetType", "AWS_ACCOUNT")
			c.kstr("permissionSetArn", c.s1)
			c.kstr("principalType", "USER")
			c.kstr("principalId", pick(c.g, c.a.ssoUsers))
			c.end()
		},
		resp: func(c *rc) {
			c.obj()
			c.kobj("accountAssignmentCreationStatus")
			c.kstr("status", "IN_PROGRESS")
			c.kstr("requestId", c.g.uuid())
			c.kstr("permissionSetArn", c.s1)
			c.end()
			c.end()
		}},

	{svc: "workdocs", name: "DescribeFolderContents", w: 8, read: true, who: whoDir,
		req: func(c *rc) {
			c.obj()
			c.kstr("folderId", c.g.rs(hexDigits, 64))
			c.kint("limit", 50)
			c.end()
		}},
}

// mfaARN returns the MFA device of the signing-in principal.
func (c *rc) mfaARN() string {
	if c.kind == idRoot {
		return "arn:aws:iam::" + c.a.id + ":mfa/root-account-mfa-device"
	}
	if c.u != nil {
		return "arn:aws:iam::" + c.a.id + ":mfa/" + c.u.name
	}
	return "arn:aws:iam::" + c.a.id + ":mfa/device"
}
