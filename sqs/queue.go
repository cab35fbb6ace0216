package sqs

import (
	"context"
	"fmt"
	"net/url"
	"path"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/cairn-sec/cairn/awsauth"
	"github.com/cairn-sec/cairn/ingest"
)

// Queue is one SQS queue. It always addresses the queue by the URL it was
// given, sent to the client's endpoint.
type Queue struct {
	client *sqs.Client
	url    string
	name   string
}

var _ ingest.Queue = (*Queue)(nil)

// New returns the queue at queueURL.
func New(cfg aws.Config, queueURL string) *Queue {
	name := queueURL
	if u, err := url.Parse(queueURL); err == nil && u.Path != "" {
		name = path.Base(u.Path)
	}
	return &Queue{client: sqs.NewFromConfig(cfg), url: queueURL, name: name}
}

// Name is the queue's name (the last part of its URL).
func (q *Queue) Name() string { return q.name }

// URL is the queue URL.
func (q *Queue) URL() string { return q.url }

// Receive long-polls for up to max messages.
func (q *Queue) Receive(ctx context.Context, max int, wait, visibility time.Duration) ([]ingest.Message, error) {
	out, err := q.client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl:                    aws.String(q.url),
		MaxNumberOfMessages:         int32(min(max, 10)),
		WaitTimeSeconds:             int32(min(wait, 20*time.Second) / time.Second),
		VisibilityTimeout:           int32(visibility / time.Second),
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameApproximateReceiveCount, types.MessageSystemAttributeNameSentTimestamp},
	})
	if err != nil {
		return nil, fmt.Errorf("sqs ReceiveMessage %s: %w", q.name, awsauth.Classify(err))
	}
	msgs := make([]ingest.Message, 0, len(out.Messages))
	for _, m := range out.Messages {
		msg := ingest.Message{ID: aws.ToString(m.MessageId), Body: aws.ToString(m.Body), ReceiptHandle: aws.ToString(m.ReceiptHandle), ReceiveCount: 1}
		if v, ok := m.Attributes[string(types.MessageSystemAttributeNameApproximateReceiveCount)]; ok {
			if n, err := strconv.Atoi(v); err == nil {
				msg.ReceiveCount = n
			}
		}
		if v, ok := m.Attributes[string(types.MessageSystemAttributeNameSentTimestamp)]; ok {
			if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
				msg.SentAt = time.UnixMilli(ms)
			}
		}
		msgs = append(msgs, msg)
	}
	return msgs, nil
}

// Delete deletes a message.
func (q *Queue) Delete(ctx context.Context, receiptHandle string) error {
	_, err := q.client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(q.url), ReceiptHandle: aws.String(receiptHandle)})
	if err != nil {
		return fmt.Errorf("sqs DeleteMessage %s: %w", q.name, awsauth.Classify(err))
	}
	return nil
}

// ChangeVisibility sets a message's remaining invisibility.
func (q *Queue) ChangeVisibility(ctx context.Context, receiptHandle string, timeout time.Duration) error {
	_, err := q.client.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
		QueueUrl: aws.String(q.url), ReceiptHandle: aws.String(receiptHandle), VisibilityTimeout: int32(timeout / time.Second),
	})
	if err != nil {
		return fmt.Errorf("sqs ChangeMessageVisibility %s: %w", q.name, awsauth.Classify(err))
	}
	return nil
}

// Depth returns the approximate numbers of visible and in-flight messages
// (delayed messages count as visible: they will be).
func (q *Queue) Depth(ctx context.Context) (visible, inFlight int64, err error) {
	out, err := q.client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(q.url),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages,
			types.QueueAttributeNameApproximateNumberOfMessagesNotVisible, types.QueueAttributeNameApproximateNumberOfMessagesDelayed},
	})
	if err != nil {
		return 0, 0, fmt.Errorf("sqs GetQueueAttributes %s: %w", q.name, awsauth.Classify(err))
	}
	get := func(n types.QueueAttributeName) int64 {
		v, _ := strconv.ParseInt(out.Attributes[string(n)], 10, 64)
		return v
	}
	visible = get(types.QueueAttributeNameApproximateNumberOfMessages) + get(types.QueueAttributeNameApproximateNumberOfMessagesDelayed)
	return visible, get(types.QueueAttributeNameApproximateNumberOfMessagesNotVisible), nil
}

// Publish sends body as a message (the simulator's direct-to-SQS path).
func (q *Queue) Publish(ctx context.Context, body []byte) error {
	_, err := q.client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(q.url), MessageBody: aws.String(string(body))})
	if err != nil {
		return fmt.Errorf("sqs SendMessage %s: %w", q.name, awsauth.Classify(err))
	}
	return nil
}
