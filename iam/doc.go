// Package iam adapts AWS IAM access-key management to keyrotate.IAM, and
// verifies a new access key with STS GetCallerIdentity and a real collector
// call, waiting out IAM's eventual consistency within a bound.
package iam
