package main

// Helpers that look at the emulator with the AWS SDK, independently of
// Cairn's own S3 and SQS adapters.

import (
	"bytes"
	"context"
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/cairn-sec/cairn/emulator"
)

func awsCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func s3Client(e *emulator.Emulator) *s3.Client {
	return s3.NewFromConfig(e.Config(), func(o *s3.Options) { o.UsePathStyle = true })
}

func createBucket(t *testing.T, e *emulator.Emulator, bucket string) {
	t.Helper()
	if _, err := s3Client(e).CreateBucket(awsCtx(t), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("create bucket %s: %v", bucket, err)
	}
}

func putObject(t *testing.T, e *emulator.Emulator, bucket, key string, body []byte) {
	t.Helper()
	_, err := s3Client(e).PutObject(awsCtx(t), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
	if err != nil {
		t.Fatalf("put s3://%s/%s: %v", bucket, key, err)
	}
}

// bucketObjects downloads every object of a bucket: key → body.
func bucketObjects(t *testing.T, e *emulator.Emulator, bucket string) map[string][]byte {
	t.Helper()
	ctx := awsCtx(t)
	c := s3Client(e)
	out := map[string][]byte{}
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("list s3://%s: %v", bucket, err)
		}
		for _, o := range page.Contents {
			g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: o.Key})
			if err != nil {
				t.Fatalf("get s3://%s/%s: %v", bucket, aws.ToString(o.Key), err)
			}
			b, err := io.ReadAll(g.Body)
			g.Body.Close()
			if err != nil {
				t.Fatalf("read s3://%s/%s: %v", bucket, aws.ToString(o.Key), err)
			}
			out[aws.ToString(o.Key)] = b
		}
	}
	return out
}

// queueDepth is a queue's visible (including delayed) and in-flight messages.
func queueDepth(t *testing.T, e *emulator.Emulator, url string) (visible, inFlight int) {
	t.Helper()
	out, err := sqs.NewFromConfig(e.Config()).GetQueueAttributes(awsCtx(t), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages,
			types.QueueAttributeNameApproximateNumberOfMessagesNotVisible, types.QueueAttributeNameApproximateNumberOfMessagesDelayed}})
	if err != nil {
		t.Fatalf("queue attributes of %s: %v", url, err)
	}
	get := func(n types.QueueAttributeName) int {
		v, _ := strconv.Atoi(out.Attributes[string(n)])
		return v
	}
	return get(types.QueueAttributeNameApproximateNumberOfMessages) + get(types.QueueAttributeNameApproximateNumberOfMessagesDelayed),
		get(types.QueueAttributeNameApproximateNumberOfMessagesNotVisible)
}
