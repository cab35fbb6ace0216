package duckdb

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations are applied in order; the schema version is their count.
// Never edit a released migration: append a new one.
var migrations = []string{
	// 1: events, objects ledger, ingest errors.
	`CREATE TABLE IF NOT EXISTS events (
		time TIMESTAMP NOT NULL,
		source VARCHAR NOT NULL,
		event_id VARCHAR,
		event_name VARCHAR,
		event_source VARCHAR,
		event_type VARCHAR,
		read_only BOOLEAN,
		account_id VARCHAR,
		aws_region VARCHAR,
		user_type VARCHAR,
		user_arn VARCHAR,
		user_name VARCHAR,
		user_principal_id VARCHAR,
		access_key_id VARCHAR,
		session_issuer_arn VARCHAR,
		session_mfa BOOLEAN,
		invoked_by VARCHAR,
		source_ip VARCHAR,
		user_agent VARCHAR,
		error_code VARCHAR,
		error_message VARCHAR,
		status VARCHAR,
		level VARCHAR,
		class_uid INTEGER,
		activity_id INTEGER,
		type_uid INTEGER,
		request_parameters JSON,
		response_elements JSON,
		additional_event_data JSON,
		resources JSON,
		raw JSON,
		s3_bucket VARCHAR,
		s3_key VARCHAR,
		record_index BIGINT,
		ingested_at TIMESTAMP NOT NULL
	);
	CREATE TABLE IF NOT EXISTS objects (
		bucket VARCHAR NOT NULL,
		key VARCHAR NOT NULL,
		etag VARCHAR NOT NULL,
		version_id VARCHAR,
		kind VARCHAR NOT NULL,
		events BIGINT NOT NULL,
		errors BIGINT NOT NULL,
		bytes BIGINT NOT NULL,
		raw_bytes BIGINT NOT NULL,
		object_time TIMESTAMP,
		ingested_at TIMESTAMP NOT NULL,
		PRIMARY KEY (bucket, key, etag)
	);
	CREATE TABLE IF NOT EXISTS ingest_errors (
		time TIMESTAMP NOT NULL,
		bucket VARCHAR,
		key VARCHAR,
		etag VARCHAR,
		byte_offset BIGINT,
		record_index BIGINT,
		reason VARCHAR NOT NULL,
		detail VARCHAR NOT NULL,
		raw BLOB
	);`,
}

// eventColumns is the events table's column order, used by the appender.
const eventColumns = 35

func migrate(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	var current int
	if err := db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if current > len(migrations) {
		return fmt.Errorf("store schema version %d is newer than this cairn (%d): upgrade cairn", current, len(migrations))
	}
	for v := current + 1; v <= len(migrations); v++ {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migration %d: %w", v, err)
		}
		if _, err := tx.ExecContext(ctx, migrations[v-1]); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %d: %w", v, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations VALUES (?, now())`, v); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %d: %w", v, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migration %d: commit: %w", v, err)
		}
	}
	return nil
}
