package s3

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/awsauth"
	"github.com/cairn-sec/cairn/ingest"
)

// Options configure a Client.
type Options struct {
	// PathStyle addresses buckets as endpoint/bucket (emulators, some VPC
	// endpoints) instead of bucket.endpoint.
	PathStyle bool
}

// Client is S3 with one SDK client per region.
type Client struct {
	cfg  aws.Config
	opts Options

	mu      sync.Mutex
	clients map[string]*s3.Client // by region
	regions map[string]string     // bucket → region
}

var _ ingest.Fetcher = (*Client)(nil)

// New returns a client; cfg.Region is the home region.
func New(cfg aws.Config, opts Options) *Client {
	return &Client{cfg: cfg, opts: opts, clients: map[string]*s3.Client{}, regions: map[string]string{}}
}

func (c *Client) regional(region string) *s3.Client {
	c.mu.Lock()
	defer c.mu.Unlock()
	if region == "" {
		region = c.cfg.Region
	}
	if cl, ok := c.clients[region]; ok {
		return cl
	}
	cl := s3.NewFromConfig(c.cfg, func(o *s3.Options) {
		o.Region = region
		o.UsePathStyle = c.opts.PathStyle
		// Plain-HTTP endpoints (emulators) cannot take streaming checksums.
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
	c.clients[region] = cl
	return cl
}

// forBucket returns the client for the bucket's region, asking S3 with
// HeadBucket the first time a bucket is seen without a region.
func (c *Client) forBucket(ctx context.Context, bucket, hint string) *s3.Client {
	c.mu.Lock()
	region, known := c.regions[bucket]
	c.mu.Unlock()
	if known {
		return c.regional(region)
	}
	if hint != "" {
		c.setRegion(bucket, hint)
		return c.regional(hint)
	}
	region = c.lookupRegion(ctx, bucket)
	c.setRegion(bucket, region)
	return c.regional(region)
}

func (c *Client) setRegion(bucket, region string) {
	c.mu.Lock()
	c.regions[bucket] = region
	c.mu.Unlock()
}

// lookupRegion reads the x-amz-bucket-region header, which S3 returns on
// HeadBucket even when the call is redirected or denied.
func (c *Client) lookupRegion(ctx context.Context, bucket string) string {
	out, err := c.regional("").HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
	if err == nil {
		if out.BucketRegion != nil && *out.BucketRegion != "" {
			return *out.BucketRegion
		}
		return c.cfg.Region
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		if r := re.Response.Header.Get("X-Amz-Bucket-Region"); r != "" {
			return r
		}
	}
	return c.cfg.Region
}

// Fetch opens an object for streaming.
func (c *Client) Fetch(ctx context.Context, ref cairn.ObjectRef) (*ingest.Object, error) {
	in := &s3.GetObjectInput{Bucket: aws.String(ref.Bucket), Key: aws.String(ref.Key)}
	if ref.VersionID != "" && ref.VersionID != "null" {
		in.VersionId = aws.String(ref.VersionID)
	}
	out, err := c.forBucket(ctx, ref.Bucket, ref.Region).GetObject(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", ref, explain(awsauth.Classify(err)))
	}
	obj := &ingest.Object{Body: out.Body, ETag: strings.Trim(aws.ToString(out.ETag), `"`), VersionID: aws.ToString(out.VersionId)}
	if out.ContentLength != nil {
		obj.Size = *out.ContentLength
	}
	if out.LastModified != nil {
		obj.LastModified = *out.LastModified
	}
	return obj, nil
}

// explain adds the fix to the errors users hit most.
func explain(err error) error {
	switch {
	case errors.Is(err, cairn.ErrKMSAccessDenied):
		return fmt.Errorf("%w (the object is SSE-KMS encrypted: grant kms:Decrypt on its key to the collector's role, in IAM and in the key policy)", err)
	case errors.Is(err, cairn.ErrAccessDenied):
		return fmt.Errorf("%w (grant s3:GetObject on the bucket's objects to the collector's role)", err)
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "PermanentRedirect" {
		return fmt.Errorf("%w (the bucket is in another region)", err)
	}
	return err
}

// PutObject writes an object (the simulator's path) and returns its ETag.
func (c *Client) PutObject(ctx context.Context, bucket, key string, body []byte) (string, error) {
	out, err := c.forBucket(ctx, bucket, "").PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(string(body)),
		ContentLength: aws.Int64(int64(len(body))),
	})
	if err != nil {
		return "", fmt.Errorf("put s3://%s/%s: %w", bucket, key, awsauth.Classify(err))
	}
	return strings.Trim(aws.ToString(out.ETag), `"`), nil
}
