package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// Wiring names the resources of one pipeline.
type Wiring struct {
	Bucket   string
	TopicARN string
	QueueURL string
	QueueARN string
	DLQURL   string
}

// WiringOptions name the resources to create.
type WiringOptions struct {
	Bucket          string
	Topic           string
	Queue           string        // the DLQ is <Queue>-dlq
	MaxReceiveCount int           // redrive after this many receives (default 5)
	Visibility      time.Duration // queue visibility timeout (default 5m)
}

// Config returns an AWS configuration for the emulator: fixed test keys,
// us-east-1, every service at the emulator's endpoint.
func (e *Emulator) Config() aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(e.Endpoint),
	}
}

// Provision creates bucket, topic, DLQ, queue with a redrive policy, and
// subscribes the queue to the topic.
func Provision(ctx context.Context, cfg aws.Config, o WiringOptions) (Wiring, error) {
	if o.MaxReceiveCount <= 0 {
		o.MaxReceiveCount = 5
	}
	if o.Visibility <= 0 {
		o.Visibility = 5 * time.Minute
	}
	w := Wiring{Bucket: o.Bucket}
	s3c := s3.NewFromConfig(cfg, func(so *s3.Options) { so.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(o.Bucket)}); err != nil {
		return w, fmt.Errorf("create bucket %s: %w", o.Bucket, err)
	}
	snsc := sns.NewFromConfig(cfg)
	topic, err := snsc.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(o.Topic)})
	if err != nil {
		return w, fmt.Errorf("create topic %s: %w", o.Topic, err)
	}
	w.TopicARN = aws.ToString(topic.TopicArn)
	sqsc := sqs.NewFromConfig(cfg)
	dlq, err := sqsc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(o.Queue + "-dlq"),
		Attributes: map[string]string{"MessageRetentionPeriod": "1209600"}})
	if err != nil {
		return w, fmt.Errorf("create queue %s-dlq: %w", o.Queue, err)
	}
	w.DLQURL = aws.ToString(dlq.QueueUrl)
	dlqARN, err := queueARN(ctx, sqsc, w.DLQURL)
	if err != nil {
		return w, err
	}
	redrive, _ := json.Marshal(map[string]string{"deadLetterTargetArn": dlqARN, "maxReceiveCount": strconv.Itoa(o.MaxReceiveCount)})
	q, err := sqsc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(o.Queue), Attributes: map[string]string{
		"RedrivePolicy":     string(redrive),
		"VisibilityTimeout": strconv.Itoa(int(o.Visibility / time.Second)),
	}})
	if err != nil {
		return w, fmt.Errorf("create queue %s: %w", o.Queue, err)
	}
	w.QueueURL = aws.ToString(q.QueueUrl)
	if w.QueueARN, err = queueARN(ctx, sqsc, w.QueueURL); err != nil {
		return w, err
	}
	if _, err := snsc.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(w.QueueARN)}); err != nil {
		return w, fmt.Errorf("subscribe %s to %s: %w", o.Queue, o.Topic, err)
	}
	return w, nil
}

func queueARN(ctx context.Context, c *sqs.Client, url string) (string, error) {
	out, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn}})
	if err != nil {
		return "", fmt.Errorf("get queue ARN of %s: %w", url, err)
	}
	return out.Attributes[string(types.QueueAttributeNameQueueArn)], nil
}
