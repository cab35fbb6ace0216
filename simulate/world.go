package simulate

import (
	"fmt"
	"strconv"
	"strings"
)

// The simulated world: per account a stable population of users, roles and
// resources, so that records about the same account reference the same
// principals, access keys, buckets and instances, as real logs do.

const (
	alnumChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	lowerChars = "abcdefghijklmnopqrstuvwxyz0123456789"
	b32Chars   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" // alphabet of AWS key and principal IDs
	upperHex   = "0123456789ABCDEF"
)

// Tools decide a caller's user agent.
const (
	toolCLI = iota
	toolBoto3
	toolTerraform
	toolGoV2
	toolJava
	toolNode
	toolConsole
	numTools
)

type user struct {
	name, id, key string // AIDA… principal ID, AKIA… access key
	ip            string
	tool          int
	mfa           bool
}

// Session naming styles of a role.
const (
	sessUser     = iota // a person's name or e-mail (SSO, switch-role)
	sessInstance        // an EC2 instance ID (instance profile)
	sessSDK             // an SDK default session name
	sessFixed           // the role's own fixed session name
)

type role struct {
	name, path, id string
	sess           int
	fixed          string // session name for sessFixed
	tool           int
	mfa            bool
	oidc           bool // assumed through web identity federation
}

func (r *role) arn(acct string) string {
	return "arn:aws:iam::" + acct + ":role" + r.path + r.name
}

type acctState struct {
	id        string
	env       string
	infix     string // 8 characters shared by the account's key IDs
	users     []*user
	roles     []*role
	buckets   []string
	instances []string
	sgs       []string
	vpc       string
	subnets   []string
	keys      []string // KMS key IDs
	secrets   []string
	params    []string
	functions []string
	tables    []string
	logGroups []string
	dbs       []string
	snapshots []string
	detector  string
	trail     string
	storeID   string // Identity Center identity store
	ssoInst   string
	samlIdP   string
	eksOIDC   string
	rootIP    string
	ssoUsers  []string // Identity Center user IDs
}

var (
	userNames = []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi",
		"ivan", "judy", "mallory", "oscar", "peggy", "trent", "victor", "walter"}
	svcUserNames = []string{"ci-deploy", "terraform", "backup-svc", "monitoring", "legacy-app"}
	envNames     = []string{"prod", "staging", "dev", "security", "log-archive", "sandbox"}
	repoNames    = []string{"platform-infra", "web-frontend", "payments-api", "data-pipeline"}
	functionBase = []string{"order-processor", "thumbnail-generator", "slack-notifier", "log-shipper", "invoice-export"}
	tableBase    = []string{"orders", "sessions", "customers", "feature-flags"}
)

// acct returns the state of an account, creating it on first use.
func (g *Generator) acct(id string) *acctState {
	if a, ok := g.accts[id]; ok {
		return a
	}
	a := g.newAcct(id, len(g.accts))
	g.accts[id] = a
	return a
}

