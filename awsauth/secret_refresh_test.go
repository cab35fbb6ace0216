package awsauth_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/cairn-sec/cairn/awsauth"
	"github.com/cairn-sec/cairn/awstest"
)

// A collector reading its key from a secret picks up a rotated key once
// the cached one is due for refresh.
func TestCredentialsSecretRefresh(t *testing.T) {
	st := awstest.NewStack(nil)
	im := awstest.NewIAM(awstest.IAMOptions{})
	sm := awstest.NewSecretsManager(awstest.SecretsManagerOptions{})
	im.Mount(st)
	sm.Mount(st)
	srv := httptest.NewServer(st)
	defer srv.Close()
	reader, alice, bob := im.AddKey("reader", time.Now()), im.AddKey("alice", time.Now()), im.AddKey("bob", time.Now())
	sm.Put("key", `{"AccessKeyId":"`+alice.ID+`","SecretAccessKey":"`+alice.Secret+`"}`)
	t.Setenv("AWS_ACCESS_KEY_ID", reader.ID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", reader.Secret)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	ctx := context.Background()
	cfg, err := awsauth.Load(ctx, awsauth.Options{Region: "us-east-1", EndpointURL: srv.URL, CredentialsSecret: "key", SecretRefresh: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	client := sts.NewFromConfig(cfg)
	who := func() string {
		out, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatal(err)
		}
		a := aws.ToString(out.Arn)
		return a[strings.LastIndex(a, "/")+1:]
	}
	if w := who(); w != "alice" {
		t.Fatalf("caller %s, want alice", w)
	}
	sm.Put("key", `{"AccessKeyId":"`+bob.ID+`","SecretAccessKey":"`+bob.Secret+`"}`)
	if w := who(); w != "alice" {
		t.Errorf("caller %s right after rotation, want the cached alice", w)
	}
	deadline := time.Now().Add(10 * time.Second)
	for who() != "bob" {
		if time.Now().After(deadline) {
			t.Fatal("the rotated key was not picked up")
		}
		time.Sleep(100 * time.Millisecond)
	}
}
