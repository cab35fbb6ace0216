package s3

import (
	"bytes"
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
	lookups map[string]*lookup    // bucket → HeadBucket in flight
}

// lookup is one HeadBucket region discovery that concurrent callers share.
type lookup struct {
	done   chan struct{}
	region string
}

var _ ingest.Fetcher = (*Client)(nil)

// New returns a client; cfg.Region is the home region.
func New(cfg aws.Config, opts Options) *Client {
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	return &Client{cfg: cfg, opts: opts, clients: map[string]*s3.Client{}, regions: map[string]string{},
		lookups: map[string]*lookup{}}
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

// bucketRegion returns the bucket's region: the cached one, else the hint
// (the region a notification names), else the one HeadBucket reports the
// first time the bucket is seen. Concurrent first calls share one
// HeadBucket. A region HeadBucket could not determine (network error, no
// x-amz-bucket-region header) is not cached, so one failure does not pin
// the bucket to the home region for the life of the process.
func (c *Client) bucketRegion(ctx context.Context, bucket, hint string) string {
	c.mu.Lock()
	if r, ok := c.regions[bucket]; ok {
		c.mu.Unlock()
		return r
	}
	if hint != "" {
		c.regions[bucket] = hint
		c.mu.Unlock()
		return hint
	}
	if l, ok := c.lookups[bucket]; ok {
		c.mu.Unlock()
		select {
		case <-l.done:
			return l.region
		case <-ctx.Done():
			return c.cfg.Region
		}
	}
	l := &lookup{done: make(chan struct{})}
	c.lookups[bucket] = l
	c.mu.Unlock()

	region, ok := c.lookupRegion(ctx, bucket)
	c.mu.Lock()
	if ok {
		c.regions[bucket] = region
	}
	delete(c.lookups, bucket)
	l.region = region
	c.mu.Unlock()
	close(l.done)
	return region
}

func (c *Client) setRegion(bucket, region string) {
	c.mu.Lock()
	c.regions[bucket] = region
	c.mu.Unlock()
}

// lookupRegion reads the x-amz-bucket-region header, which S3 returns on
// HeadBucket even when the call is redirected or denied. ok is false when
// the region could not be determined and the home region is a guess.
func (c *Client) lookupRegion(ctx context.Context, bucket string) (region string, ok bool) {
	out, err := c.regional("").HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
	if err == nil {
		if out.BucketRegion != nil && *out.BucketRegion != "" {
			return *out.BucketRegion, true
		}
		return c.cfg.Region, true // an endpoint without regions (emulator)
	}
	if r := bucketRegionHeader(err); r != "" {
		return r, true
	}
	return c.cfg.Region, false
}

// bucketRegionHeader returns the x-amz-bucket-region of an error response.
func bucketRegionHeader(err error) string {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		return re.Response.Header.Get("X-Amz-Bucket-Region")
	}
	return ""
}

// call runs op with the client for the bucket's region. When S3 answers
// that the bucket lives in another region (a 301 PermanentRedirect or 400
// AuthorizationHeaderMalformed carrying x-amz-bucket-region), it caches that
// region and runs op once more there. It returns the region op last ran in.
func (c *Client) call(ctx context.Context, bucket, hint string, op func(*s3.Client) error) (string, error) {
	region := c.bucketRegion(ctx, bucket, hint)
	err := op(c.regional(region))
	if r := bucketRegionHeader(err); r != "" && r != region {
		c.setRegion(bucket, r)
		region = r
		err = op(c.regional(region))
	}
	if err == nil {
		// A call that worked proves the region, even when HeadBucket
		// could not tell (and left it uncached).
		c.mu.Lock()
		if _, ok := c.regions[bucket]; !ok {
			c.regions[bucket] = region
		}
		c.mu.Unlock()
	}
	return region, err
}

// Fetch opens an object for streaming.
func (c *Client) Fetch(ctx context.Context, ref cairn.ObjectRef) (*ingest.Object, error) {
	in := &s3.GetObjectInput{Bucket: aws.String(ref.Bucket), Key: aws.String(ref.Key)}
	if ref.VersionID != "" && ref.VersionID != "null" {
		in.VersionId = aws.String(ref.VersionID)
	}
	var out *s3.GetObjectOutput
	_, err := c.call(ctx, ref.Bucket, ref.Region, func(cl *s3.Client) (err error) {
		out, err = cl.GetObject(ctx, in)
		return err
	})
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
	var out *s3.PutObjectOutput
	_, err := c.call(ctx, bucket, "", func(cl *s3.Client) (err error) {
		out, err = cl.PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body),
			ContentLength: aws.Int64(int64(len(body))),
		})
		return err
	})
	if err != nil {
		return "", fmt.Errorf("put s3://%s/%s: %w", bucket, key, awsauth.Classify(err))
	}
	return strings.Trim(aws.ToString(out.ETag), `"`), nil
}
