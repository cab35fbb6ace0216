package awstest

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/cairn-sec/cairn/emulator"
)

// Account is the account the emulator puts in its ARNs.
const Account = "000000000000"

// Healthy is a complete, correctly configured CloudTrail source: the
// emulator's bucket, topic, queue and DLQ plus the doubles' trail, KMS key,
// reader role and bucket configuration.
type Healthy struct {
	Wiring     emulator.Wiring
	RoleARN    string // the reader role AssumeRole accepts
	ExternalID string
	Trail      Trail
	Key        KMSKey
	LogKey     string // the recent log file put in the bucket
}

// HealthyOptions name what WireHealthy sets up.
type HealthyOptions struct {
	Trail      string // default "cairn-trail"
	Role       string // default "cairn-reader"
	ExternalID string // default "cairn-external-id"
	NoObject   bool   // do not put a recent log file in the bucket
}

// WireHealthy configures st around w (made with emulator.Provision) so
// every check cairn doctor makes passes: the queue policy lets the topic
// send (set in the emulator through cfg), the trail (multi-region, log file
// validation, logging, KMS-encrypted) notifies the topic, the customer-
// managed key's policy lets the reader role decrypt, the bucket is in
// us-east-1 and keeps logs 90 days, and a log file was delivered just now.
func (st *Stack) WireHealthy(ctx context.Context, cfg aws.Config, w emulator.Wiring, o HealthyOptions) (Healthy, error) {
	if o.Trail == "" {
		o.Trail = "cairn-trail"
	}
	if o.Role == "" {
		o.Role = "cairn-reader"
	}
	if o.ExternalID == "" {
		o.ExternalID = "cairn-external-id"
	}
	h := Healthy{Wiring: w, RoleARN: "arn:aws:iam::" + Account + ":role/" + o.Role, ExternalID: o.ExternalID}
	st.STS.SetCaller(Identity{Account: Account, ARN: "arn:aws:iam::" + Account + ":user/admin", UserID: "AIDAADMIN"})
	st.STS.AddRole(Role{ARN: h.RoleARN, ExternalID: o.ExternalID})

	keyID := fmt.Sprintf("%08x-0000-4000-8000-%012x", time.Now().UnixNano()&0xffffffff, len(w.Bucket))
	h.Key = st.KMS.AddKey(KMSKey{ID: keyID, Account: Account, Aliases: []string{"alias/" + w.Bucket},
		Policy: KeyPolicy("arn:aws:iam::"+Account+":root", h.RoleARN)})

	h.Trail = st.CloudTrail.AddTrail(Trail{Name: o.Trail, Account: Account, S3BucketName: w.Bucket, SNSTopicARN: w.TopicARN,
		KMSKeyID: h.Key.ARN(), MultiRegion: true, LogFileValidation: true, IncludeGlobalServiceEvents: true, Logging: true,
		LatestDeliveryTime: time.Now().Add(-2 * time.Minute)})

	st.S3.SetBucket(w.Bucket, Bucket{Region: "us-east-1",
		Lifecycle: []LifecycleRule{{ID: "expire-logs", Prefix: "AWSLogs/", Enabled: true, ExpirationDays: 90}}})

	policy := QueuePolicy(w.QueueARN, "sns.amazonaws.com", w.TopicARN)
	if _, err := sqs.NewFromConfig(cfg).SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(w.QueueURL),
		Attributes: map[string]string{"Policy": policy}}); err != nil {
		return h, fmt.Errorf("set queue policy: %w", err)
	}
	if o.NoObject {
		return h, nil
	}
	now := time.Now().UTC()
	h.LogKey = fmt.Sprintf("AWSLogs/%s/CloudTrail/us-east-1/%s/%s_CloudTrail_us-east-1_%s_test.json.gz",
		Account, now.Format("2006/01/02"), Account, now.Format("20060102T1504Z"))
	c := s3.NewFromConfig(cfg, func(so *s3.Options) {
		so.UsePathStyle = true
		so.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
	})
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(w.Bucket), Key: aws.String(h.LogKey),
		Body: strings.NewReader(`{"Records":[]}`)}); err != nil {
		return h, fmt.Errorf("put log file: %w", err)
	}
	return h, nil
}

// KeyPolicy is a key policy in the shape CloudTrail's console writes:
// the account root administers the key, the reader role may decrypt.
func KeyPolicy(rootARN, readerARN string) string {
	return `{"Version":"2012-10-17","Id":"key-policy","Statement":[` +
		`{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"` + rootARN + `"},"Action":["kms:Create*","kms:Describe*","kms:Put*","kms:GetKeyPolicy"],"Resource":"*"},` +
		`{"Sid":"Allow CloudTrail to encrypt logs","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:GenerateDataKey*","Resource":"*"},` +
		`{"Sid":"Allow the reader to decrypt","Effect":"Allow","Principal":{"AWS":["` + readerARN + `"]},"Action":["kms:Decrypt","kms:DescribeKey"],"Resource":"*"}]}`
}

// QueuePolicy lets service send to the queue from source (a topic or
// bucket ARN) only.
func QueuePolicy(queueARN, service, source string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"deliver","Effect":"Allow","Principal":{"Service":"` + service +
		`"},"Action":"sqs:SendMessage","Resource":"` + queueARN + `","Condition":{"ArnEquals":{"aws:SourceArn":"` + source + `"}}}]}`
}
