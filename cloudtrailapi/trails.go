package cloudtrailapi

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/cairn-sec/cairn/awsauth"
	"github.com/cairn-sec/cairn/watch"
)

var _ watch.CloudTrail = (*Client)(nil)

// Trail reads a trail and its logging status in the client's region.
func (c *Client) Trail(ctx context.Context, name string) (watch.Trail, error) {
	cl := c.regional("")
	out, err := cl.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{TrailNameList: []string{name}, IncludeShadowTrails: aws.Bool(true)})
	if err != nil {
		return watch.Trail{}, fmt.Errorf("cloudtrail DescribeTrails %s: %w", name, awsauth.Classify(err))
	}
	if len(out.TrailList) == 0 {
		return watch.Trail{}, fmt.Errorf("trail %s: %w", name, watch.ErrNotFound)
	}
	t := out.TrailList[0]
	st, err := cl.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: t.TrailARN})
	var nf *types.TrailNotFoundException
	if errors.As(err, &nf) {
		return watch.Trail{}, fmt.Errorf("trail %s: %w", name, watch.ErrNotFound)
	}
	if err != nil {
		return watch.Trail{}, fmt.Errorf("cloudtrail GetTrailStatus %s: %w", name, awsauth.Classify(err))
	}
	return watch.Trail{Name: aws.ToString(t.Name), ARN: aws.ToString(t.TrailARN), Bucket: aws.ToString(t.S3BucketName),
		TopicARN: aws.ToString(t.SnsTopicARN), MultiRegion: aws.ToBool(t.IsMultiRegionTrail),
		LogFileValidation: aws.ToBool(t.LogFileValidationEnabled), Logging: aws.ToBool(st.IsLogging)}, nil
}

// CreateTrail creates t (include global service events).
func (c *Client) CreateTrail(ctx context.Context, t watch.Trail) (watch.Trail, error) {
	in := &cloudtrail.CreateTrailInput{Name: aws.String(t.Name), S3BucketName: aws.String(t.Bucket),
		IsMultiRegionTrail: aws.Bool(t.MultiRegion), EnableLogFileValidation: aws.Bool(t.LogFileValidation),
		IncludeGlobalServiceEvents: aws.Bool(true)}
	if t.TopicARN != "" {
		in.SnsTopicName = aws.String(t.TopicARN)
	}
	out, err := c.regional("").CreateTrail(ctx, in)
	if err != nil {
		return watch.Trail{}, fmt.Errorf("cloudtrail CreateTrail %s: %w", t.Name, awsauth.Classify(err))
	}
	t.ARN, t.TopicARN = aws.ToString(out.TrailARN), aws.ToString(out.SnsTopicARN)
	return t, nil
}

// UpdateTrail changes the fields ch sets.
func (c *Client) UpdateTrail(ctx context.Context, name string, ch watch.TrailChange) error {
	_, err := c.regional("").UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String(name), SnsTopicName: ch.TopicARN,
		IsMultiRegionTrail: ch.MultiRegion, EnableLogFileValidation: ch.LogFileValidation})
	if err != nil {
		return fmt.Errorf("cloudtrail UpdateTrail %s: %w", name, awsauth.Classify(err))
	}
	return nil
}

// StartLogging turns logging on.
func (c *Client) StartLogging(ctx context.Context, name string) error {
	if _, err := c.regional("").StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(name)}); err != nil {
		return fmt.Errorf("cloudtrail StartLogging %s: %w", name, awsauth.Classify(err))
	}
	return nil
}
