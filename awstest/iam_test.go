package awstest_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/cairn-sec/cairn/awstest"
)

func keyCfg(url string, k awstest.AccessKey) aws.Config {
	return aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider(k.ID, k.Secret, "")}
}

func TestIAMKeysAndSTS(t *testing.T) {
	st := awstest.NewStack(nil)
	im := awstest.NewIAM(awstest.IAMOptions{Account: "111111111111"})
	im.Mount(st)
	srv := httptest.NewServer(st)
	defer srv.Close()
	ctx := context.Background()
	k1 := im.AddKey("bob", time.Now().Add(-time.Hour))
	c := iam.NewFromConfig(keyCfg(srv.URL, k1))

	id, err := sts.NewFromConfig(keyCfg(srv.URL, k1)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Arn) != "arn:aws:iam::111111111111:user/bob" {
		t.Fatalf("caller of k1: %v %+v", err, id)
	}
	im.SetPropagation(1)
	out, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{}) // no UserName: the caller's user
	if err != nil || aws.ToString(out.AccessKey.UserName) != "bob" {
		t.Fatalf("create: %v", err)
	}
	k2 := awstest.AccessKey{ID: aws.ToString(out.AccessKey.AccessKeyId), Secret: aws.ToString(out.AccessKey.SecretAccessKey)}
	s2 := sts.NewFromConfig(keyCfg(srv.URL, k2))
	if _, err := s2.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); apiCode(err) != "InvalidClientTokenId" {
		t.Errorf("new key before propagation: %v, want InvalidClientTokenId", err)
	}
	if id, err := s2.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil || aws.ToString(id.Arn) != "arn:aws:iam::111111111111:user/bob" {
		t.Errorf("new key after propagation: %v", err)
	}
	if _, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bob")}); apiCode(err) != "LimitExceeded" {
		t.Errorf("third key: %v, want LimitExceeded", err)
	}
	lst, err := c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("bob")})
	if err != nil || len(lst.AccessKeyMetadata) != 2 || lst.AccessKeyMetadata[0].CreateDate == nil {
		t.Fatalf("list: %v %+v", err, lst)
	}
	if _, err := c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("bob"), AccessKeyId: aws.String(k2.ID), Status: iamtypes.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	if _, err := s2.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); apiCode(err) != "InvalidClientTokenId" {
		t.Errorf("inactive key: %v, want InvalidClientTokenId", err)
	}
	if _, err := c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("bob"), AccessKeyId: aws.String(k2.ID)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("bob"), AccessKeyId: aws.String(k2.ID)}); apiCode(err) != "NoSuchEntity" {
		t.Errorf("delete twice: %v, want NoSuchEntity", err)
	}
	if _, err := s2.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); apiCode(err) != "InvalidClientTokenId" {
		t.Errorf("deleted key: %v, want InvalidClientTokenId", err)
	}
	wrong := k1
	wrong.Secret = "not-the-secret"
	if _, err := sts.NewFromConfig(keyCfg(srv.URL, wrong)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); apiCode(err) != "SignatureDoesNotMatch" {
		t.Errorf("wrong secret: %v, want SignatureDoesNotMatch", err)
	}
	u, err := c.GetUser(ctx, &iam.GetUserInput{})
	if err != nil || aws.ToString(u.User.UserName) != "bob" {
		t.Errorf("get user: %v", err)
	}
	lu, err := c.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(k1.ID)})
	if err != nil || lu.AccessKeyLastUsed.LastUsedDate == nil {
		t.Errorf("last used: %v %+v", err, lu)
	}
	if _, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("nobody")}); apiCode(err) != "NoSuchEntity" {
		t.Errorf("unknown user: %v", err)
	}
}

func TestSecretsManagerStages(t *testing.T) {
	st := awstest.NewStack(nil)
	sm := awstest.NewSecretsManager(awstest.SecretsManagerOptions{})
	sm.Mount(st)
	srv := httptest.NewServer(st)
	defer srv.Close()
	ctx := context.Background()
	c := secretsmanager.NewFromConfig(cfgFor(srv.URL, "us-east-1"))
	if _, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("s"), SecretString: aws.String("v1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("s"), SecretString: aws.String("v2")}); err != nil {
		t.Fatal(err)
	}
	get := func(stage string) string {
		out, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("s"), VersionStage: aws.String(stage)})
		if err != nil {
			t.Fatalf("%s: %v", stage, err)
		}
		return aws.ToString(out.SecretString)
	}
	if get("AWSCURRENT") != "v2" || get("AWSPREVIOUS") != "v1" {
		t.Errorf("stages: current %s previous %s", get("AWSCURRENT"), get("AWSPREVIOUS"))
	}
	d, err := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("s")})
	if err != nil || len(d.VersionIdsToStages) != 2 {
		t.Errorf("describe: %v %+v", err, d)
	}
	if _, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("nope")}); apiCode(err) != "ResourceNotFoundException" {
		t.Errorf("missing secret: %v", err)
	}
}
