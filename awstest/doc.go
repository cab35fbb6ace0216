// Package awstest is one faithful test server for the AWS APIs no emulator
// provides here. It speaks the real wire protocols, so unmodified
// aws-sdk-go-v2 clients talk to it through an endpoint override.
//
// Server routes each request by the service named in its SigV4 credential
// scope (Authorization: AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/
// <service>/aws4_request, …) to the handler registered for that service
// with Handle, and everything else to Next — the fauxqs emulator, so one
// endpoint fronts S3/SNS/SQS and the doubles. Each service is a standalone
// http.Handler in its own file with state a test sets up and inspects:
//
//   - STS (sts.go): GetCallerIdentity, AssumeRole — query protocol, XML.
//   - KMS (kms.go): DescribeKey, GetKeyPolicy — JSON 1.1, TrentService.
//   - CloudTrail (cloudtrail.go): DescribeTrails, GetTrailStatus,
//     GetEventSelectors, ListPublicKeys — JSON 1.1.
//   - S3Extras (s3extras.go): the bucket sub-resources fauxqs lacks
//     (?location, ?notification, ?lifecycle, ?policy) in REST-XML, from
//     state; every other S3 request goes to Next.
//   - SQS (sqs.go), SNS (sns.go): pass everything to Next (fauxqs) except
//     the calls a test makes fail.
//   - CloudTrail writes (cloudtrail_write.go): CreateTrail, UpdateTrail,
//     StartLogging, StopLogging, DeleteTrail on the same trails.
//   - IAM (iam.go): users' access keys (Create/List/Update/DeleteAccessKey,
//     GetUser, GetAccessKeyLastUsed), two per user, SigV4 signatures
//     verified; IAM.Mount puts its keys in front of STS (iam_sts.go) so
//     GetCallerIdentity names the key's user, with a propagation delay.
//   - Secrets Manager (secretsmanager.go): CreateSecret, GetSecretValue,
//     PutSecretValue, DescribeSecret with AWSCURRENT/AWSPREVIOUS stages —
//     JSON 1.1. Mount it with SecretsManager.Mount.
//
// fauxqs 1.9.2 answers the SNS and SQS calls Cairn's doctor needs itself
// (ListSubscriptionsByTopic, GetTopicAttributes, GetQueueAttributes with
// Policy and RedrivePolicy), but routes every S3 bucket sub-resource to
// ListObjects, so GetBucketLocation/Notification/Lifecycle/Policy "succeed"
// with empty answers there: S3Extras answers them.
//
// Every handler has Faults: a test makes any one call fail with the
// service's own AccessDenied shape (or any error) to see how callers react.
// NewStack wires all of them in front of an emulator, and Stack.WireHealthy
// sets up a complete, correct CloudTrail source a test can then break.
//
// Adding a service: write its handler in its own file with the shared
// protocol helpers (jsonOp/writeJSON/jsonError for JSON 1.0/1.1 services,
// queryError/writeXML for query-protocol ones such as IAM) and register it
// with Handle under its SigV4 service name. More CloudTrail operations
// (the mutating ones) register in moreCloudTrailOps from an init function
// in their own file.
package awstest
