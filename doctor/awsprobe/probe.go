package awsprobe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/awsauth"
	"github.com/cairn-sec/cairn/doctor"
	"github.com/cairn-sec/cairn/s3"
)

// Options configure a Probe.
type Options struct {
	PathStyle bool // S3 path-style addressing (emulators)
	// MaxListPages bounds each ListObjectsV2 listing (default 5).
	MaxListPages int
}

// Probe reads the AWS side for doctor with one configuration (the
// source's credentials; its region is the queue's).
type Probe struct {
	cfg  aws.Config
	opts Options
	s3   *s3.Client

	mu      sync.Mutex
	regions map[string]string // bucket → region
}

var (
	_ doctor.Identity = (*Probe)(nil)
	_ doctor.Queues   = (*Probe)(nil)
	_ doctor.Topics   = (*Probe)(nil)
	_ doctor.Buckets  = (*Probe)(nil)
	_ doctor.Keys     = (*Probe)(nil)
	_ doctor.Trails   = (*Probe)(nil)
)

// New returns a probe using cfg.
func New(cfg aws.Config, o Options) *Probe {
	if o.MaxListPages <= 0 {
		o.MaxListPages = 5
	}
	return &Probe{cfg: cfg, opts: o, s3: s3.New(cfg, s3.Options{PathStyle: o.PathStyle}), regions: map[string]string{}}
}

// classify wraps err for op with cairn's classes; codes meaning "does not
// exist" become cairn.ErrNotFound.
func classify(op string, err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist", "NotFoundException", "NotFound",
			"TrailNotFoundException", "NoSuchBucket":
			return fmt.Errorf("%s: %w: %w", op, cairn.ErrNotFound, err)
		}
	}
	return fmt.Errorf("%s: %w", op, awsauth.Classify(err))
}

// regionOf reads the region of an ARN, else the configuration's.
func (p *Probe) regionOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 && parts[3] != "" {
		return parts[3]
	}
	return p.cfg.Region
}

// CallerIdentity implements doctor.Identity.
func (p *Probe) CallerIdentity(ctx context.Context) (doctor.Caller, error) {
	out, err := sts.NewFromConfig(p.cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return doctor.Caller{}, classify("sts GetCallerIdentity", err)
	}
	return doctor.Caller{Account: aws.ToString(out.Account), ARN: aws.ToString(out.Arn), UserID: aws.ToString(out.UserId)}, nil
}

// QueueAttributes implements doctor.Queues.
func (p *Probe) QueueAttributes(ctx context.Context, queueURL string) (map[string]string, error) {
	out, err := sqs.NewFromConfig(p.cfg).GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(queueURL),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
	if err != nil {
		return nil, classify("sqs GetQueueAttributes "+queueURL, err)
	}
	return out.Attributes, nil
}

// ProbeReceive implements doctor.Queues: one message at most, a 1s wait
// and a 1s visibility timeout (the SDK does not send zeros, which would
// leave the queue's own long poll and visibility timeout in force), and a
// message received anyway is made visible again at once.
func (p *Probe) ProbeReceive(ctx context.Context, queueURL string) error {
	c := sqs.NewFromConfig(p.cfg)
	out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL),
		MaxNumberOfMessages: 1, WaitTimeSeconds: 1, VisibilityTimeout: 1})
	if err != nil {
		return classify("sqs ReceiveMessage "+queueURL, err)
	}
	for _, m := range out.Messages {
		if _, err := c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(queueURL),
			ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0}); err != nil {
			return classify("sqs ChangeMessageVisibility "+queueURL, err)
		}
	}
	return nil
}

// Subscriptions implements doctor.Topics.
func (p *Probe) Subscriptions(ctx context.Context, topicARN string) ([]doctor.Subscription, error) {
	c := sns.NewFromConfig(p.cfg, func(o *sns.Options) { o.Region = p.regionOf(topicARN) })
	var subs []doctor.Subscription
	pg := sns.NewListSubscriptionsByTopicPaginator(c, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topicARN)})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return nil, classify("sns ListSubscriptionsByTopic "+topicARN, err)
		}
		for _, s := range page.Subscriptions {
			subs = append(subs, doctor.Subscription{ARN: aws.ToString(s.SubscriptionArn), Protocol: aws.ToString(s.Protocol), Endpoint: aws.ToString(s.Endpoint)})
		}
	}
	return subs, nil
}

