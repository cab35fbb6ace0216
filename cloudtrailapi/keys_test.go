package cloudtrailapi_test

import (
	"context"
	"crypto/x509"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go"

	"github.com/cairn-sec/cairn/cloudtrailapi"
	"github.com/cairn-sec/cairn/cloudtrailapi/cloudtrailtest"
	"github.com/cairn-sec/cairn/digest/digesttest"
)

func client(url string) *cloudtrailapi.Client {
	return cloudtrailapi.New(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")})
}

func TestPublicKeys(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	fake := &cloudtrailtest.Server{PageSize: 1}
	var want []digesttest.Key
	for i := range 3 {
		k := digesttest.NewKey(t)
		want = append(want, k)
		fake.AddKey("eu-west-1", cloudtrailtest.Key{DER: x509.MarshalPKCS1PublicKey(&k.Private.PublicKey),
			Fingerprint: k.Fingerprint, Start: t0.AddDate(0, i, 0), End: t0.AddDate(0, i+1, 0)})
	}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	c := client(srv.URL)
	ctx := context.Background()

	keys, err := c.PublicKeys(ctx, "eu-west-1", t0.AddDate(0, 0, 15), t0.AddDate(0, 2, 15))
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 3 {
		t.Fatalf("%d keys, want 3 over three pages", len(keys))
	}
	for i, k := range keys {
		if k.Fingerprint != want[i].Fingerprint || !k.Key.Equal(&want[i].Private.PublicKey) ||
			!k.ValidityStart.Equal(t0.AddDate(0, i, 0)) || !k.ValidityEnd.Equal(t0.AddDate(0, i+1, 0)) {
			t.Fatalf("key %d: %+v", i, k)
		}
	}
	calls := fake.Calls()
	if len(calls) != 3 || calls[0].Region != "eu-west-1" || calls[1].NextToken != want[1].Fingerprint {
		t.Fatalf("calls %+v", calls)
	}
	if got := calls[0].StartTime; got == nil || *got != float64(t0.AddDate(0, 0, 15).Unix()) {
		t.Fatalf("StartTime sent as %v, want epoch seconds", got)
	}

	// The time range narrows the keys; another region has its own.
	keys, err = c.PublicKeys(ctx, "eu-west-1", t0.AddDate(0, 2, 1), t0.AddDate(0, 2, 2))
	if err != nil || len(keys) != 1 || keys[0].Fingerprint != want[2].Fingerprint {
		t.Fatalf("narrow range: %v %+v", err, keys)
	}
	keys, err = c.PublicKeys(ctx, "ap-south-1", time.Time{}, time.Time{})
	calls = fake.Calls()
	if last := calls[len(calls)-1]; err != nil || len(keys) != 0 || last.Region != "ap-south-1" || last.StartTime != nil {
		t.Fatalf("other region: %v %+v %+v", err, keys, last)
	}

	// CloudTrail's errors come back as API errors, wrapped with context.
	_, err = c.PublicKeys(ctx, "eu-west-1", t0.AddDate(0, 2, 0), t0)
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidTimeRangeException" || !strings.Contains(err.Error(), "ListPublicKeys in eu-west-1") {
		t.Fatalf("error %v", err)
	}
}

func TestPublicKeysBadValue(t *testing.T) {
	fake := &cloudtrailtest.Server{}
	fake.AddKey("us-east-1", cloudtrailtest.Key{DER: []byte("not a key"), Fingerprint: "00", Start: time.Unix(0, 0), End: time.Unix(2e9, 0)})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	if _, err := client(srv.URL).PublicKeys(context.Background(), "us-east-1", time.Time{}, time.Time{}); err == nil ||
		!strings.Contains(err.Error(), "PKCS#1") {
		t.Fatalf("error %v", err)
	}
}

// The double takes the long X-Amz-Target botocore sends as well, and
// refuses unsigned requests and other operations as CloudTrail does.
func TestDoubleProtocol(t *testing.T) {
	srv := httptest.NewServer(&cloudtrailtest.Server{})
	defer srv.Close()
	post := func(target, auth string) int {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", target)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	const auth = "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/cloudtrail/aws4_request, SignedHeaders=host, Signature=00"
	for _, tc := range []struct {
		target, auth string
		status       int
	}{
		{"com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.ListPublicKeys", auth, 200},
		{"CloudTrail_20131101.ListPublicKeys", auth, 200},
		{"CloudTrail_20131101.ListPublicKeys", "", 403},
		{"CloudTrail_20131101.DeleteTrail", auth, 400},
		{"AmazonSQS.ListQueues", auth, 400},
	} {
		if got := post(tc.target, tc.auth); got != tc.status {
			t.Errorf("%s (auth %v): %d, want %d", tc.target, tc.auth != "", got, tc.status)
		}
	}
}
