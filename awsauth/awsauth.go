package awsauth

import (
	"context"
	"errors"
	"fmt"
	"net/url"
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
	}
	if o.EndpointURL != "" {
		if _, err := url.ParseRequestURI(o.EndpointURL); err != nil {
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

// RegionFromQueueURL reads the region from an SQS queue URL
// (https://sqs.<region>.amazonaws.com/<account>/<name>), or "".
func RegionFromQueueURL(queueURL string) string {
	u, err := url.Parse(queueURL)
	if err != nil {
		return ""
	}
	parts := strings.Split(u.Hostname(), ".")
	if len(parts) >= 4 && parts[0] == "sqs" && strings.HasPrefix(u.Hostname(), "sqs.") && strings.Contains(u.Hostname(), "amazonaws.com") {
		return parts[1]
	}
	return ""
}

// Partition returns the ARN partition of a region.
func Partition(region string) string {
	switch {
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	default:
		return "aws"
	}
}
