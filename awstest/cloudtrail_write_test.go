package awstest_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"

	"github.com/cairn-sec/cairn/awstest"
)

func TestCloudTrailWrites(t *testing.T) {
	st := awstest.NewStack(nil)
	srv := httptest.NewServer(st)
	defer srv.Close()
	ctx := context.Background()
	c := cloudtrail.NewFromConfig(cfgFor(srv.URL, "us-east-1"))
	out, err := c.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("t"), S3BucketName: aws.String("b"), SnsTopicName: aws.String("topic"),
		IsMultiRegionTrail: aws.Bool(true), EnableLogFileValidation: aws.Bool(true)})
	if err != nil || aws.ToString(out.SnsTopicARN) != "arn:aws:sns:us-east-1:000000000000:topic" || !aws.ToBool(out.LogFileValidationEnabled) {
		t.Fatalf("create: %v %+v", err, out)
	}
	if _, err := c.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("t"), S3BucketName: aws.String("b")}); apiCode(err) != "TrailAlreadyExistsException" {
		t.Errorf("create twice: %v", err)
	}
	status := func() bool {
		s, err := c.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("t")})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToBool(s.IsLogging)
	}
	if status() {
		t.Error("a new trail logs before StartLogging")
	}
	if _, err := c.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("t")}); err != nil || !status() {
		t.Errorf("start: %v", err)
	}
	if _, err := c.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String("t")}); err != nil || status() {
		t.Errorf("stop: %v", err)
	}
	if _, err := c.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("t"), EnableLogFileValidation: aws.Bool(false), S3BucketName: aws.String("b2")}); err != nil {
		t.Fatal(err)
	}
	if tr, _ := st.CloudTrail.Trail("t"); tr.LogFileValidation || tr.S3BucketName != "b2" || !tr.MultiRegion {
		t.Errorf("after update: %+v", tr)
	}
	if _, err := c.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String("t")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("t")}); apiCode(err) != "TrailNotFoundException" {
		t.Errorf("deleted trail: %v", err)
	}
	if _, err := c.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("t")}); apiCode(err) != "TrailNotFoundException" {
		t.Errorf("start deleted trail: %v", err)
	}
}
