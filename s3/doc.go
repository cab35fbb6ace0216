// Package s3 reads objects from Amazon S3 for the pipeline: GetObject with
// a client per bucket region (found with HeadBucket), listing for
// backfills, and PutObject for the simulator. SSE-KMS objects are
// transparent; a denied kms:Decrypt is reported as such.
package s3
