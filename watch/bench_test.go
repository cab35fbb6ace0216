package watch_test

import (
	"context"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/cairn-sec/cairn/awstest"
	"github.com/cairn-sec/cairn/cloudtrailapi"
	"github.com/cairn-sec/cairn/emulator/emutest"
	"github.com/cairn-sec/cairn/s3"
	"github.com/cairn-sec/cairn/sns"
	"github.com/cairn-sec/cairn/sqs"
	"github.com/cairn-sec/cairn/watch"
)

// BenchmarkCheck is one clean check of a whole wiring — trail, topic,
// subscription, queue, DLQ, bucket — against the emulator and the
// CloudTrail double: the cost of one cairn watch round.
func BenchmarkCheck(b *testing.B) {
	e := emutest.Start(b)
	w := emutest.Wire(b, e, 5, time.Minute)
	u, err := url.Parse(e.Endpoint)
	if err != nil {
		b.Fatal(err)
	}
	st := awstest.NewStack(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(u); r.Out.Host = u.Host }})
	st.CloudTrail.AddTrail(awstest.Trail{Name: "cairn-trail", S3BucketName: w.Bucket, SNSTopicARN: w.TopicARN, MultiRegion: true, LogFileValidation: true, Logging: true})
	srv := httptest.NewServer(st)
	defer srv.Close()
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
	o := watch.Options{Spec: watch.Spec{QueueURL: w.QueueURL, TopicARN: w.TopicARN, Configured: map[string]bool{w.QueueURL: true, w.TopicARN: true}},
		Account: "000000000000", Region: "us-east-1", CloudTrail: cloudtrailapi.New(cfg), SNS: sns.NewAdmin(cfg), SQS: sqs.NewAdmin(cfg),
		Buckets: s3.New(cfg, s3.Options{PathStyle: true}), Repair: true}
	ctx := context.Background()
	watch.Check(ctx, o) // applies the policies provisioning leaves out
	o.Repair = false
	for b.Loop() {
		if r := watch.Check(ctx, o); len(r.Findings) != 0 {
			b.Fatalf("findings on a clean wiring: %+v", r.Findings)
		}
	}
}