func (g *Generator) newAcct(id string, n int) *acctState {
	a := &acctState{id: id, env: envNames[n%len(envNames)], infix: g.rs(b32Chars, 8)}
	perm := g.r.Perm(len(userNames))
	for i := 0; i < 7; i++ {
		g.addUser(a, userNames[perm[i]], []int{toolConsole, toolCLI, toolConsole, toolBoto3}[i%4])
	}
	for i, name := range svcUserNames[:3+g.r.IntN(3)] {
		g.addUser(a, name, []int{toolTerraform, toolGoV2, toolBoto3, toolJava, toolCLI}[i])
	}
	ssoSuffix := func() string { return g.rs(hexDigits, 16) }
	a.roles = []*role{
		{name: "AWSReservedSSO_AdministratorAccess_" + ssoSuffix(), path: "/aws-reserved/sso.amazonaws.com/", sess: sessUser, tool: toolConsole, mfa: true},
		{name: "AWSReservedSSO_ReadOnlyAccess_" + ssoSuffix(), path: "/aws-reserved/sso.amazonaws.com/", sess: sessUser, tool: toolConsole, mfa: true},
		{name: "AWSReservedSSO_PowerUserAccess_" + ssoSuffix(), path: "/aws-reserved/sso.amazonaws.com/", sess: sessUser, tool: toolCLI, mfa: true},
		{name: "OrganizationAccountAccessRole", path: "/", sess: sessUser, tool: toolCLI},
		{name: "github-actions-deploy", path: "/", sess: sessFixed, fixed: "GitHubActions", tool: toolNode, oidc: true},
		{name: "terraform-apply", path: "/", sess: sessSDK, tool: toolTerraform},
		{name: a.env + "-app-instance-role", path: "/", sess: sessInstance, tool: toolJava},
		{name: "eks-" + a.env + "-node-role", path: "/", sess: sessInstance, tool: toolGoV2},
		{name: "lambda-exec-role", path: "/service-role/", sess: sessFixed, fixed: functionBase[0], tool: toolBoto3},
		{name: "security-audit", path: "/", sess: sessSDK, tool: toolBoto3},
		{name: "AWSServiceRoleForConfig", path: "/aws-service-role/config.amazonaws.com/", sess: sessFixed, fixed: "AWSConfig-Describe", tool: toolJava},
	}
	for _, r := range a.roles {
		r.id = "AROA" + a.infix + g.rs(b32Chars, 9)
	}
	co := "acme"
	a.buckets = []string{
		co + "-" + a.env + "-data-" + id, co + "-" + a.env + "-logs-" + id, "terraform-state-" + id,
		"cdk-hnb659fds-assets-" + id + "-us-east-1", co + "-" + a.env + "-backups", co + "-web-assets-" + a.env,
	}
	for i := 0; i < 6; i++ {
		a.instances = append(a.instances, "i-0"+g.rs(hexDigits, 16))
	}
	for i := 0; i < 4; i++ {
		a.sgs = append(a.sgs, "sg-0"+g.rs(hexDigits, 16))
		a.subnets = append(a.subnets, "subnet-0"+g.rs(hexDigits, 16))
		a.keys = append(a.keys, g.uuid())
		a.snapshots = append(a.snapshots, "snap-0"+g.rs(hexDigits, 16))
	}
	a.vpc = "vpc-0" + g.rs(hexDigits, 16)
	for _, s := range []string{"/db/password", "/api/stripe-key", "/github/token", "/app/jwt-secret"} {
		a.secrets = append(a.secrets, a.env+s+"-"+g.rs(alnumChars, 6))
	}
	a.params = []string{"/" + a.env + "/db/host", "/" + a.env + "/db/password", "/" + a.env + "/feature/flags", "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"}
	for _, f := range functionBase {
		a.functions = append(a.functions, a.env+"-"+f)
		a.logGroups = append(a.logGroups, "/aws/lambda/"+a.env+"-"+f)
	}
	a.logGroups = append(a.logGroups, "/ecs/"+a.env+"/web", "vpc-flow-logs-"+a.env)
	for _, t := range tableBase {
		a.tables = append(a.tables, a.env+"-"+t)
	}
	a.dbs = []string{a.env + "-postgres", a.env + "-analytics-mysql"}
	a.detector = g.rs(hexDigits, 32)
	a.trail = "management-events"
	if g.opts.OrgID != "" {
		a.trail = "organization-trail"
	}
	a.storeID = "d-" + g.rs("0123456789abcdef", 10)
	a.ssoInst = "ssoins-" + g.rs(hexDigits, 16)
	a.samlIdP = g.rs(alnumChars, 27) + "="
	a.eksOIDC = strings.ToUpper(g.rs(hexDigits, 32))
	a.rootIP = g.publicIPv4()
	for i := 0; i < 4; i++ {
		// Identity Center user IDs look like "9067d2b1b4-0f1e2d3c-…".
		a.ssoUsers = append(a.ssoUsers, g.rs(hexDigits, 10)+"-"+g.rs(hexDigits, 8)+"-"+g.rs(hexDigits, 4)+"-"+g.rs(hexDigits, 4)+"-"+g.rs(hexDigits, 12))
	}
	return a
}

// oidcRole returns the role GitHub Actions assumes.
func (a *acctState) oidcRole() *role {
	for _, r := range a.roles {
		if r.oidc {
			return r
		}
	}
	return a.roles[0]
}

func (g *Generator) addUser(a *acctState, name string, tool int) {
	u := &user{name: name, tool: tool, mfa: g.r.IntN(3) > 0}
	u.id = "AIDA" + a.infix + g.rs(b32Chars, 9)
	u.key = "AKIA" + a.infix + g.rs(b32Chars, 8)
	if g.r.IntN(6) == 0 {
		u.ip = g.publicIPv6()
	} else {
		u.ip = g.publicIPv4()
	}
	a.users = append(a.users, u)
}

// rs returns n random characters from set.
func (g *Generator) rs(set string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = set[g.r.IntN(len(set))]
	}
	return string(b)
}

// appendRS appends n random characters from set.
func (g *Generator) appendRS(b []byte, set string, n int) []byte {
	for i := 0; i < n; i++ {
		b = append(b, set[g.r.IntN(len(set))])
	}
	return b
}

// appendUUID appends a random version 4 UUID.
func (g *Generator) appendUUID(b []byte) []byte {
	hi, lo := g.r.Uint64(), g.r.Uint64()
	hi = hi&^(0xf<<12) | 4<<12
	lo = lo&^(3<<62) | 2<<62
	var v [32]byte
	for i := 0; i < 16; i++ {
		v[15-i] = hexDigits[hi&0xf]
		v[31-i] = hexDigits[lo&0xf]
		hi >>= 4
		lo >>= 4
	}
	b = append(b, v[0:8]...)
	b = append(b, '-')
	b = append(b, v[8:12]...)
	b = append(b, '-')
	b = append(b, v[12:16]...)
	b = append(b, '-')
	b = append(b, v[16:20]...)
	b = append(b, '-')
	return append(b, v[20:32]...)
}

