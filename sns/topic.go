package sns

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/cairn-sec/cairn/awsauth"
)

// Topic is one SNS topic.
type Topic struct {
	client *sns.Client
	arn    string
}

// New returns the topic with the given ARN.
func New(cfg aws.Config, topicARN string) *Topic {
	return &Topic{client: sns.NewFromConfig(cfg), arn: topicARN}
}

// Publish publishes body as the notification's Message.
func (t *Topic) Publish(ctx context.Context, body []byte) error {
	_, err := t.client.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(t.arn), Message: aws.String(string(body))})
	if err != nil {
		return fmt.Errorf("sns Publish %s: %w", t.arn, awsauth.Classify(err))
	}
	return nil
}
