package simulate

import (
	"strconv"
	"time"
)

// identity writes the userIdentity object for c.kind and sets the
// caller's ARN, source IP address and user agent.
func (c *rc) identity() {
	g, a := c.g, c.a
	c.tool = -1
	switch c.kind {
	case idIAMUser:
		c.iamUser()
	case idAssumedRole:
		c.assumedRole()
	case idRoot:
		c.arn = "arn:aws:iam::" + a.id + ":root"
		c.ip = a.rootIP
		c.obj()
		c.kstr("type", "Root")
		c.kstr("principalId", a.id)
		c.kstr("arn", c.arn)
		c.kstr("accountId", a.id)
		if c.c.kind == kConsole {
			c.kstr("accessKeyId", "")
			c.end()
			c.ua = pick(g, browsers)
			if c.fail && c.chance(70) {
				c.ip = pick(g, g.attack)
			}
			return
		}
		c.console = true
		c.kstr("accessKeyId", c.sessionKey())
		c.sessionContext(nil, c.chance(70), false)
		c.end()
		c.tool = toolConsole
	case idRole:
		r := c.pickRole()
		c.arn = r.arn(a.id)
		c.obj()
		c.kstr("type", "Role")
		c.kstr("principalId", r.id)
		c.kstr("arn", c.arn)
		c.kstr("accountId", a.id)
		c.kstr("userName", r.name)
		c.end()
		c.ip, c.tool = pick(g, g.others), r.tool
	case idFederatedUser:
		u := pick(g, a.users)
		name := u.name + "-federated"
		c.arn = "arn:aws:sts::" + a.id + ":federated-user/" + name
		c.obj()
		c.kstr("type", "FederatedUser")
		c.kstr("principalId", a.id+":"+name)
		c.kstr("arn", c.arn)
		c.kstr("accountId", a.id)
		c.kstr("accessKeyId", c.sessionKey())
		c.sessionContext(&issuer{"IAMUser", u.id, "arn:aws:iam::" + a.id + ":user/" + u.name, u.name, false}, false, false)
		c.end()
		c.ip, c.tool = u.ip, toolBoto3
	case idAWSAccount:
		c.ext = pick(g, g.external)
		c.obj()
		c.kstr("type", "AWSAccount")
		if c.chance(50) {
			c.kstr("principalId", "AIDA"+g.rs(b32Chars, 17))
		} else {
			c.kstr("principalId", "AROA"+g.rs(b32Chars, 17)+":"+pick(g, userNames))
		}
		c.kstr("accountId", c.ext)
		c.end()
		c.ip, c.tool = pick(g, g.others), pick(g, []int{toolBoto3, toolGoV2, toolJava, toolCLI})
	case idAWSService, idNone:
		c.obj()
		if c.kind == idAWSService {
			c.kstr("type", "AWSService")
		} else {
			c.kstr("accountId", a.id)
		}
		c.kstr("invokedBy", c.invokedBy)
		c.end()
		c.ip, c.ua = c.invokedBy, c.invokedBy
		return
	case idSAMLUser:
		name := pick(g, userNames) + "@acme.example"
		c.obj()
		c.kstr("type", "SAMLUser")
		c.kstr("principalId", a.samlIdP+":"+name)
		c.kstr("userName", name)
		c.kstr("identityProvider", a.samlIdP)
		c.end()
		c.ip, c.tool = pick(g, a.users).ip, pick(g, []int{toolCLI, toolBoto3, toolJava})
	case idWebIdentityUser:
		c.webIdentityUser()
	case idIdentityCenterUser:
		c.obj()
		c.kstr("type", "IdentityCenterUser")
		c.kstr("accountId", a.id)
		c.kobj("onBehalfOf")
		c.kstr("userId", pick(g, a.ssoUsers))
		c.kstr("identityStoreArn", "arn:aws:identitystore::"+a.id+":identitystore/"+a.storeID)
		c.end()
		c.kstr("credentialId", g.rs(alnumChars+"-_", 64))
		c.end()
		c.ip = pick(g, a.users).ip
		if c.chance(50) {
			c.ua = pick(g, browsers)
			return
		}
		c.tool = toolCLI
	case idDirectory:
		c.obj()
		c.kstr("type", "Directory")
		c.kstr("principalId", "S-1-5-21-"+strconv.Itoa(1000000000+g.r.IntN(999999999))+"-"+
			strconv.Itoa(1000000000+g.r.IntN(999999999))+"-"+strconv.Itoa(1000+g.r.IntN(9000)))
		c.kstr("accountId", a.id)
		c.kstr("userName", pick(g, userNames))
		c.end()
		c.ip, c.ua = pick(g, a.users).ip, pick(g, browsers)
		return
	case idUnknown:
		u := pick(g, userNames)
		c.obj()
		c.kstr("type", "Unknown")
		c.kstr("principalId", pick(g, a.ssoUsers))
		c.kstr("accountId", a.id)
		c.kstr("userName", u)
		c.end()
		c.ip, c.ua = pick(g, a.users).ip, pick(g, browsers)
		return
	}
	c.agent()
}