func (g *Generator) uuid() string { return string(g.appendUUID(make([]byte, 0, 36))) }

// Public-looking first octets (cloud providers, ISPs); private and
// reserved ranges are avoided.
var firstOctets = []int{3, 18, 23, 34, 45, 52, 54, 62, 73, 81, 85, 91, 98, 104, 109, 136, 145, 151, 176, 185, 188, 195, 203, 212}

func (g *Generator) publicIPv4() string {
	return strconv.Itoa(firstOctets[g.r.IntN(len(firstOctets))]) + "." + strconv.Itoa(g.r.IntN(256)) + "." +
		strconv.Itoa(g.r.IntN(256)) + "." + strconv.Itoa(1+g.r.IntN(254))
}

var v6Prefixes = []string{"2600:1700", "2a02:8108", "2001:4860", "2a01:cb00", "2607:fb90", "2403:5800"}

func (g *Generator) publicIPv6() string {
	return fmt.Sprintf("%s:%x:%x:%x:%x:%x:%x", v6Prefixes[g.r.IntN(len(v6Prefixes))],
		g.r.IntN(0x10000), g.r.IntN(0x10000), g.r.IntN(0x10000), g.r.IntN(0x10000), g.r.IntN(0x10000), 1+g.r.IntN(0xffff))
}

// User agents by tool; the record builder picks a variant per record.
var userAgents = [numTools][]string{
	toolCLI: {
		"aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0-1016-aws md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off",
		"aws-cli/2.17.14 md/awscrt#0.20.11 ua/2.0 os/macos#23.5.0 md/arch#arm64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off",
		"aws-cli/2.13.25 Python/3.11.5 Windows/10 exe/AMD64 prompt/off",
	},
	toolBoto3: {
		"Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.213-201.855.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.69",
		"Boto3/1.28.57 md/Botocore#1.31.57 ua/2.0 os/linux#6.2.0-1012-aws md/arch#x86_64 lang/python#3.10.12 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.31.57",
	},
	toolTerraform: {
		"APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.42.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.0 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64",
		"APN/1.0 HashiCorp/1.0 Terraform/1.5.7 (+https://www.terraform.io) terraform-provider-aws/4.67.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go/1.44.261 (go1.19.8; linux; amd64)",
	},
	toolGoV2: {
		"aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64",
		"aws-sdk-go-v2/1.26.1 os/linux lang/go#1.21.9 md/GOOS#linux md/GOARCH#arm64 ua/2.0",
	},
	toolJava: {
		"aws-sdk-java/2.25.11 Linux/5.10.210-201.852.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy",
		"aws-sdk-java/1.12.488 Linux/5.4.247-169.350.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/25.372-b08 java/1.8.0_372 vendor/Oracle_Corporation cfg/retry-mode/standard",
	},
	toolNode: {
		"aws-sdk-js/3.556.0 ua/2.0 os/linux#6.5.0-1018-azure lang/js md/nodejs#20.12.2 api/sts#3.556.0",
		"aws-sdk-nodejs/2.1550.0 linux/v18.19.0 exec-env/AWS_Lambda_nodejs18.x",
	},
	toolConsole: {
		"AWS Internal",
		"console.amazonaws.com",
	},
}

var browsers = []string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
	"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36 Edg/123.0.2420.97",
}

const s3ConsoleAgent = "[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.488 Linux/5.10.184-153.731.amzn2int.x86_64 OpenJDK_64-Bit_Server_VM/25.372-b08 java/1.8.0_372 vendor/Oracle_Corporation cfg/retry-mode/standard]"

// Agents of offensive tooling, used now and then by outside callers.
var offensiveAgents = []string{
	"TruffleHog",
	"S3 Browser 11.5.7 https://s3browser.com",
	"python-requests/2.31.0",
	"Boto3/1.34.11 Python/3.11.7 Linux/6.6.9-amd64 Botocore/1.34.11 Pacu",
}

// Policies attached by IAM calls, including the ones detections look for.
var managedPolicies = []string{
	"arn:aws:iam::aws:policy/AdministratorAccess",
	"arn:aws:iam::aws:policy/ReadOnlyAccess",
	"arn:aws:iam::aws:policy/AmazonS3FullAccess",
	"arn:aws:iam::aws:policy/SecurityAudit",
	"arn:aws:iam::aws:policy/PowerUserAccess",
	"arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess",
	"arn:aws:iam::aws:policy/IAMFullAccess",
}

var awsServices = []string{"ec2.amazonaws.com", "lambda.amazonaws.com", "config.amazonaws.com",
	"cloudformation.amazonaws.com", "ecs-tasks.amazonaws.com", "inspector2.amazonaws.com"}
