// Package emulator runs fauxqs, the SNS/SQS/S3 emulator Cairn's demo and
// tests use, as a child process on a free port, and provisions on it (or on
// real AWS) the wiring a deployment has: a bucket, an SNS topic, an SQS
// queue subscribed to it and a dead-letter queue with a redrive policy.
package emulator
