package main

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"

	"github.com/cairn-sec/cairn/awstest"
	"github.com/cairn-sec/cairn/emulator"
)

// awsDouble is one endpoint for every AWS service a test needs: the
// awstest doubles (STS, KMS, CloudTrail, IAM, Secrets Manager, S3 extras)
// in front of the fauxqs emulator, which answers SQS, SNS and S3.
type awsDouble struct {
	*awstest.Stack
	URL     string
	IAM     *awstest.IAM
	Secrets *awstest.SecretsManager
}

func newAWSDouble(t *testing.T, e *emulator.Emulator) *awsDouble {
	t.Helper()
	var next http.Handler
	if e != nil {
		u, err := url.Parse(e.Endpoint)
		if err != nil {
			t.Fatal(err)
		}
		// The emulator sees its own host, so the queue URLs it makes
		// (CreateQueue) are the ones it answers to.
		next = &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(u)
			r.Out.Host = u.Host
		}}
	}
	d := &awsDouble{Stack: awstest.NewStack(next), IAM: awstest.NewIAM(awstest.IAMOptions{})}
	d.Secrets = awstest.NewSecretsManager(awstest.SecretsManagerOptions{SecretOf: func(id string) (string, bool) {
		_, secret, ok := d.IAM.Authenticate(id, "secretsmanager")
		return secret, ok
	}})
	d.IAM.Mount(d.Stack)
	d.Secrets.Mount(d.Stack)
	srv := httptest.NewServer(d.Stack)
	t.Cleanup(srv.Close)
	d.URL = srv.URL
	return d
}