func (p *Probe) s3client(region string) *awss3.Client {
	return awss3.NewFromConfig(p.cfg, func(o *awss3.Options) {
		o.Region = region
		o.UsePathStyle = p.opts.PathStyle
	})
}

// BucketRegion implements doctor.Buckets.
func (p *Probe) BucketRegion(ctx context.Context, bucket string) (string, error) {
	p.mu.Lock()
	r, ok := p.regions[bucket]
	p.mu.Unlock()
	if ok {
		return r, nil
	}
	out, err := p.s3client(p.cfg.Region).GetBucketLocation(ctx, &awss3.GetBucketLocationInput{Bucket: aws.String(bucket)})
	if err != nil {
		return "", classify("s3 GetBucketLocation "+bucket, err)
	}
	switch r = string(out.LocationConstraint); r {
	case "":
		r = "us-east-1"
	case "EU":
		r = "eu-west-1"
	}
	p.mu.Lock()
	p.regions[bucket] = r
	p.mu.Unlock()
	return r, nil
}

// bucketClient is an S3 client in the bucket's region (S3 redirects
// bucket-configuration calls made in another region).
func (p *Probe) bucketClient(ctx context.Context, bucket string) *awss3.Client {
	r, err := p.BucketRegion(ctx, bucket)
	if err != nil {
		r = p.cfg.Region
	}
	return p.s3client(r)
}

// BucketNotification implements doctor.Buckets.
func (p *Probe) BucketNotification(ctx context.Context, bucket string) (doctor.Notification, error) {
	out, err := p.bucketClient(ctx, bucket).GetBucketNotificationConfiguration(ctx, &awss3.GetBucketNotificationConfigurationInput{Bucket: aws.String(bucket)})
	if err != nil {
		return doctor.Notification{}, classify("s3 GetBucketNotificationConfiguration "+bucket, err)
	}
	var n doctor.Notification
	for _, q := range out.QueueConfigurations {
		t := doctor.NotificationTarget{ARN: aws.ToString(q.QueueArn)}
		for _, e := range q.Events {
			t.Events = append(t.Events, string(e))
		}
		if q.Filter != nil && q.Filter.Key != nil {
			t.Prefix, t.Suffix = rules(q.Filter.Key.FilterRules)
		}
		n.Queues = append(n.Queues, t)
	}
	for _, q := range out.TopicConfigurations {
		t := doctor.NotificationTarget{ARN: aws.ToString(q.TopicArn)}
		for _, e := range q.Events {
			t.Events = append(t.Events, string(e))
		}
		if q.Filter != nil && q.Filter.Key != nil {
			t.Prefix, t.Suffix = rules(q.Filter.Key.FilterRules)
		}
		n.Topics = append(n.Topics, t)
	}
	n.EventBridge = out.EventBridgeConfiguration != nil
	return n, nil
}

// BucketLifecycle implements doctor.Buckets.
func (p *Probe) BucketLifecycle(ctx context.Context, bucket string) ([]doctor.LifecycleRule, error) {
	out, err := p.bucketClient(ctx, bucket).GetBucketLifecycleConfiguration(ctx, &awss3.GetBucketLifecycleConfigurationInput{Bucket: aws.String(bucket)})
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "NoSuchLifecycleConfiguration" {
		return nil, nil
	}
	if err != nil {
		return nil, classify("s3 GetBucketLifecycleConfiguration "+bucket, err)
	}
	var rules []doctor.LifecycleRule
	for _, r := range out.Rules {
		l := doctor.LifecycleRule{ID: aws.ToString(r.ID), Enabled: r.Status == "Enabled", Prefix: aws.ToString(r.Prefix)}
		if f := r.Filter; f != nil {
			if f.Prefix != nil {
				l.Prefix = *f.Prefix
			} else if f.And != nil && f.And.Prefix != nil {
				l.Prefix = *f.And.Prefix
			}
		}
		if r.Expiration != nil {
			l.ExpirationDays = int(aws.ToInt32(r.Expiration.Days))
		}
		rules = append(rules, l)
	}
	return rules, nil
}

