package iam

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/cairn-sec/cairn/awsauth"
	"github.com/cairn-sec/cairn/keyrotate"
)

// Verifier checks a new key: STS GetCallerIdentity signed with it must name
// the user (retried while IAM propagates the key, up to Timeout), then a
// collector call — GetQueueAttributes on each queue — must succeed with it.
type Verifier struct {
	Base      aws.Config // region, endpoint; its credentials are replaced
	QueueURLs []string
	Timeout   time.Duration // default 2m
	Backoff   time.Duration // first wait between attempts, doubling to 10s; default 1s
}

// Verify implements keyrotate.Verifier.
func (v Verifier) Verify(ctx context.Context, user string, c keyrotate.Credentials) error {
	cfg := v.Base.Copy()
	cfg.Credentials = credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, "")
	timeout, wait := v.Timeout, v.Backoff
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	if wait <= 0 {
		wait = time.Second
	}
	deadline := time.Now().Add(timeout)
	client := sts.NewFromConfig(cfg)
	for attempt := 1; ; attempt++ {
		out, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err == nil {
			arn := aws.ToString(out.Arn)
			if !strings.HasSuffix(arn, ":user/"+user) && !strings.HasSuffix(arn, "/"+user) {
				return fmt.Errorf("sts GetCallerIdentity with the new key returned %s, not IAM user %s", arn, user)
			}
			break
		}
		if !propagating(err) || time.Now().Add(wait).After(deadline) {
			return fmt.Errorf("sts GetCallerIdentity with the new key (attempt %d, within %s): %w", attempt, timeout, awsauth.Classify(err))
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
		wait = min(2*wait, 10*time.Second)
	}
	q := sqs.NewFromConfig(cfg)
	for _, u := range v.QueueURLs {
		if _, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(u),
			AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages}}); err != nil {
			return fmt.Errorf("sqs GetQueueAttributes %s with the new key: %w", u, awsauth.Classify(err))
		}
	}
	return nil
}

// propagating reports whether err is what AWS answers while a new key is
// not yet known everywhere.
func propagating(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.ErrorCode() {
	case "InvalidClientTokenId", "SignatureDoesNotMatch", "AuthFailure", "UnrecognizedClientException":
		return true
	}
	return false
}
