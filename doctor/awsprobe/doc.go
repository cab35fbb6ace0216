// Package awsprobe implements doctor's interfaces with aws-sdk-go-v2: STS
// GetCallerIdentity; SQS GetQueueAttributes and a non-consuming
// ReceiveMessage; SNS ListSubscriptionsByTopic; S3 GetBucketLocation,
// GetBucketNotificationConfiguration, GetBucketLifecycleConfiguration,
// ListObjectsV2 and GetObject (through cairn's s3 client, which tells S3
// and KMS denials apart); KMS DescribeKey and GetKeyPolicy; CloudTrail
// DescribeTrails and GetTrailStatus. Each call goes to the region its
// resource lives in; errors are classified with awsauth.Classify, and "does
// not exist" answers wrap cairn.ErrNotFound.
package awsprobe
