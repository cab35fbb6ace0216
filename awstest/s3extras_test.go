package awstest_test

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/awsauth"
	"github.com/cairn-sec/cairn/awstest"
	"github.com/cairn-sec/cairn/emulator/emutest"
)

// The bucket sub-resources fauxqs lacks are answered from state; objects
// and listings still come from the emulator behind.
func TestS3Extras(t *testing.T) {
	e := emutest.Start(t)
	w := emutest.Wire(t, e, 5, 0)
	next, err := awstest.Proxy(e.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	st := awstest.NewStack(next)
	srv := httptest.NewServer(st)
	defer srv.Close()
	ctx := context.Background()
	c := s3.NewFromConfig(cfgFor(srv.URL, "us-east-1"), func(o *s3.Options) { o.UsePathStyle = true })
	b := aws.String(w.Bucket)

	loc, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: b})
	if err != nil || loc.LocationConstraint != "" {
		t.Fatalf("location: %v %+v", err, loc)
	}
	st.S3.UpdateBucket(w.Bucket, func(bk *awstest.Bucket) { bk.Region = "eu-west-1" })
	if loc, err = c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: b}); err != nil || loc.LocationConstraint != "eu-west-1" {
		t.Fatalf("location: %v %+v", err, loc)
	}
	if _, err = c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("no-such-bucket")}); apiCode(err) != "NoSuchBucket" {
		t.Fatalf("missing bucket: %v", err)
	}

	n, err := c.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: b})
	if err != nil || len(n.QueueConfigurations)+len(n.TopicConfigurations) != 0 {
		t.Fatalf("empty notification: %v %+v", err, n)
	}
	_, err = c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: b,
		NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{{
			Id: aws.String("cairn"), QueueArn: aws.String(w.QueueARN), Events: []types.Event{"s3:ObjectCreated:*"},
			Filter: &types.NotificationConfigurationFilter{Key: &types.S3KeyFilter{FilterRules: []types.FilterRule{{Name: "prefix", Value: aws.String("AWSLogs/")}}}},
		}}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := st.S3.Bucket(w.Bucket).Notification; len(got.Queues) != 1 || got.Queues[0].ARN != w.QueueARN || got.Queues[0].Prefix != "AWSLogs/" {
		t.Fatalf("stored notification %+v", got)
	}
	n, err = c.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: b})
	if err != nil || len(n.QueueConfigurations) != 1 || aws.ToString(n.QueueConfigurations[0].QueueArn) != w.QueueARN ||
		n.QueueConfigurations[0].Events[0] != "s3:ObjectCreated:*" || aws.ToString(n.QueueConfigurations[0].Filter.Key.FilterRules[0].Value) != "AWSLogs/" {
		t.Fatalf("notification: %v %+v", err, n)
	}

	if _, err = c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b}); apiCode(err) != "NoSuchLifecycleConfiguration" {
		t.Fatalf("no lifecycle: %v", err)
	}
	_, err = c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: b, LifecycleConfiguration: &types.BucketLifecycleConfiguration{
		Rules: []types.LifecycleRule{{ID: aws.String("expire"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("AWSLogs/")},
			Expiration: &types.LifecycleExpiration{Days: aws.Int32(90)}}}}})
	if err != nil {
		t.Fatal(err)
	}
	lc, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b})
	if err != nil || len(lc.Rules) != 1 || aws.ToInt32(lc.Rules[0].Expiration.Days) != 90 || aws.ToString(lc.Rules[0].Filter.Prefix) != "AWSLogs/" ||
		lc.Rules[0].Status != types.ExpirationStatusEnabled {
		t.Fatalf("lifecycle: %v %+v", err, lc)
	}

	if _, err = c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b}); apiCode(err) != "NoSuchBucketPolicy" {
		t.Fatalf("no policy: %v", err)
	}
	if _, err = c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b, Policy: aws.String(`{"Version":"2012-10-17","Statement":[]}`)}); err != nil {
		t.Fatal(err)
	}
	if p, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b}); err != nil || aws.ToString(p.Policy) != `{"Version":"2012-10-17","Statement":[]}` {
		t.Fatalf("policy: %v %+v", err, p)
	}

	// Objects pass through to the emulator; a KMS denial is S3's 403 naming kms:Decrypt.
	if _, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("AWSLogs/x.json"), Body: strings.NewReader("{}")}); err != nil {
		t.Fatal(err)
	}
	obj, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("AWSLogs/x.json")})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	if string(body) != "{}" {
		t.Fatalf("body %q", body)
	}
	st.S3.DenyKMS("GetObject", "arn:aws:kms:us-east-1:000000000000:key/k")
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("AWSLogs/x.json")})
	if !errors.Is(awsauth.Classify(err), cairn.ErrKMSAccessDenied) {
		t.Fatalf("KMS denial: %v", err)
	}
	st.S3.Deny("ListObjectsV2")
	_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b})
	if !errors.Is(awsauth.Classify(err), cairn.ErrAccessDenied) {
		t.Fatalf("list denial: %v", err)
	}
	st.S3.Deny("HeadBucket")
	if _, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: b}); err == nil {
		t.Fatal("HeadBucket not denied")
	}
}
