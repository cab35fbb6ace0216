package awstest_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/awsauth"
	"github.com/cairn-sec/cairn/awstest"
)

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func cfgFor(url, region string) aws.Config {
	return aws.Config{Region: region, BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDLONGTERM", "SECRET", "")}
}

func TestSTS(t *testing.T) {
	st := awstest.NewStack(nil)
	srv := httptest.NewServer(st)
	defer srv.Close()
	st.STS.SetCaller(awstest.Identity{Account: "111111111111", ARN: "arn:aws:iam::111111111111:user/alice", UserID: "AIDAALICE"})
	st.STS.AddRole(awstest.Role{ARN: "arn:aws:iam::222222222222:role/cairn-reader", ExternalID: "ext-1"})
	ctx := context.Background()

	id, err := sts.NewFromConfig(cfgFor(srv.URL, "us-east-1")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Arn) != "arn:aws:iam::111111111111:user/alice" || aws.ToString(id.Account) != "111111111111" {
		t.Fatalf("caller: %v %+v", err, id)
	}
	// awsauth's AssumeRole chain gets session credentials, and the session
	// is who GetCallerIdentity then reports.
	load := func(ext string) (*sts.GetCallerIdentityOutput, error) {
		cfg, err := awsauth.Load(ctx, awsauth.Options{Region: "us-east-1", EndpointURL: srv.URL, AccessKeyID: "AKIDLONGTERM", SecretAccessKey: "S",
			RoleARN: "arn:aws:iam::222222222222:role/cairn-reader", ExternalID: ext})
		if err != nil {
			t.Fatal(err)
		}
		return sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	}
	id, err = load("ext-1")
	if err != nil || aws.ToString(id.Arn) != "arn:aws:sts::222222222222:assumed-role/cairn-reader/cairn" || aws.ToString(id.Account) != "222222222222" {
		t.Fatalf("assumed: %v %+v", err, id)
	}
	calls := st.STS.Calls()
	if len(calls) != 3 || calls[1].Op != "AssumeRole" || calls[1].ExternalID != "ext-1" || calls[1].AccessKeyID != "AKIDLONGTERM" ||
		!strings.HasPrefix(calls[2].AccessKeyID, "ASIA") {
		t.Fatalf("calls %+v", calls)
	}
	if _, err := load("wrong"); apiCode(err) != "AccessDenied" || !strings.Contains(err.Error(), "sts:AssumeRole") {
		t.Fatalf("wrong external ID: %v", err)
	}
	st.STS.Deny("GetCallerIdentity")
	_, err = sts.NewFromConfig(cfgFor(srv.URL, "us-east-1")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if apiCode(err) != "AccessDenied" || !errors.Is(awsauth.Classify(err), cairn.ErrAccessDenied) {
		t.Fatalf("denied: %v", err)
	}
}

func TestKMS(t *testing.T) {
	st := awstest.NewStack(nil)
	srv := httptest.NewServer(st)
	defer srv.Close()
	k := st.KMS.AddKey(awstest.KMSKey{ID: "1234abcd-0000-0000-0000-000000000001", Region: "eu-west-1", Account: "111111111111",
		Aliases: []string{"alias/trail"}, Policy: `{"Statement":[]}`})
	st.KMS.AddKey(awstest.KMSKey{ID: "aws-managed", Region: "eu-west-1", KeyManager: "AWS", Aliases: []string{"alias/aws/s3"}})
	ctx := context.Background()
	c := kms.NewFromConfig(cfgFor(srv.URL, "eu-west-1"))
	for _, ref := range []string{k.ID, k.ARN(), "alias/trail", "arn:aws:kms:eu-west-1:111111111111:alias/trail"} {
		out, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(ref)})
		if err != nil || aws.ToString(out.KeyMetadata.Arn) != k.ARN() || out.KeyMetadata.KeyManager != "CUSTOMER" || !out.KeyMetadata.Enabled ||
			out.KeyMetadata.CreationDate == nil {
			t.Fatalf("DescribeKey %s: %v %+v", ref, err, out)
		}
	}
	out, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/s3")})
	if err != nil || out.KeyMetadata.KeyManager != "AWS" {
		t.Fatalf("aws-managed: %v", err)
	}
	pol, err := c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(k.ARN())})
	if err != nil || aws.ToString(pol.Policy) != `{"Statement":[]}` || aws.ToString(pol.PolicyName) != "default" {
		t.Fatalf("GetKeyPolicy: %v %+v", err, pol)
	}
	// Another region does not know the key by ID; unknown keys are NotFound.
	_, err = kms.NewFromConfig(cfgFor(srv.URL, "us-east-1")).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(k.ID)})
	if apiCode(err) != "NotFoundException" {
		t.Fatalf("other region: %v", err)
	}
	st.KMS.Deny("GetKeyPolicy")
	_, err = c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(k.ID)})
	if apiCode(err) != "AccessDeniedException" || !strings.Contains(err.Error(), "kms:GetKeyPolicy") {
		t.Fatalf("denied: %v", err)
	}
	if got, ok := st.KMS.Key(k.ID); !ok || got.Policy != `{"Statement":[]}` || got.KeyManager != "CUSTOMER" {
		t.Fatalf("Key: %+v", got)
	}
	if calls := st.KMS.Calls(); len(calls) != 8 || calls[7] != "GetKeyPolicy" {
		t.Fatalf("calls %v", calls)
	}
}

