// Package simulate generates realistic AWS CloudTrail log files and the
// notifications AWS sends when they are delivered. It backs the
// `cairn simulate` command, the demo, tests and benchmarks.
//
// A Generator produces records with CloudTrail's field names and order:
// every userIdentity type (Root, IAMUser, AssumedRole, Role,
// FederatedUser, AWSAccount, AWSService, SAMLUser, WebIdentityUser,
// IdentityCenterUser, Directory, Unknown, and the type-less identity of
// AwsServiceEvent records), over seventy API calls across nineteen services
// with realistic requestParameters and responseElements, console
// sign-ins that succeed and fail, and roughly 8% failed API calls with
// the error codes and messages the services use. Each account gets a
// stable population of users, roles, access keys and resources, so
// records reference the same principals the way real logs do.
//
// Output is deterministic for a given Options (including Start): the same
// Seed yields the same keys, bodies and eventIDs. Separate runs feeding
// one store need separate seeds.
//
// NextFile returns gzip-compressed log files under CloudTrail's key
// layout; WriteLog streams arbitrarily large uncompressed files;
// InsightFile and DigestFile produce CloudTrail Insights and digest
// files. CloudTrailMessage, S3EventMessage, EventBridgeMessage,
// SNSEnvelope and S3TestEvent build notification bodies exactly as AWS
// delivers them, and Run drives real (or fake) S3 and SNS/SQS clients
// through the small Putter and Publisher interfaces.
package simulate
