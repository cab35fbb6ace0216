// Package sns publishes to an Amazon SNS topic (the simulator's path for
// CloudTrail's own notifications and S3 events fanned out through SNS).
package sns
