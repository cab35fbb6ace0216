// Package sqs adapts an Amazon SQS queue to the collector's queue roles
// (receive, delete, change visibility, depth) and sends messages for the
// simulator.
package sqs
