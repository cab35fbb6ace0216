// Package cairn holds the domain types shared by every part of Cairn: the
// normalized Event, the reference to an S3 object a notification points at,
// the per-object ledger record, ingest errors and the error classes that
// decide whether work is retried.
//
// The package imports nothing from AWS or DuckDB; adapters (sqs, s3, duckdb)
// and subsystems (ingest, cloudtrail, notification) depend on it, never the
// reverse.
package cairn
