// Package notification parses the bodies of SQS messages that tell Cairn
// about new objects in S3 (CloudTrail log files).
//
// Parse recognises these shapes, bare or wrapped once in an SNS envelope
// (SNS → SQS without raw message delivery):
//
//   - CloudTrail's SNS message {"s3Bucket":"b","s3ObjectKey":["k1","k2"]}.
//     Keys are used as-is (they are not URL-encoded). s3ObjectKey may also be
//     a single string.
//   - S3 event notifications {"Records":[{"eventSource":"aws:s3",...}]},
//     eventVersion 2.x. Only ObjectCreated:* records yield objects; other
//     records are skipped. Keys are URL-decoded with form semantics
//     ("+" is a space, "%2B" a plus), as S3 encodes them.
//   - EventBridge "Object Created" events from source "aws.s3". Keys are
//     percent-decoded (url.PathUnescape, "+" stays a plus) only when they
//     contain at least one valid %XX escape, the whole key decodes, and
//     the result is valid UTF-8; otherwise they are used as-is. AWS does not
//     document whether these keys are encoded, so this accepts both. A key
//     whose real name contains "%XX" is therefore misread; such keys are
//     rare in CloudTrail buckets.
//   - The s3:TestEvent S3 sends when a notification configuration is saved,
//     and SNS SubscriptionConfirmation / UnsubscribeConfirmation messages:
//     these come back with Ignore set, to be deleted without other work.
//
// Every other body yields an error wrapping cairn.ErrUnknownNotification
// whose text names the shape that was seen, so the message can be left for
// the queue's dead-letter queue and diagnosed from the log line. Errors and
// reasons quote at most a few dozen bytes of the body. Bodies larger than
// 1 MiB (the SQS maximum) are refused without being decoded. Event times are
// returned in UTC.
package notification
