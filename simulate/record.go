package simulate

import (
	"strings"
	"time"
)

// Kinds of call, deciding eventType.
const (
	kAPI     = iota // AwsApiCall
	kConsole        // AwsConsoleSignIn
	kService        // AwsServiceEvent
)

// call describes one eventSource/eventName pair and how to fill it in.
type call struct {
	svc    string // IAM prefix; eventSource is svc + ".amazonaws.com"
	name   string
	w      int  // relative frequency
	read   bool // readOnly
	global bool // global service: logged in us-east-1 only
	data   bool // data event
	kind   int
	who    *who
	s3id   bool     // S3-style requestID
	svcs   []string // services that invoke it as AWSService
	pre    func(c *rc)
	req    func(c *rc) // requestParameters; nil writes null
	resp   func(c *rc) // responseElements; nil writes null
	extra  func(c *rc) // additionalEventData; nil omits it
	res    func(c *rc) // resources array elements; nil omits it
	detail func(c *rc) // serviceEventDetails; nil omits it

	action string // IAM action, e.g. "lambda:CreateFunction"
	source string // eventSource
}

// Identity kinds (userIdentity.type).
const (
	idIAMUser = iota
	idAssumedRole
	idRoot
	idRole
	idFederatedUser
	idAWSAccount
	idAWSService
	idSAMLUser
	idWebIdentityUser
	idIdentityCenterUser
	idDirectory
	idUnknown
	idNone // AwsServiceEvent: only accountId and invokedBy
)

// who is a weighted choice of identity kinds.
type who struct{ kinds, weights []int }

func mkWho(kw ...int) *who {
	w := &who{}
	for i := 0; i+1 < len(kw); i += 2 {
		w.kinds = append(w.kinds, kw[i])
		w.weights = append(w.weights, kw[i+1])
	}
	return w
}

var (
	whoHuman   = mkWho(idIAMUser, 34, idAssumedRole, 52, idRoot, 3, idFederatedUser, 3, idRole, 3)
	whoAny     = mkWho(idIAMUser, 20, idAssumedRole, 40, idAWSService, 35, idAWSAccount, 5)
	whoAssume  = mkWho(idIAMUser, 25, idAssumedRole, 35, idAWSService, 30, idAWSAccount, 10)
	whoData    = mkWho(idIAMUser, 20, idAssumedRole, 60, idAWSService, 10, idAWSAccount, 10)
	whoConsole = mkWho(idIAMUser, 70, idRoot, 12, idAssumedRole, 18)
	whoSSO     = mkWho(idIdentityCenterUser, 65, idUnknown, 35)
	whoSAML    = mkWho(idSAMLUser, 1)
	whoWeb     = mkWho(idWebIdentityUser, 1)
	whoDir     = mkWho(idDirectory, 1)
	whoSvc     = mkWho(idNone, 1)
)

// rc is the state of the record being built.
type rc struct {
	jw
	g      *Generator
	a      *acctState
	region string
	t      time.Time
	c      *call

	kind      int
	arn       string // caller ARN, for error messages
	ip, ua    string
	tool      int
	console   bool // session credentials from the console
	invokedBy string
	fail, mfa bool   // console sign-in outcome
	msg       string // console sign-in error message
	ext       string
	oidc      bool // web identity from GitHub Actions rather than EKS

	// Scratch shared between a call's builders.
	u     *user
	r     *role
	s1    string // a bucket, function or table name (S3 calls: the bucket)
	s2    string
	s3    string
	res   string // resource ARN named in AccessDenied messages
	nf    string // NotFound error message, when the target can be missing
	reqID string
	tmp   []byte
}

