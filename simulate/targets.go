package simulate

import "time"

// Helpers the call builders use to pick the resources a call acts on.
// Each sets c.res (the ARN an AccessDenied message names) and, where the
// resource could be missing, c.nf (the not-found message).

const (
	iamDate = "Jan 2, 2006 3:04:05 PM"  // createDate in IAM responses
	stsDate = "Jan 2, 2006, 3:04:05 PM" // credential expiration in STS responses
	isoMs   = "2006-01-02T15:04:05.000Z"
)

func (c *rc) targetUser() *user {
	u := pick(c.g, c.a.users)
	c.u = u
	c.res = "arn:aws:iam::" + c.a.id + ":user/" + u.name
	c.nf = "The user with name " + u.name + " cannot be found."
	return u
}

func (c *rc) targetRole() *role {
	r := pick(c.g, c.a.roles)
	c.r = r
	c.res = r.arn(c.a.id)
	c.nf = "The role with name " + r.name + " cannot be found."
	return r
}

// targetRoleWhere picks a role satisfying ok (any role if none does).
func (c *rc) targetRoleWhere(ok func(*role) bool) *role {
	var rs []*role
	for _, r := range c.a.roles {
		if ok(r) {
			rs = append(rs, r)
		}
	}
	if len(rs) == 0 {
		return c.targetRole()
	}
	r := pick(c.g, rs)
	c.r, c.res = r, r.arn(c.a.id)
	c.nf = "The role with name " + r.name + " cannot be found."
	return r
}

func (c *rc) targetBucket() string {
	b := pick(c.g, c.a.buckets)
	c.s1 = b
	c.res = "arn:aws:s3:::" + b
	c.nf = "The specified bucket does not exist"
	return b
}

func (c *rc) targetInstance() string {
	i := pick(c.g, c.a.instances)
	c.res = "arn:aws:ec2:" + c.region + ":" + c.a.id + ":instance/" + i
	c.nf = "The instance ID '" + i + "' does not exist"
	return i
}

func (c *rc) targetKey() string {
	k := "arn:aws:kms:" + c.region + ":" + c.a.id + ":key/" + pick(c.g, c.a.keys)
	c.s1, c.res = k, k
	c.nf = "Key '" + k + "' does not exist"
	return k
}

func (c *rc) targetSecret() string {
	s := "arn:aws:secretsmanager:" + c.region + ":" + c.a.id + ":secret:" + pick(c.g, c.a.secrets)
	c.res = s
	c.nf = "Secrets Manager can't find the specified secret."
	return s
}

func (c *rc) targetFunction() string {
	f := pick(c.g, c.a.functions)
	c.s1 = f
	c.res = "arn:aws:lambda:" + c.region + ":" + c.a.id + ":function:" + f
	c.nf = "Function not found: " + c.res
	return f
}

func (c *rc) targetTable() string {
	t := pick(c.g, c.a.tables)
	c.s1 = t
	c.res = "arn:aws:dynamodb:" + c.region + ":" + c.a.id + ":table/" + t
	c.nf = "Requested resource not found: Table: " + t + " not found"
	return t
}

func (c *rc) trailARN() string {
	arn := "arn:aws:cloudtrail:us-east-1:" + c.a.id + ":trail/" + c.a.trail
	c.res = arn
	c.nf = "Unknown trail: " + arn + " for the user: " + c.a.id
	return arn
}

// resource writes one element of the resources array; acct may be empty.
func (c *rc) resource(acct, typ, arn string) {
	c.obj()
	if acct != "" {
		c.kstr("accountId", acct)
	}
	c.kstr("type", typ)
	c.kstr("ARN", arn)
	c.end()
}

// credentials writes an STS credentials object with a session token.
func (c *rc) credentials(d time.Duration) {
	c.kobj("credentials")
	c.kstr("accessKeyId", c.sessionKey())
	c.key("sessionToken")
	c.sep()
	c.b = append(c.b, `"IQoJb3JpZ2luX2Vj`...)
	c.b = c.g.appendRS(c.b, alnumChars+"+/", 300)
	c.b = append(c.b, '"')
	c.ktime("expiration", c.t.Add(d), stsDate)
	c.end()
}

// assumedRoleUser writes the assumedRoleUser of an STS response.
func (c *rc) assumedRoleUser(r *role, session string) {
	c.kobj("assumedRoleUser")
	c.kstr("assumedRoleId", r.id+":"+session)
	c.kstr("arn", "arn:aws:sts::"+c.a.id+":assumed-role/"+r.name+"/"+session)
	c.end()
}

// policyDoc returns a policy document as the JSON string IAM logs.
func (c *rc) policyDoc(action, resource string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + action +
		`","Resource":"` + resource + `"}]}`
}

// trustDoc returns a trust policy allowing principal to assume a role.
func trustDoc(principal string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + principal +
		`"},"Action":"sts:AssumeRole"}]}`
}
