package awsauth_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/awsauth"
)

const (
	baseKeyID  = "AKIDEXAMPLEBASE00001"
	baseSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYBASESECRET"
	roleARN    = "arn:aws:iam::123456789012:role/cairn-reader"
	externalID = "cairn-external-7f3a"
)

// isolate keeps the developer's AWS environment (profiles, keys, instance
// metadata, endpoint overrides) out of Load.
func isolate(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
		"AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE",
		"AWS_ROLE_SESSION_NAME", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_SQS", "AWS_ENDPOINT_URL_S3",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_STS_REGIONAL_ENDPOINTS"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
}

func TestLoadAssumeRoleWithExternalID(t *testing.T) {
	isolate(t)
	f := newFakeAWS(t)
	f.secrets[baseKeyID] = baseSecret
	f.sqsAttributes = map[string]string{"ApproximateNumberOfMessages": "3", "ApproximateNumberOfMessagesNotVisible": "1",
		"ApproximateNumberOfMessagesDelayed": "2"}
	ctx := context.Background()

	cfg, err := awsauth.Load(ctx, awsauth.Options{Region: "us-east-1", EndpointURL: f.URL(),
		AccessKeyID: baseKeyID, SecretAccessKey: baseSecret, RoleARN: roleARN, ExternalID: externalID})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(f.Calls()); got != 0 {
		t.Fatalf("Load called STS eagerly: %d calls", got)
	}

	// A signed SQS call: credentials come from AssumeRole first.
	queueURL := f.URL() + "/123456789012/cairn-events"
	out, err := sqs.NewFromConfig(cfg).GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(queueURL),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages,
			types.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
	if err != nil {
		t.Fatal(err)
	}
	if out.Attributes["ApproximateNumberOfMessages"] != "3" || out.Attributes["ApproximateNumberOfMessagesNotVisible"] != "1" {
		t.Errorf("attributes = %v", out.Attributes)
	}

	calls := f.Calls()
	if len(calls) != 2 {
		t.Fatalf("got %d calls, want AssumeRole then GetQueueAttributes: %+v", len(calls), calls)
	}
	as := calls[0]
	if as.Form.Get("Action") != "AssumeRole" {
		t.Fatalf("first call %q, want AssumeRole", as.Form.Get("Action"))
	}
	for k, want := range map[string]string{"RoleArn": roleARN, "ExternalId": externalID, "RoleSessionName": "cairn",
		"DurationSeconds": "3600", "Version": "2011-06-15"} {
		if got := as.Form.Get(k); got != want {
			t.Errorf("AssumeRole %s = %q, want %q", k, got, want)
		}
	}
	// The fake verified the signature with baseSecret; check who signed.
	if as.AccessKey != baseKeyID || !strings.HasSuffix(as.Scope, "/us-east-1/sts/aws4_request") {
		t.Errorf("AssumeRole signed by %q scope %q, want %s .../us-east-1/sts/aws4_request", as.AccessKey, as.Scope, baseKeyID)
	}
	if as.SecurityToken != "" {
		t.Errorf("AssumeRole carried a session token %q; the base keys have none", as.SecurityToken)
	}

	sq := calls[1]
	if sq.Target != "AmazonSQS.GetQueueAttributes" {
		t.Fatalf("second call target %q", sq.Target)
	}
	if !strings.Contains(sq.Authorization, "Credential="+f.issued.AccessKeyID+"/") || !strings.HasSuffix(sq.Scope, "/us-east-1/sqs/aws4_request") {
		t.Errorf("SQS Authorization %q, want the assumed ASIA key scoped to us-east-1/sqs", sq.Authorization)
	}
	if sq.SecurityToken != f.issued.Token {
		t.Errorf("SQS X-Amz-Security-Token = %q, want the assumed session token", sq.SecurityToken)
	}

	// Cached: more calls do not assume the role again.
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if creds.AccessKeyID != f.issued.AccessKeyID || creds.SecretAccessKey != f.issued.Secret || creds.SessionToken != f.issued.Token {
		t.Errorf("credentials = %+v", creds)
	}
	if n := len(f.Calls()); n != 2 {
		t.Errorf("Retrieve after a call made %d more STS calls, want 0 (cached)", n-2)
	}
}