// appendRecord appends one record to dst and returns it together with the
// offset of the eventID's 36 characters.
func (g *Generator) appendRecord(dst []byte, account, region string, t time.Time) ([]byte, int) {
	c := &g.rc
	*c = rc{jw: jw{b: dst}, g: g, a: g.acct(account), region: region, t: t.UTC(), tmp: c.tmp[:0]}
	c.c = g.pickCall(region)
	cl := c.c
	if cl.pre != nil {
		cl.pre(c)
	}
	c.kind = g.pickWho(cl.who)
	if c.fail && c.kind == idAssumedRole {
		c.kind = idIAMUser // federated sign-ins fail at the identity provider
	}
	if c.kind == idAWSService || c.kind == idNone {
		svcs := cl.svcs
		if len(svcs) == 0 {
			svcs = awsServices
		}
		c.invokedBy = pick(g, svcs)
	}
	switch {
	case cl.s3id:
		c.reqID = g.rs(upperHex[:10]+"ABCDEFGHJKMNPQRSTVWXYZ", 16)
	case cl.kind == kAPI:
		c.reqID = g.uuid()
	}

	// requestParameters go first into a scratch buffer: builders pick the
	// targets that error messages and responses refer to.
	main := c.b
	c.b = c.tmp
	if cl.req != nil {
		cl.req(c)
	} else {
		c.null()
	}
	c.tmp, c.b = c.b, main

	c.obj()
	if g.r.IntN(4) == 0 {
		c.kstr("eventVersion", "1.09")
	} else {
		c.kstr("eventVersion", "1.08")
	}
	c.key("userIdentity")
	c.identity()
	c.ktime("eventTime", c.t, "2006-01-02T15:04:05Z")
	c.kstr("eventSource", cl.source)
	c.kstr("eventName", cl.name)
	c.kstr("awsRegion", region)
	c.kstr("sourceIPAddress", c.ip)
	c.kstr("userAgent", c.ua)
	var errCode string
	switch {
	case cl.kind == kConsole && c.fail:
		if c.msg == "" {
			c.msg = "Failed authentication"
		}
		c.kstr("errorMessage", c.msg)
	case cl.kind == kAPI && c.kind != idAWSService && g.r.IntN(1000) < 95:
		var msg string
		errCode, msg = c.apiError()
		c.kstr("errorCode", errCode)
		c.kstr("errorMessage", msg)
	}
	c.key("requestParameters")
	c.sep()
	c.b = append(c.b, c.tmp...)
	c.key("responseElements")
	if cl.resp != nil && errCode == "" {
		cl.resp(c)
	} else {
		c.null()
	}
	if cl.extra != nil {
		c.key("additionalEventData")
		cl.extra(c)
	}
	if c.reqID != "" {
		c.kstr("requestID", c.reqID)
	}
	c.key("eventID")
	idAt := len(c.b) + 1
	c.b = append(c.b, '"')
	c.b = g.appendUUID(c.b)
	c.b = append(c.b, '"')
	c.kbool("readOnly", cl.read)
	if cl.res != nil {
		c.karr("resources")
		cl.res(c)
		c.endA()
	}
	c.kstr("eventType", [...]string{"AwsApiCall", "AwsConsoleSignIn", "AwsServiceEvent"}[cl.kind])
	c.kbool("managementEvent", !cl.data)
	c.kstr("recipientAccountId", c.a.id)
	shared := c.kind == idAWSAccount || c.kind == idAWSService && cl.name == "AssumeRole"
	if shared || (cl.kind == kService && g.r.IntN(2) == 0) {
		c.kstr("sharedEventID", g.uuid())
	}
	if c.kind == idAWSService && cl.svc == "kms" && g.r.IntN(3) == 0 {
		c.kstr("vpcEndpointId", "vpce-0"+g.rs(hexDigits, 16))
	}
	if cl.detail != nil {
		c.key("serviceEventDetails")
		cl.detail(c)
	}
	if cl.data {
		c.kstr("eventCategory", "Data")
	} else {
		c.kstr("eventCategory", "Management")
	}
	if cl.kind != kService && c.kind != idAWSService && c.ip != "AWS Internal" && g.r.IntN(10) < 9 {
		c.tlsDetails()
	}
	if c.console && cl.kind == kAPI {
		c.kstr("sessionCredentialFromConsole", "true")
	}
	c.end()
	return c.b, idAt
}

func (g *Generator) pickWho(w *who) int {
	if w == nil {
		w = whoHuman
	}
	return w.kinds[pickWeighted(g, w.weights)]
}

