package deploy

import (
	"fmt"
	"regexp"
	"strings"
)

// Mode is how the trail and bucket come about.
type Mode string

// Modes.
const (
	Automated Mode = "automated" // the template creates trail, bucket, key, topic and queue
	BYOB      Mode = "byob"      // an existing bucket (and optionally key and topic)
)

// Trust is how the collector obtains credentials for the reader.
type Trust string

// Trusts.
const (
	TrustRole Trust = "role" // sts:AssumeRole from a trusted account, with an external ID
	TrustOIDC Trust = "oidc" // sts:AssumeRoleWithWebIdentity from an OIDC provider
	TrustUser Trust = "user" // an IAM user whose access key is kept in Secrets Manager
)

// Scope is how much of the organization the template covers.
type Scope string

// Scopes.
const (
	ScopeAccount Scope = "account"
	ScopeOU      Scope = "ou"
	ScopeOrg     Scope = "org"
)

// Format is the output language.
type Format string

// Formats.
const (
	CloudFormation Format = "cloudformation"
	Terraform      Format = "terraform"
)

// Options describe the template to generate.
type Options struct {
	Mode      Mode
	Format    Format
	Scope     Scope
	Partition string // aws or aws-us-gov
	Trust     Trust

	// Bucket is the existing bucket (byob; default of the parameter) or the
	// name of the bucket to create (automated; empty lets AWS choose).
	Bucket string
	// KMSKeyARN is the key the existing bucket is encrypted with (byob).
	// Empty means SSE-S3: no kms:Decrypt statement at all.
	KMSKeyARN string
	// TopicARN, in byob mode, subscribes the queue to the trail's existing
	// SNS topic instead of using an S3 event notification.
	TopicARN string

	TrustedAccount string // role trust: the account allowed to assume the role (parameter default)
	ExternalID     string // role trust: the sts:ExternalId (parameter default)

	OIDCProviderARN string // oidc trust: arn:<partition>:iam::<acct>:oidc-provider/<host/path>
	OIDCAudience    string // oidc trust: the aud claim
	OIDCSubject     string // oidc trust: the sub claim (StringLike, * allowed)

	// With adds more sources to the same bucket: vpcflow, resolver,
	// firehose (automated mode only).
	With []string
}

var (
	accountRE = regexp.MustCompile(`^[0-9]{12}$`)
	bucketRE  = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	kmsRE     = regexp.MustCompile(`^arn:(aws|aws-us-gov):kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$`)
	topicRE   = regexp.MustCompile(`^arn:(aws|aws-us-gov):sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$`)
	oidcRE    = regexp.MustCompile(`^arn:(aws|aws-us-gov):iam::[0-9]{12}:oidc-provider/([A-Za-z0-9.\-_/:]+)$`)
	extIDRE   = regexp.MustCompile(`^[\w+=,.@:/-]{2,1000}$`)
)