func TestCloudTrailTrails(t *testing.T) {
	st := awstest.NewStack(nil)
	srv := httptest.NewServer(st)
	defer srv.Close()
	multi := st.CloudTrail.AddTrail(awstest.Trail{Name: "org", HomeRegion: "us-east-1", S3BucketName: "b", MultiRegion: true,
		LogFileValidation: true, Logging: true, SNSTopicARN: "arn:aws:sns:us-east-1:000000000000:ct"})
	st.CloudTrail.AddTrail(awstest.Trail{Name: "local", HomeRegion: "us-east-1", S3BucketName: "c"})
	ctx := context.Background()
	east := cloudtrail.NewFromConfig(cfgFor(srv.URL, "us-east-1"))
	west := cloudtrail.NewFromConfig(cfgFor(srv.URL, "eu-west-1"))

	d, err := east.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
	if err != nil || len(d.TrailList) != 2 {
		t.Fatalf("east: %v %+v", err, d)
	}
	// In another region only the multi-region trail shows, as a shadow.
	d, err = west.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
	if err != nil || len(d.TrailList) != 1 || aws.ToString(d.TrailList[0].TrailARN) != multi.ARN() ||
		!aws.ToBool(d.TrailList[0].IsMultiRegionTrail) || !aws.ToBool(d.TrailList[0].LogFileValidationEnabled) ||
		aws.ToString(d.TrailList[0].SnsTopicName) != "ct" {
		t.Fatalf("west: %v %+v", err, d)
	}
	d, err = west.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{TrailNameList: []string{"local"}})
	if err != nil || len(d.TrailList) != 0 {
		t.Fatalf("west by name: %v %+v", err, d)
	}
	s, err := east.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("org")})
	if err != nil || !aws.ToBool(s.IsLogging) {
		t.Fatalf("status: %v %+v", err, s)
	}
	st.CloudTrail.UpdateTrail("org", func(tr *awstest.Trail) { tr.Logging = false })
	s, err = west.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(multi.ARN())})
	if err != nil || aws.ToBool(s.IsLogging) {
		t.Fatalf("stopped: %v %+v", err, s)
	}
	if _, err = east.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("nope")}); apiCode(err) != "TrailNotFoundException" {
		t.Fatalf("missing: %v", err)
	}
	es, err := east.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String("org")})
	if err != nil || len(es.EventSelectors) != 1 || !aws.ToBool(es.EventSelectors[0].IncludeManagementEvents) || es.EventSelectors[0].ReadWriteType != "All" {
		t.Fatalf("selectors: %v %+v", err, es)
	}
	st.CloudTrail.Deny("GetTrailStatus")
	if _, err = east.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("org")}); apiCode(err) != "AccessDeniedException" {
		t.Fatalf("denied: %v", err)
	}
}

// Requests for services without a double, and unsigned ones, go to Next.
func TestRouting(t *testing.T) {
	var got []string
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = append(got, r.Header.Get("X-Amz-Target")) })
	st := awstest.NewStack(next)
	srv := httptest.NewServer(st)
	defer srv.Close()
	send := func(auth, target string) int {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", target)
		if auth != "" {
			req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/"+auth+"/aws4_request, SignedHeaders=host, Signature=00")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if send("sqs", "AmazonSQS.ListQueues") != 200 || send("", "TrentService.DescribeKey") != 200 {
		t.Fatal("not passed on")
	}
	if code := send("kms", "TrentService.Decrypt"); code != 400 {
		t.Fatalf("kms op without a double: %d", code)
	}
	if len(got) != 2 || got[0] != "AmazonSQS.ListQueues" {
		t.Fatalf("next saw %v", got)
	}
}
