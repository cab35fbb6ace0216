package cloudtrailapi

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"

	"github.com/cairn-sec/cairn/awsauth"
	"github.com/cairn-sec/cairn/digest"
)

// Client lists CloudTrail public keys per region.
type Client struct {
	cfg aws.Config

	mu      sync.Mutex
	clients map[string]*cloudtrail.Client
}

var _ digest.KeySource = (*Client)(nil)

// New returns a client; cfg's credentials and endpoint are used for every
// region.
func New(cfg aws.Config) *Client {
	return &Client{cfg: cfg, clients: map[string]*cloudtrail.Client{}}
}

func (c *Client) regional(region string) *cloudtrail.Client {
	c.mu.Lock()
	defer c.mu.Unlock()
	if region == "" {
		region = c.cfg.Region
	}
	if cl, ok := c.clients[region]; ok {
		return cl
	}
	cl := cloudtrail.NewFromConfig(c.cfg, func(o *cloudtrail.Options) { o.Region = region })
	c.clients[region] = cl
	return cl
}

// PublicKeys returns the keys valid in region between from and to (a zero
// time leaves that end to CloudTrail's default), following NextToken.
func (c *Client) PublicKeys(ctx context.Context, region string, from, to time.Time) ([]digest.PublicKey, error) {
	in := &cloudtrail.ListPublicKeysInput{}
	if !from.IsZero() {
		in.StartTime = aws.Time(from)
	}
	if !to.IsZero() {
		in.EndTime = aws.Time(to)
	}
	var keys []digest.PublicKey
	p := cloudtrail.NewListPublicKeysPaginator(c.regional(region), in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("cloudtrail ListPublicKeys in %s: %w", region, awsauth.Classify(err))
		}
		for i, k := range page.PublicKeyList {
			pk, err := digest.NewPublicKey(k.Value, aws.ToTime(k.ValidityStartTime), aws.ToTime(k.ValidityEndTime))
			if err != nil {
				return nil, fmt.Errorf("cloudtrail ListPublicKeys in %s: key %d (%s): %w", region, i, aws.ToString(k.Fingerprint), err)
			}
			if fp := aws.ToString(k.Fingerprint); fp != "" {
				pk.Fingerprint = fp // CloudTrail's own name for it is what digests cite
			}
			keys = append(keys, pk)
		}
	}
	return keys, nil
}
