package sqs

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/cairn-sec/cairn/awsauth"
	"github.com/cairn-sec/cairn/watch"
)

// Admin reads and repairs queues for cairn watch.
type Admin struct{ c *sqs.Client }

var _ watch.SQS = (*Admin)(nil)

// NewAdmin returns an Admin calling SQS with cfg.
func NewAdmin(cfg aws.Config) *Admin { return &Admin{c: sqs.NewFromConfig(cfg)} }

// Queue reads a queue's ARN, policy and redrive policy.
func (a *Admin) Queue(ctx context.Context, url string) (watch.Queue, error) {
	out, err := a.c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn, types.QueueAttributeNamePolicy, types.QueueAttributeNameRedrivePolicy}})
	var ne *types.QueueDoesNotExist
	var ae smithy.APIError
	if errors.As(err, &ne) || (errors.As(err, &ae) && (ae.ErrorCode() == "AWS.SimpleQueueService.NonExistentQueue" || ae.ErrorCode() == "QueueDoesNotExist")) {
		return watch.Queue{}, fmt.Errorf("queue %s: %w", url, watch.ErrNotFound)
	}
	if err != nil {
		return watch.Queue{}, fmt.Errorf("sqs GetQueueAttributes %s: %w", url, awsauth.Classify(err))
	}
	return watch.Queue{ARN: out.Attributes[string(types.QueueAttributeNameQueueArn)], Policy: out.Attributes[string(types.QueueAttributeNamePolicy)],
		RedrivePolicy: out.Attributes[string(types.QueueAttributeNameRedrivePolicy)]}, nil
}

// CreateQueue creates a queue and returns its URL.
func (a *Admin) CreateQueue(ctx context.Context, name string, attrs map[string]string) (string, error) {
	out, err := a.c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		return "", fmt.Errorf("sqs CreateQueue %s: %w", name, awsauth.Classify(err))
	}
	return aws.ToString(out.QueueUrl), nil
}

// SetAttributes sets queue attributes.
func (a *Admin) SetAttributes(ctx context.Context, url string, attrs map[string]string) error {
	if _, err := a.c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: attrs}); err != nil {
		return fmt.Errorf("sqs SetQueueAttributes %s: %w", url, awsauth.Classify(err))
	}
	return nil
}
