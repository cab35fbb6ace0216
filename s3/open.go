package s3

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cairn-sec/cairn/awsauth"
)

// Open streams an object with its user metadata: the x-amz-meta-*
// headers, keyed by the lower-case name after the prefix (CloudTrail
// digests carry "signature" and "signature-algorithm"). A missing object
// is an error wrapping cairn.ErrNotFound.
func (c *Client) Open(ctx context.Context, bucket, key string) (io.ReadCloser, map[string]string, error) {
	var out *s3.GetObjectOutput
	_, err := c.call(ctx, bucket, "", func(cl *s3.Client) (err error) {
		out, err = cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("get s3://%s/%s: %w", bucket, key, explain(awsauth.Classify(err)))
	}
	meta := make(map[string]string, len(out.Metadata))
	for k, v := range out.Metadata {
		meta[strings.ToLower(k)] = v
	}
	return out.Body, meta, nil
}
