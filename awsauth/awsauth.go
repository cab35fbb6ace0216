package awsauth

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Options choose how Cairn authenticates. Empty fields fall back to the
// standard AWS configuration chain.
type Options struct {
	Region      string // e.g. us-east-1, us-gov-west-1
	EndpointURL string // one endpoint for every service (emulators, VPC endpoints)
	Profile     string

	AccessKeyID     string // static keys (an IAM user's access key)
	SecretAccessKey string
	SessionToken    string

	RoleARN              string // assume this role (with the credentials above as the source)
	ExternalID           string // the role's sts:ExternalId condition
	SessionName          string // default "cairn"
	WebIdentityTokenFile string // with RoleARN: AssumeRoleWithWebIdentity using this OIDC token file

	// CredentialsSecret: read the access key from this Secrets Manager
	// secret (name or ARN; JSON {"AccessKeyId","SecretAccessKey"}), with
	// the credentials above as the reader; re-read every SecretRefresh.
	CredentialsSecret string
	SecretRefresh     time.Duration // default SecretRefresh
}

// Load returns an AWS configuration for o.
func Load(ctx context.Context, o Options) (aws.Config, error) {
	var loaders []func(*config.LoadOptions) error
	if o.Region != "" {
		loaders = append(loaders, config.WithRegion(o.Region))
	}
	if o.Profile != "" {
		loaders = append(loaders, config.WithSharedConfigProfile(o.Profile))
	}
	if o.AccessKeyID != "" || o.SecretAccessKey != "" {
		if o.AccessKeyID == "" || o.SecretAccessKey == "" {
			return aws.Config{}, errors.New("aws: static credentials need both an access key ID and a secret access key")
		}
		loaders = append(loaders, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(o.AccessKeyID, o.SecretAccessKey, o.SessionToken)))
	} else if o.SessionToken != "" {
		return aws.Config{}, errors.New("aws: a session token needs an access key ID and a secret access key")
	}
	if o.EndpointURL != "" {
		// ParseRequestURI alone accepts "localhost:4566" (scheme "localhost"),
		// which the SDK would only reject at the first call.
		u, err := url.ParseRequestURI(o.EndpointURL)
		if err == nil && ((u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
			err = errors.New("not an absolute http or https URL")
		}
		if err != nil {
			return aws.Config{}, fmt.Errorf("aws: endpoint URL %q: %w", o.EndpointURL, err)
		}
		loaders = append(loaders, config.WithBaseEndpoint(o.EndpointURL))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loaders...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("aws: load configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if o.CredentialsSecret != "" {
		credentialsFromSecret(&cfg, o.CredentialsSecret, o.SecretRefresh)
	}
	if o.RoleARN == "" {
		return cfg, nil
	}
	name := o.SessionName
	if name == "" {
		name = "cairn"
	}
	client := sts.NewFromConfig(cfg)
	if o.WebIdentityTokenFile != "" {
		cfg.Credentials = aws.NewCredentialsCache(stscreds.NewWebIdentityRoleProvider(client, o.RoleARN,
			stscreds.IdentityTokenFile(o.WebIdentityTokenFile), func(wo *stscreds.WebIdentityRoleOptions) {
				wo.RoleSessionName = name
			}))
		return cfg, nil
	}
	cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(client, o.RoleARN, func(ao *stscreds.AssumeRoleOptions) {
		ao.RoleSessionName = name
		ao.Duration = time.Hour
		if o.ExternalID != "" {
			ao.ExternalID = aws.String(o.ExternalID)
		}
	}))
	return cfg, nil
}

// RegionFromQueueURL reads the region from an AWS SQS queue URL, or "".
// It knows https://sqs.<region>.amazonaws.com/<account>/<name> in every
// partition (amazonaws.com.cn, api.aws dual-stack, the ISO domains),
// sqs-fips.<region>, VPC endpoint hosts (vpce-….sqs.<region>.vpce.amazonaws.com)
// and the legacy <region>.queue.amazonaws.com. Hosts outside AWS's domains
// (emulators such as http://sqs.us-east-1.127.0.0.1:4566/… or
// http://localhost:4566/…) give "": their region is whatever Cairn is
// configured with, not something to read from a hostname.
func RegionFromQueueURL(queueURL string) string {
	u, err := url.Parse(queueURL)
	if err != nil {
		return ""
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	inAWS := false
	for _, d := range awsDomains {
		if strings.HasSuffix(host, "."+d) {
			inAWS = true
			break
		}
	}
	if !inAWS {
		return ""
	}
	if host == "queue.amazonaws.com" {
		return "us-east-1" // the legacy global endpoint
	}
	labels := strings.Split(host, ".")
	for i := 0; i+1 < len(labels); i++ {
		if (labels[i] == "sqs" || labels[i] == "sqs-fips") && regionName.MatchString(labels[i+1]) {
			return labels[i+1]
		}
		if labels[i+1] == "queue" && regionName.MatchString(labels[i]) {
			return labels[i]
		}
	}
	return ""
}

// awsDomains are the DNS suffixes of AWS service endpoints.
var awsDomains = []string{"amazonaws.com", "amazonaws.com.cn", "api.aws", "c2s.ic.gov", "sc2s.sgov.gov", "cloud.adc-e.uk", "csp.hci.ic.gov"}

// regionName matches region names: us-east-1, us-gov-west-1, cn-north-1,
// us-isob-east-1, eusc-de-east-1.
var regionName = regexp.MustCompile(`^[a-z]{2,4}(-[a-z]+)+-[0-9]+$`)

// Partition returns the ARN partition of a region.
func Partition(region string) string {
	switch {
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(region, "eu-isoe-"):
		return "aws-iso-e"
	case strings.HasPrefix(region, "us-isof-"):
		return "aws-iso-f"
	case strings.HasPrefix(region, "eusc-"):
		return "aws-eusc"
	default:
		return "aws"
	}
}