// agent sets the user agent from the caller's tool.
func (c *rc) agent() {
	g := c.g
	if c.ua != "" {
		return
	}
	if c.tool < 0 {
		c.tool = toolCLI
	}
	if c.tool != toolConsole && g.r.IntN(100) < 2 {
		c.ua, c.ip = pick(g, offensiveAgents), pick(g, g.attack)
		return
	}
	c.ua = pick(g, userAgents[c.tool])
	if c.tool == toolConsole {
		switch {
		case c.c.svc == "s3":
			c.ua = s3ConsoleAgent
		case c.ua == "AWS Internal":
			c.ip = "AWS Internal"
		}
		return
	}
	if c.c.svc == "s3" {
		c.ua = "[" + c.ua + "]"
	}
}

func (c *rc) iamUser() {
	g, a := c.g, c.a
	u := pick(g, a.users)
	c.arn = "arn:aws:iam::" + a.id + ":user/" + u.name
	c.ip, c.tool = u.ip, u.tool
	c.obj()
	c.kstr("type", "IAMUser")
	if c.c.kind == kConsole {
		switch {
		case c.fail && c.chance(30):
			c.kstr("accountId", a.id)
			c.kstr("accessKeyId", "")
			c.kstr("userName", "HIDDEN_DUE_TO_SECURITY_REASONS")
			if c.chance(50) {
				c.msg = "No username found in supplied account"
			}
		case c.fail:
			c.kstr("principalId", u.id)
			c.kstr("accountId", a.id)
			c.kstr("accessKeyId", "")
			c.kstr("userName", u.name)
		default:
			c.kstr("principalId", u.id)
			c.kstr("arn", c.arn)
			c.kstr("accountId", a.id)
			c.kstr("userName", u.name)
		}
		c.end()
		c.u, c.ua = u, pick(g, browsers)
		if c.fail && c.chance(60) {
			c.ip = pick(g, g.attack)
		}
		return
	}
	c.kstr("principalId", u.id)
	c.kstr("arn", c.arn)
	c.kstr("accountId", a.id)
	if u.tool == toolConsole {
		c.console = true
		c.kstr("accessKeyId", c.sessionKey())
		c.kstr("userName", u.name)
		c.sessionContext(nil, u.mfa, false)
	} else {
		c.kstr("accessKeyId", u.key)
		c.kstr("userName", u.name)
	}
	c.end()
}