func TestLoadAssumeRoleSessionNameAndNoExternalID(t *testing.T) {
	isolate(t)
	f := newFakeAWS(t)
	f.secrets[baseKeyID] = baseSecret
	cfg, err := awsauth.Load(context.Background(), awsauth.Options{EndpointURL: f.URL(),
		AccessKeyID: baseKeyID, SecretAccessKey: baseSecret, RoleARN: roleARN, SessionName: "collector-1"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Region != "us-east-1" {
		t.Errorf("default region = %q, want us-east-1", cfg.Region)
	}
	if _, err := cfg.Credentials.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	form := f.Calls()[0].Form
	if form.Get("RoleSessionName") != "collector-1" {
		t.Errorf("RoleSessionName = %q", form.Get("RoleSessionName"))
	}
	if _, ok := form["ExternalId"]; ok {
		t.Errorf("ExternalId sent without one configured: %q", form.Get("ExternalId"))
	}
}

func TestLoadAssumeRoleDenied(t *testing.T) {
	isolate(t)
	f := newFakeAWS(t)
	f.secrets[baseKeyID] = baseSecret
	f.assumeRole = func(w http.ResponseWriter, form url.Values) bool {
		if form.Get("ExternalId") != "right-id" {
			stsError(w, http.StatusForbidden, "Sender", "AccessDenied",
				"User: arn:aws:iam::123456789012:user/cairn is not authorized to perform: sts:AssumeRole on resource: "+form.Get("RoleArn"))
			return true
		}
		return false
	}
	cfg, err := awsauth.Load(context.Background(), awsauth.Options{EndpointURL: f.URL(), Region: "us-east-1",
		AccessKeyID: baseKeyID, SecretAccessKey: baseSecret, RoleARN: roleARN, ExternalID: "wrong-id"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cfg.Credentials.Retrieve(context.Background())
	if err == nil {
		t.Fatal("Retrieve succeeded with a wrong external ID")
	}
	cerr := awsauth.Classify(err)
	if !errors.Is(cerr, cairn.ErrAccessDenied) || errors.Is(cerr, cairn.ErrKMSAccessDenied) {
		t.Errorf("Classify(%v) is not ErrAccessDenied only", cerr)
	}
	for _, e := range []error{err, cerr} {
		if strings.Contains(e.Error(), baseSecret) {
			t.Errorf("error leaks the secret access key: %v", e)
		}
		if !strings.Contains(e.Error(), "sts:AssumeRole") {
			t.Errorf("error lost STS's message: %v", e)
		}
	}
}

func TestLoadBadSignatureRejectedByFake(t *testing.T) {
	// The double must really check signatures, or the assertions above
	// prove nothing: keys it does not hold the secret for are refused.
	isolate(t)
	f := newFakeAWS(t)
	f.secrets[baseKeyID] = "a-different-secret"
	cfg, err := awsauth.Load(context.Background(), awsauth.Options{EndpointURL: f.URL(),
		AccessKeyID: baseKeyID, SecretAccessKey: baseSecret, RoleARN: roleARN})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cfg.Credentials.Retrieve(context.Background())
	if err == nil || !strings.Contains(err.Error(), "SignatureDoesNotMatch") {
		t.Fatalf("err = %v, want SignatureDoesNotMatch", err)
	}
	if strings.Contains(err.Error(), baseSecret) {
		t.Errorf("error leaks the secret access key: %v", err)
	}
}

func TestLoadWebIdentity(t *testing.T) {
	isolate(t)
	f := newFakeAWS(t)
	token := "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6Y2Fpcm46Y2Fpcm4ifQ.c2lnbmF0dXJl"
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte(token), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := awsauth.Load(context.Background(), awsauth.Options{Region: "eu-west-1", EndpointURL: f.URL(),
		RoleARN: roleARN, WebIdentityTokenFile: file})
	if err != nil {
		t.Fatal(err)
	}
	creds, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if creds.AccessKeyID != f.issued.AccessKeyID || creds.SessionToken != f.issued.Token {
		t.Errorf("credentials = %+v", creds)
	}
	calls := f.Calls()
	if len(calls) != 1 {
		t.Fatalf("got %d STS calls, want 1", len(calls))
	}
	c := calls[0]
	for k, want := range map[string]string{"Action": "AssumeRoleWithWebIdentity", "RoleArn": roleARN,
		"WebIdentityToken": token, "RoleSessionName": "cairn", "Version": "2011-06-15"} {
		if got := c.Form.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if c.Authorization != "" {
		t.Errorf("AssumeRoleWithWebIdentity was signed (%q); it takes no AWS credentials", c.Authorization)
	}
}

func TestLoadWebIdentityMissingTokenFile(t *testing.T) {
	isolate(t)
	f := newFakeAWS(t)
	cfg, err := awsauth.Load(context.Background(), awsauth.Options{EndpointURL: f.URL(), RoleARN: roleARN,
		WebIdentityTokenFile: filepath.Join(t.TempDir(), "absent")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cfg.Credentials.Retrieve(context.Background()); err == nil {
		t.Fatal("Retrieve succeeded without a token file")
	}
	if n := len(f.Calls()); n != 0 {
		t.Errorf("STS called %d times without a token", n)
	}
}

func TestLoadStaticKeys(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	cfg, err := awsauth.Load(ctx, awsauth.Options{Region: "us-east-2", AccessKeyID: baseKeyID, SecretAccessKey: baseSecret,
		SessionToken: "tok"})
	if err != nil {
		t.Fatal(err)
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if creds.AccessKeyID != baseKeyID || creds.SecretAccessKey != baseSecret || creds.SessionToken != "tok" {
		t.Errorf("credentials = %+v", creds)
	}
	if cfg.Region != "us-east-2" || cfg.BaseEndpoint != nil {
		t.Errorf("region %q endpoint %v", cfg.Region, cfg.BaseEndpoint)
	}

	for name, o := range map[string]awsauth.Options{
		"key only":           {AccessKeyID: baseKeyID},
		"secret only":        {SecretAccessKey: baseSecret},
		"token and secret":   {SecretAccessKey: baseSecret, SessionToken: "tok"},
		"session token only": {SessionToken: "tok"},
	} {
		_, err := awsauth.Load(ctx, o)
		if err == nil {
			t.Errorf("%s: Load succeeded", name)
			continue
		}
		if strings.Contains(err.Error(), baseSecret) || strings.Contains(err.Error(), "tok\"") {
			t.Errorf("%s: error leaks a secret: %v", name, err)
		}
	}
}

func TestLoadEndpointURL(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	cfg, err := awsauth.Load(ctx, awsauth.Options{EndpointURL: "http://127.0.0.1:4566"})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(cfg.BaseEndpoint) != "http://127.0.0.1:4566" {
		t.Errorf("BaseEndpoint = %v", cfg.BaseEndpoint)
	}
	for _, bad := range []string{"not a url", "localhost:4566", "127.0.0.1:4566", "/relative", "ftp://host/", "http://"} {
		_, err := awsauth.Load(ctx, awsauth.Options{EndpointURL: bad, AccessKeyID: baseKeyID, SecretAccessKey: baseSecret,
			SessionToken: "SESSIONTOKENSECRET", RoleARN: roleARN, ExternalID: externalID})
		if err == nil {
			t.Errorf("EndpointURL %q accepted", bad)
			continue
		}
		if !strings.Contains(err.Error(), "endpoint URL") {
			t.Errorf("EndpointURL %q: error %q does not say what is wrong", bad, err)
		}
		if strings.Contains(err.Error(), baseSecret) || strings.Contains(err.Error(), "SESSIONTOKENSECRET") {
			t.Errorf("EndpointURL %q: error leaks a secret: %v", bad, err)
		}
	}
}

func TestLoadGovCloud(t *testing.T) {
	isolate(t)
	cfg, err := awsauth.Load(context.Background(), awsauth.Options{Region: "us-gov-west-1",
		AccessKeyID: baseKeyID, SecretAccessKey: baseSecret})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Region != "us-gov-west-1" {
		t.Errorf("region = %q", cfg.Region)
	}
	if p := awsauth.Partition(cfg.Region); p != "aws-us-gov" {
		t.Errorf("Partition = %q", p)
	}
}

func TestPartition(t *testing.T) {
	for region, want := range map[string]string{
		"us-east-1": "aws", "eu-west-1": "aws", "": "aws", "us-gov-west-1": "aws-us-gov", "us-gov-east-1": "aws-us-gov",
		"cn-north-1": "aws-cn", "cn-northwest-1": "aws-cn", "us-iso-east-1": "aws-iso", "us-isob-east-1": "aws-iso-b",
		"eu-isoe-west-1": "aws-iso-e", "us-isof-south-1": "aws-iso-f", "eusc-de-east-1": "aws-eusc",
	} {
		if got := awsauth.Partition(region); got != want {
			t.Errorf("Partition(%q) = %q, want %q", region, got, want)
		}
	}
}

func TestRegionFromQueueURL(t *testing.T) {
	for u, want := range map[string]string{
		"https://sqs.us-east-1.amazonaws.com/123456789012/trail":                         "us-east-1",
		"https://sqs.eu-central-1.amazonaws.com/123456789012/trail":                      "eu-central-1",
		"https://sqs.us-gov-west-1.amazonaws.com/123456789012/trail":                     "us-gov-west-1",
		"https://sqs-fips.us-gov-east-1.amazonaws.com/123456789012/trail":                "us-gov-east-1",
		"https://sqs.cn-north-1.amazonaws.com.cn/123456789012/trail":                     "cn-north-1",
		"https://sqs.us-east-1.api.aws/123456789012/trail":                               "us-east-1",
		"https://vpce-0a1b2c3d-abcd1234.sqs.us-west-2.vpce.amazonaws.com/123456789012/q": "us-west-2",
		"https://us-west-2.queue.amazonaws.com/123456789012/trail":                       "us-west-2",
		"https://queue.amazonaws.com/123456789012/trail":                                 "us-east-1",
		"HTTPS://SQS.AP-SOUTHEAST-2.AMAZONAWS.COM/123456789012/trail":                    "ap-southeast-2",
		// Emulators: the hostname is not an AWS region endpoint.
		"http://sqs.us-east-1.127.0.0.1:4566/000000000000/q":                      "",
		"http://127.0.0.1:4566/000000000000/q":                                    "",
		"http://localhost:4566/000000000000/q":                                    "",
		"http://sqs.us-east-1.localhost.localstack.cloud:4566/000000000000/q":     "",
		"http://sqs.localhost:9324/000000000000/q":                                "",
		"https://sqs.us-east-1.amazonaws.com.attacker.example/123456789012/trail": "",
		"https://sqs.amazonaws.com/123456789012/trail":                            "",
		"https://sqs.not_a_region.amazonaws.com/123456789012/trail":               "",
		"":                      "",
		"::not a url":           "",
		"sqs.us-east-1.example": "",
	} {
		if got := awsauth.RegionFromQueueURL(u); got != want {
			t.Errorf("RegionFromQueueURL(%q) = %q, want %q", u, got, want)
		}
	}
}