// List implements doctor.Buckets.
func (p *Probe) List(ctx context.Context, bucket, prefix string) (doctor.Listing, error) {
	var l doctor.Listing
	pg := awss3.NewListObjectsV2Paginator(p.bucketClient(ctx, bucket), &awss3.ListObjectsV2Input{Bucket: aws.String(bucket),
		Prefix: aws.String(prefix), Delimiter: aws.String("/")})
	for i := 0; pg.HasMorePages() && i < p.opts.MaxListPages; i++ {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return l, classify("s3 ListObjectsV2 s3://"+bucket+"/"+prefix, err)
		}
		for _, o := range page.Contents {
			l.Objects = append(l.Objects, doctor.Object{Key: aws.ToString(o.Key), Size: aws.ToInt64(o.Size), LastModified: aws.ToTime(o.LastModified)})
		}
		for _, cp := range page.CommonPrefixes {
			l.Prefixes = append(l.Prefixes, aws.ToString(cp.Prefix))
		}
	}
	return l, nil
}

// ReadObject implements doctor.Buckets: the first byte, through cairn's
// own GetObject path.
func (p *Probe) ReadObject(ctx context.Context, bucket, key string) error {
	body, _, err := p.s3.Open(ctx, bucket, key)
	if err != nil {
		return err
	}
	defer body.Close()
	if _, err := body.Read(make([]byte, 1)); err != nil && err != io.EOF {
		return fmt.Errorf("read s3://%s/%s: %w", bucket, key, err)
	}
	return nil
}

// DescribeKey implements doctor.Keys.
func (p *Probe) DescribeKey(ctx context.Context, keyID string) (doctor.Key, error) {
	out, err := kms.NewFromConfig(p.cfg, func(o *kms.Options) { o.Region = p.regionOf(keyID) }).
		DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(keyID)})
	if err != nil {
		return doctor.Key{}, classify("kms DescribeKey "+keyID, err)
	}
	m := out.KeyMetadata
	return doctor.Key{ARN: aws.ToString(m.Arn), Manager: string(m.KeyManager), State: string(m.KeyState)}, nil
}

// KeyPolicy implements doctor.Keys.
func (p *Probe) KeyPolicy(ctx context.Context, keyID string) (string, error) {
	out, err := kms.NewFromConfig(p.cfg, func(o *kms.Options) { o.Region = p.regionOf(keyID) }).
		GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(keyID), PolicyName: aws.String("default")})
	if err != nil {
		return "", classify("kms GetKeyPolicy "+keyID, err)
	}
	return aws.ToString(out.Policy), nil
}

// Trails implements doctor.Trails.
func (p *Probe) Trails(ctx context.Context, names []string) ([]doctor.Trail, error) {
	out, err := cloudtrail.NewFromConfig(p.cfg).DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{TrailNameList: names, IncludeShadowTrails: aws.Bool(true)})
	if err != nil {
		return nil, classify("cloudtrail DescribeTrails", err)
	}
	var trails []doctor.Trail
	for _, t := range out.TrailList {
		trails = append(trails, doctor.Trail{Name: aws.ToString(t.Name), ARN: aws.ToString(t.TrailARN), HomeRegion: aws.ToString(t.HomeRegion),
			Bucket: aws.ToString(t.S3BucketName), Prefix: aws.ToString(t.S3KeyPrefix), TopicARN: aws.ToString(t.SnsTopicARN),
			KMSKeyID: aws.ToString(t.KmsKeyId), MultiRegion: aws.ToBool(t.IsMultiRegionTrail), Validation: aws.ToBool(t.LogFileValidationEnabled),
			Organization: aws.ToBool(t.IsOrganizationTrail)})
	}
	return trails, nil
}

// TrailStatus implements doctor.Trails, asking the trail's home region.
func (p *Probe) TrailStatus(ctx context.Context, trail string) (doctor.TrailStatus, error) {
	out, err := cloudtrail.NewFromConfig(p.cfg, func(o *cloudtrail.Options) { o.Region = p.regionOf(trail) }).
		GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(trail)})
	if err != nil {
		return doctor.TrailStatus{}, classify("cloudtrail GetTrailStatus "+trail, err)
	}
	return doctor.TrailStatus{Logging: aws.ToBool(out.IsLogging), LatestDeliveryTime: aws.ToTime(out.LatestDeliveryTime),
		LatestDeliveryError: aws.ToString(out.LatestDeliveryError)}, nil
}

// rules reads the prefix and suffix key filter rules.
func rules(rs []s3types.FilterRule) (prefix, suffix string) {
	for _, r := range rs {
		switch strings.ToLower(string(r.Name)) {
		case "prefix":
			prefix = aws.ToString(r.Value)
		case "suffix":
			suffix = aws.ToString(r.Value)
		}
	}
	return prefix, suffix
}
