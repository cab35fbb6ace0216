package main

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"testing"

	"github.com/cairn-sec/cairn/awstest"
	"github.com/cairn-sec/cairn/emulator"
)

// awsDouble is one endpoint for every AWS service a test needs: IAM, STS
// and Secrets Manager answered by awstest doubles, everything else (SQS,
// SNS, S3) passed to the fauxqs emulator. Requests are routed by the
// service of their SigV4 credential scope.
type awsDouble struct {
	URL     string
	IAM     *awstest.IAM
	Secrets *awstest.SecretsManager
}

var scopeService = regexp.MustCompile(`Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request`)

func newAWSDouble(t *testing.T, e *emulator.Emulator) *awsDouble {
	t.Helper()
	d := &awsDouble{IAM: awstest.NewIAM(awstest.IAMOptions{})}
	d.Secrets = awstest.NewSecretsManager(awstest.SecretsManagerOptions{SecretOf: func(id string) (string, bool) {
		_, secret, ok := d.IAM.Authenticate(id, "secretsmanager")
		return secret, ok
	}})
	var rest http.Handler = http.NotFoundHandler()
	if e != nil {
		u, err := url.Parse(e.Endpoint)
		if err != nil {
			t.Fatal(err)
		}
		rest = httputil.NewSingleHostReverseProxy(u)
	}
	handlers := map[string]http.Handler{"iam": d.IAM, "sts": d.IAM.STSHandler(), "secretsmanager": d.Secrets}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if m := scopeService.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
			if h, ok := handlers[m[1]]; ok {
				h.ServeHTTP(w, r)
				return
			}
		}
		rest.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	d.URL = srv.URL
	return d
}