func (c *rc) tlsDetails() {
	c.kobj("tlsDetails")
	if c.g.r.IntN(3) == 0 {
		c.kstr("tlsVersion", "TLSv1.2")
		c.kstr("cipherSuite", "ECDHE-RSA-AES128-GCM-SHA256")
	} else {
		c.kstr("tlsVersion", "TLSv1.3")
		c.kstr("cipherSuite", "TLS_AES_128_GCM_SHA256")
	}
	var host string
	switch c.c.svc {
	case "iam":
		host = "iam.amazonaws.com"
	case "signin":
		host = "signin.aws.amazon.com"
		if c.region != "us-east-1" {
			host = c.region + ".signin.aws.amazon.com"
		}
	case "s3":
		if c.s1 != "" {
			host = c.s1 + ".s3." + c.region + ".amazonaws.com"
		} else {
			host = "s3." + c.region + ".amazonaws.com"
		}
	case "sso":
		host = "portal.sso." + c.region + ".amazonaws.com"
	default:
		host = c.c.svc + "." + c.region + ".amazonaws.com"
	}
	c.kstr("clientProvidedHostHeader", host)
	c.end()
}

// apiError picks an error for a failed API call: mostly AccessDenied,
// then not-found, throttling and validation errors, with the codes and
// messages the service really uses.
func (c *rc) apiError() (code, msg string) {
	cl, n := c.c, c.g.r.IntN(100)
	switch {
	case n < 25 && c.nf != "":
		switch cl.svc {
		case "iam":
			return "NoSuchEntityException", c.nf
		case "ec2":
			return "Client.InvalidInstanceID.NotFound", c.nf
		case "s3":
			return "NoSuchBucket", "The specified bucket does not exist"
		case "cloudtrail":
			return "TrailNotFoundException", c.nf
		case "ssm":
			return "ParameterNotFound", c.nf
		case "kms":
			return "NotFoundException", c.nf
		default:
			return "ResourceNotFoundException", c.nf
		}
	case n >= 60 && n < 80 && cl.svc != "s3":
		if cl.svc == "ec2" {
			return "Client.RequestLimitExceeded", "Request limit exceeded."
		}
		return "ThrottlingException", "Rate exceeded"
	case n >= 80 && n < 90 && cl.svc != "s3" && cl.svc != "iam":
		if cl.svc == "ec2" {
			return "Client.InvalidParameterValue", "Value (" + c.g.rs(lowerChars, 8) + ") for parameter filter is invalid."
		}
		return "ValidationException", "1 validation error detected: Value '1000' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100"
	}
	if cl.svc == "ec2" {
		return "Client.UnauthorizedOperation", "You are not authorized to perform this operation. User: " + c.arnOr() +
			" is not authorized to perform: " + cl.action + " because no identity-based policy allows the " + cl.action +
			" action. Encoded authorization failure message: " + c.g.rs(alnumChars+"-_", 96)
	}
	if cl.svc == "s3" {
		return "AccessDenied", "Access Denied"
	}
	res := c.res
	if res == "" {
		res = "*"
	}
	return "AccessDenied", "User: " + c.arnOr() + " is not authorized to perform: " + cl.action +
		" on resource: " + res + " because no identity-based policy allows the " + cl.action + " action"
}

func (c *rc) arnOr() string {
	if c.arn != "" {
		return c.arn
	}
	return "arn:aws:iam::" + c.a.id + ":root"
}

// pickCall chooses a call; global services only appear in us-east-1.
func (g *Generator) pickCall(region string) *call {
	t := &regionalTable
	if region == "us-east-1" {
		t = &globalTable
	}
	return t.calls[pickWeighted(g, t.weights)]
}

type callTable struct {
	calls   []*call
	weights []int
}

var globalTable, regionalTable callTable

func init() {
	var all []*call
	for _, set := range [][]*call{identityCalls, infraCalls, securityCalls} {
		all = append(all, set...)
	}
	for _, cl := range all {
		cl.source = cl.svc + ".amazonaws.com"
		name := cl.name
		if i := strings.IndexAny(name, "0123456789"); i > 0 {
			name = name[:i]
		}
		cl.action = cl.svc + ":" + name
		globalTable.calls = append(globalTable.calls, cl)
		globalTable.weights = append(globalTable.weights, cl.w)
		if !cl.global {
			regionalTable.calls = append(regionalTable.calls, cl)
			regionalTable.weights = append(regionalTable.weights, cl.w)
		}
	}
}

// pickWeighted returns an index into weights, chosen with probability
// proportional to its weight.
func pickWeighted(g *Generator, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := g.r.IntN(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return len(weights) - 1
}

func pick[T any](g *Generator, s []T) T { return s[g.r.IntN(len(s))] }

func (c *rc) chance(pct int) bool { return c.g.r.IntN(100) < pct }