func (c *rc) assumedRole() {
	g, a := c.g, c.a
	r := c.pickRole()
	var sess string
	switch r.sess {
	case sessUser:
		sess = pick(g, userNames)
		if r.path == "/aws-reserved/sso.amazonaws.com/" {
			sess += "@acme.example"
		}
	case sessInstance:
		sess = pick(g, a.instances)
	case sessSDK:
		sess = "aws-go-sdk-" + strconv.FormatInt(c.t.UnixNano()-g.r.Int64N(3600*int64(time.Second)), 10)
		if r.tool == toolBoto3 {
			sess = "botocore-session-" + strconv.FormatInt(c.t.Unix()-int64(g.r.IntN(3600)), 10)
		}
	default:
		sess = r.fixed
	}
	c.arn = "arn:aws:sts::" + a.id + ":assumed-role/" + r.name + "/" + sess
	c.tool = r.tool
	switch {
	case r.sess == sessUser:
		c.ip = pick(g, a.users).ip
	case r.sess == sessInstance || r.oidc:
		c.ip = pick(g, g.others)
	default:
		c.ip = pick(g, a.users).ip
	}
	c.obj()
	c.kstr("type", "AssumedRole")
	c.kstr("principalId", r.id+":"+sess)
	c.kstr("arn", c.arn)
	c.kstr("accountId", a.id)
	c.kstr("accessKeyId", c.sessionKey())
	if c.c.kind == kConsole {
		c.sessionContext(c.roleIssuer(r), r.mfa, false)
		c.end()
		c.ua = pick(g, browsers)
		return
	}
	c.console = r.tool == toolConsole
	c.sessionContext(c.roleIssuer(r), r.mfa, r.sess == sessInstance)
	c.end()
}

func (c *rc) webIdentityUser() {
	g, a := c.g, c.a
	var provider, sub string
	if c.oidc {
		provider = "arn:aws:iam::" + a.id + ":oidc-provider/token.actions.githubusercontent.com"
		sub = "repo:acme/" + pick(g, repoNames) + ":ref:refs/heads/main"
		c.tool = toolNode
	} else {
		provider = "arn:aws:iam::" + a.id + ":oidc-provider/oidc.eks." + c.region + ".amazonaws.com/id/" + a.eksOIDC
		sub = "system:serviceaccount:" + pick(g, []string{"kube-system:aws-load-balancer-controller",
			"karpenter:karpenter", "external-dns:external-dns", "payments:payments-api"})
		c.tool = toolGoV2
	}
	c.obj()
	c.kstr("type", "WebIdentityUser")
	c.kstr("principalId", provider+":sts.amazonaws.com:"+sub)
	c.kstr("userName", sub)
	c.kstr("identityProvider", provider)
	c.end()
	c.ip = pick(g, g.others)
}

// issuer is the sessionIssuer of temporary credentials.
type issuer struct {
	typ, id, arn, name string
	oidc               bool // web identity federation through GitHub Actions
}

func (c *rc) roleIssuer(r *role) *issuer {
	return &issuer{"Role", r.id, r.arn(c.a.id), r.name, r.oidc}
}

// sessionContext writes the sessionContext of temporary credentials;
// iss is nil for root and IAM user console sessions.
func (c *rc) sessionContext(iss *issuer, mfa, ec2 bool) {
	c.kobj("sessionContext")
	c.kobj("sessionIssuer")
	if iss != nil {
		c.kstr("type", iss.typ)
		c.kstr("principalId", iss.id)
		c.kstr("arn", iss.arn)
		c.kstr("accountId", c.a.id)
		c.kstr("userName", iss.name)
	}
	c.end()
	if iss != nil && iss.oidc {
		c.kobj("webIdFederationData")
		c.kstr("federatedProvider", "arn:aws:iam::"+c.a.id+":oidc-provider/token.actions.githubusercontent.com")
		c.kempty("attributes")
		c.end()
	} else {
		c.kempty("webIdFederationData")
	}
	c.attributes(mfa)
	if ec2 {
		c.kstr("ec2RoleDelivery", "2.0")
	}
	c.end()
}

func (c *rc) attributes(mfa bool) {
	c.kobj("attributes")
	c.ktime("creationDate", c.t.Add(-time.Duration(1+c.g.r.IntN(3600))*time.Second), "2006-01-02T15:04:05Z")
	if mfa {
		c.kstr("mfaAuthenticated", "true")
	} else {
		c.kstr("mfaAuthenticated", "false")
	}
	c.end()
}

// sessionKey returns a temporary (ASIA…) access key ID of the account.
func (c *rc) sessionKey() string {
	b := make([]byte, 0, 20)
	b = append(b, "ASIA"...)
	b = append(b, c.a.infix...)
	return string(c.g.appendRS(b, b32Chars, 8))
}

// pickRole picks a role of the account that people and workloads use.
func (c *rc) pickRole() *role {
	rs := c.a.roles
	return rs[c.g.r.IntN(len(rs)-1)] // the last one is service-linked
}
