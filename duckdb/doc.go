// Package duckdb is Cairn's embedded store: a DuckDB database file holding
// the normalized events table, the objects ledger and ingest_errors.
//
// Writes go through Tx: events are appended in bulk to a connection-local
// staging table and moved into events with one INSERT ... SELECT that drops
// event IDs already stored, so the same CloudTrail eventID is never stored
// twice. An object's rows and its ledger entry commit in one transaction.
//
// Reads from users run with external access disabled, configuration locked,
// one statement at a time, and only SELECT-like statements.
package duckdb