// Normalize fills defaults and checks the combination; the error says what
// to change.
func (o *Options) Normalize() error {
	if o.Mode == "" {
		o.Mode = Automated
	}
	if o.Format == "" {
		o.Format = CloudFormation
	}
	if o.Scope == "" {
		o.Scope = ScopeAccount
	}
	if o.Partition == "" {
		o.Partition = "aws"
	}
	if o.Trust == "" {
		o.Trust = TrustRole
	}
	switch o.Mode {
	case Automated, BYOB:
	default:
		return fmt.Errorf("--mode %q: want automated or byob", o.Mode)
	}
	switch o.Format {
	case CloudFormation, Terraform:
	default:
		return fmt.Errorf("--format %q: want cloudformation or terraform", o.Format)
	}
	switch o.Scope {
	case ScopeAccount, ScopeOU, ScopeOrg:
	default:
		return fmt.Errorf("--scope %q: want account, ou or org", o.Scope)
	}
	switch o.Partition {
	case "aws", "aws-us-gov":
	default:
		return fmt.Errorf("--partition %q: want aws or aws-us-gov", o.Partition)
	}
	switch o.Trust {
	case TrustRole, TrustOIDC, TrustUser:
	default:
		return fmt.Errorf("--trust %q: want role, oidc or user", o.Trust)
	}
	if o.Mode == BYOB && o.Scope != ScopeAccount {
		return fmt.Errorf("--mode byob with --scope %s: an existing (organization) trail delivers every account's logs to one bucket, so the reader is needed only in the bucket's account; generate with --scope account and deploy it there", o.Scope)
	}
	if o.Bucket != "" && !bucketRE.MatchString(o.Bucket) {
		return fmt.Errorf("--bucket %q is not a valid S3 bucket name", o.Bucket)
	}
	if o.Mode == BYOB && o.Bucket == "" {
		return fmt.Errorf("--mode byob needs --bucket (the existing bucket the trail writes to)")
	}
	if o.KMSKeyARN != "" {
		if o.Mode != BYOB {
			return fmt.Errorf("--kms-key-arn is for --mode byob; automated mode creates its own key")
		}
		if err := partitionOf("--kms-key-arn", o.KMSKeyARN, kmsRE, o.Partition); err != nil {
			return err
		}
	}
	if o.TopicARN != "" {
		if o.Mode != BYOB {
			return fmt.Errorf("--topic-arn is for --mode byob; automated mode creates its own topic")
		}
		if err := partitionOf("--topic-arn", o.TopicARN, topicRE, o.Partition); err != nil {
			return err
		}
	}
	if o.TrustedAccount != "" && !accountRE.MatchString(o.TrustedAccount) {
		return fmt.Errorf("--trusted-account %q: want a 12-digit account ID", o.TrustedAccount)
	}
	if o.ExternalID != "" && !extIDRE.MatchString(o.ExternalID) {
		return fmt.Errorf("--external-id: 2 to 1000 characters of [A-Za-z0-9+=,.@:/_-]")
	}
	if o.Trust != TrustRole && (o.TrustedAccount != "" || o.ExternalID != "") {
		return fmt.Errorf("--trusted-account and --external-id go with --trust role")
	}
	if o.Trust == TrustOIDC {
		if o.OIDCProviderARN == "" || o.OIDCAudience == "" || o.OIDCSubject == "" {
			return fmt.Errorf("--trust oidc needs --oidc-provider-arn, --oidc-audience and --oidc-subject (condition keys are named after the provider, so they are fixed when the template is generated)")
		}
		if err := partitionOf("--oidc-provider-arn", o.OIDCProviderARN, oidcRE, o.Partition); err != nil {
			return err
		}
		for _, v := range []string{o.OIDCAudience, o.OIDCSubject} {
			if strings.ContainsAny(v, "\"\\${}\n") {
				return fmt.Errorf("--oidc-audience/--oidc-subject %q: quotes, backslashes, braces and $ are not allowed", v)
			}
		}
	} else if o.OIDCProviderARN != "" || o.OIDCAudience != "" || o.OIDCSubject != "" {
		return fmt.Errorf("--oidc-* flags go with --trust oidc")
	}
	return o.normalizeWith()
}

// oidcHost is the provider's URL without scheme: the prefix of its condition
// keys (token.example.com/path:aud).
func (o *Options) oidcHost() string {
	m := oidcRE.FindStringSubmatch(o.OIDCProviderARN)
	if m == nil {
		return ""
	}
	return m[2]
}

func partitionOf(flag, arn string, re *regexp.Regexp, partition string) error {
	m := re.FindStringSubmatch(arn)
	if m == nil {
		return fmt.Errorf("%s %q is not a valid ARN of that kind", flag, arn)
	}
	if m[1] != partition {
		return fmt.Errorf("%s %q is in partition %s, not --partition %s", flag, arn, m[1], partition)
	}
	return nil
}
