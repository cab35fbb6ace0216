package s3

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/cairn-sec/cairn/awsauth"
)

// BucketExists reports whether a bucket exists (HeadBucket: 404 is no; a
// 403 means it exists but is not readable, which counts as existing).
func (c *Client) BucketExists(ctx context.Context, bucket string) (bool, error) {
	_, err := c.regional("").HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
	if err == nil {
		return true, nil
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		switch re.Response.StatusCode {
		case 404:
			return false, nil
		case 301, 403:
			return true, nil
		}
	}
	return false, fmt.Errorf("s3 HeadBucket %s: %w", bucket, awsauth.Classify(err))
}
