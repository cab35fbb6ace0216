package sns

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go"

	"github.com/cairn-sec/cairn/awsauth"
	"github.com/cairn-sec/cairn/watch"
)

// Admin reads and repairs topics for cairn watch.
type Admin struct{ c *sns.Client }

var _ watch.SNS = (*Admin)(nil)

// NewAdmin returns an Admin calling SNS with cfg.
func NewAdmin(cfg aws.Config) *Admin { return &Admin{c: sns.NewFromConfig(cfg)} }

func notFound(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && (ae.ErrorCode() == "NotFound" || ae.ErrorCode() == "NotFoundException")
}

// TopicPolicy returns a topic's access policy ("" when it has none).
func (a *Admin) TopicPolicy(ctx context.Context, topicARN string) (string, error) {
	out, err := a.c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(topicARN)})
	if notFound(err) {
		return "", fmt.Errorf("topic %s: %w", topicARN, watch.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("sns GetTopicAttributes %s: %w", topicARN, awsauth.Classify(err))
	}
	return out.Attributes["Policy"], nil
}

// SetTopicPolicy replaces a topic's access policy.
func (a *Admin) SetTopicPolicy(ctx context.Context, topicARN, policy string) error {
	_, err := a.c.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(topicARN),
		AttributeName: aws.String("Policy"), AttributeValue: aws.String(policy)})
	if err != nil {
		return fmt.Errorf("sns SetTopicAttributes %s Policy: %w", topicARN, awsauth.Classify(err))
	}
	return nil
}

// CreateTopic creates (or finds) a topic by name.
func (a *Admin) CreateTopic(ctx context.Context, name string) (string, error) {
	out, err := a.c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(name)})
	if err != nil {
		return "", fmt.Errorf("sns CreateTopic %s: %w", name, awsauth.Classify(err))
	}
	return aws.ToString(out.TopicArn), nil
}

// Subscribed reports whether the queue is subscribed to the topic.
func (a *Admin) Subscribed(ctx context.Context, topicARN, queueARN string) (bool, error) {
	p := sns.NewListSubscriptionsByTopicPaginator(a.c, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topicARN)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return false, fmt.Errorf("sns ListSubscriptionsByTopic %s: %w", topicARN, awsauth.Classify(err))
		}
		for _, s := range page.Subscriptions {
			if aws.ToString(s.Protocol) == "sqs" && aws.ToString(s.Endpoint) == queueARN {
				return true, nil
			}
		}
	}
	return false, nil
}

// Subscribe subscribes the queue to the topic.
func (a *Admin) Subscribe(ctx context.Context, topicARN, queueARN string) error {
	_, err := a.c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topicARN), Protocol: aws.String("sqs"), Endpoint: aws.String(queueARN)})
	if err != nil {
		return fmt.Errorf("sns Subscribe %s to %s: %w", queueARN, topicARN, awsauth.Classify(err))
	}
	return nil
}
