package s3

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/awsauth"
)

// List calls fn for every object under prefix, in key order, until fn
// returns an error. startAfter skips keys up to and including it.
func (c *Client) List(ctx context.Context, bucket, prefix, startAfter string, fn func(cairn.ObjectRef) error) error {
	var token *string
	for {
		in := &s3.ListObjectsV2Input{Bucket: aws.String(bucket), ContinuationToken: token}
		if prefix != "" {
			in.Prefix = aws.String(prefix)
		}
		if startAfter != "" {
			in.StartAfter = aws.String(startAfter)
		}
		var page *s3.ListObjectsV2Output
		region, err := c.call(ctx, bucket, "", func(cl *s3.Client) (err error) {
			page, err = cl.ListObjectsV2(ctx, in)
			return err
		})
		if err != nil {
			return fmt.Errorf("list s3://%s/%s: %w", bucket, prefix, explain(awsauth.Classify(err)))
		}
		for _, o := range page.Contents {
			ref := cairn.ObjectRef{Bucket: bucket, Key: aws.ToString(o.Key), Region: region,
				ETag: strings.Trim(aws.ToString(o.ETag), `"`)}
			if o.Size != nil {
				ref.Size = *o.Size
			}
			if o.LastModified != nil {
				ref.EventTime = *o.LastModified
			}
			if err := fn(ref); err != nil {
				return err
			}
		}
		next := aws.ToString(page.NextContinuationToken)
		// Like the SDK's paginator: stop on a missing or repeated token.
		if !aws.ToBool(page.IsTruncated) || next == "" || next == aws.ToString(token) {
			return nil
		}
		token = aws.String(next)
	}
}
