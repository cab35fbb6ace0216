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
	`CREATE TABLE IF NOT EXISTS events_data (
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
		raw VARCHAR,
		s3_bucket VARCHAR,
		s3_key VARCHAR,
		record_index BIGINT,
		ingested_at TIMESTAMP NOT NULL
	);
	CREATE OR REPLACE VIEW events AS SELECT
		time, source, event_id, event_name, event_source, event_type, read_only, account_id, aws_region,
		user_type, user_arn, user_name, user_principal_id, access_key_id, session_issuer_arn, session_mfa,
		invoked_by, source_ip, user_agent, error_code, error_message, status, level, class_uid, activity_id, type_uid,
		nullif(json_extract(raw, '$.requestParameters'), 'null'::JSON) AS request_parameters,
		nullif(json_extract(raw, '$.responseElements'), 'null'::JSON) AS response_elements,
		nullif(json_extract(raw, '$.additionalEventData'), 'null'::JSON) AS additional_event_data,
		nullif(json_extract(raw, '$.resources'), 'null'::JSON) AS resources,
		raw, s3_bucket, s3_key, record_index, ingested_at
	FROM events_data;
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
	// 2: network and DNS activity (VPC Flow Logs, Route 53 Resolver). The
	// view keeps every column of migration 1 in its order and appends the
	// new ones at the end.
	`ALTER TABLE events_data ADD COLUMN dst_ip VARCHAR;
	ALTER TABLE events_data ADD COLUMN src_port INTEGER;
	ALTER TABLE events_data ADD COLUMN dst_port INTEGER;
	ALTER TABLE events_data ADD COLUMN protocol INTEGER;
	ALTER TABLE events_data ADD COLUMN bytes BIGINT;
	ALTER TABLE events_data ADD COLUMN packets BIGINT;
	ALTER TABLE events_data ADD COLUMN action VARCHAR;
	ALTER TABLE events_data ADD COLUMN direction VARCHAR;
	ALTER TABLE events_data ADD COLUMN traffic_path INTEGER;
	ALTER TABLE events_data ADD COLUMN vpc_id VARCHAR;
	ALTER TABLE events_data ADD COLUMN subnet_id VARCHAR;
	ALTER TABLE events_data ADD COLUMN instance_id VARCHAR;
	ALTER TABLE events_data ADD COLUMN interface_id VARCHAR;
	ALTER TABLE events_data ADD COLUMN log_status VARCHAR;
	ALTER TABLE events_data ADD COLUMN start_time TIMESTAMP;
	ALTER TABLE events_data ADD COLUMN end_time TIMESTAMP;
	ALTER TABLE events_data ADD COLUMN query_name VARCHAR;
	ALTER TABLE events_data ADD COLUMN query_type VARCHAR;
	ALTER TABLE events_data ADD COLUMN query_class VARCHAR;
	ALTER TABLE events_data ADD COLUMN rcode VARCHAR;
	ALTER TABLE events_data ADD COLUMN answers VARCHAR;
	CREATE OR REPLACE VIEW events AS SELECT
		time, source, event_id, event_name, event_source, event_type, read_only, account_id, aws_region,
		user_type, user_arn, user_name, user_principal_id, access_key_id, session_issuer_arn, session_mfa,
		invoked_by, source_ip, user_agent, error_code, error_message, status, level, class_uid, activity_id, type_uid,
		nullif(json_extract(raw, '$.requestParameters'), 'null'::JSON) AS request_parameters,
		nullif(json_extract(raw, '$.responseElements'), 'null'::JSON) AS response_elements,
		nullif(json_extract(raw, '$.additionalEventData'), 'null'::JSON) AS additional_event_data,
		nullif(json_extract(raw, '$.resources'), 'null'::JSON) AS resources,
		raw, s3_bucket, s3_key, record_index, ingested_at,
		dst_ip, src_port, dst_port, protocol, bytes, packets, action, direction, traffic_path,
		vpc_id, subnet_id, instance_id, interface_id, log_status, start_time, end_time,
		query_name, query_type, query_class, rcode, answers::JSON AS answers
	FROM events_data;`,
	// 3: logs (CloudWatch Logs, EKS control plane and Kubernetes audit,
	// application logs) and HTTP access logs. message is stored when it
	// was lifted out of a structured record; for a text line it is the
	// line itself, which raw holds already, so the view shows raw.
	`ALTER TABLE events_data ADD COLUMN cluster VARCHAR;
	ALTER TABLE events_data ADD COLUMN namespace VARCHAR;
	ALTER TABLE events_data ADD COLUMN component VARCHAR;
	ALTER TABLE events_data ADD COLUMN log_group VARCHAR;
	ALTER TABLE events_data ADD COLUMN log_stream VARCHAR;
	ALTER TABLE events_data ADD COLUMN service VARCHAR;
	ALTER TABLE events_data ADD COLUMN trace_id VARCHAR;
	ALTER TABLE events_data ADD COLUMN pod VARCHAR;
	ALTER TABLE events_data ADD COLUMN container VARCHAR;
	ALTER TABLE events_data ADD COLUMN host VARCHAR;
	ALTER TABLE events_data ADD COLUMN message VARCHAR;
	ALTER TABLE events_data ADD COLUMN http_method VARCHAR;
	ALTER TABLE events_data ADD COLUMN url VARCHAR;
	ALTER TABLE events_data ADD COLUMN http_status INTEGER;
	CREATE OR REPLACE VIEW events AS SELECT
		time, source, event_id, event_name, event_source, event_type, read_only, account_id, aws_region,
		user_type, user_arn, user_name, user_principal_id, access_key_id, session_issuer_arn, session_mfa,
		invoked_by, source_ip, user_agent, error_code, error_message, status, level, class_uid, activity_id, type_uid,
		nullif(json_extract(raw, '$.requestParameters'), 'null'::JSON) AS request_parameters,
		nullif(json_extract(raw, '$.responseElements'), 'null'::JSON) AS response_elements,
		nullif(json_extract(raw, '$.additionalEventData'), 'null'::JSON) AS additional_event_data,
		nullif(json_extract(raw, '$.resources'), 'null'::JSON) AS resources,
		raw, s3_bucket, s3_key, record_index, ingested_at,
		dst_ip, src_port, dst_port, protocol, bytes, packets, action, direction, traffic_path,
		vpc_id, subnet_id, instance_id, interface_id, log_status, start_time, end_time,
		query_name, query_type, query_class, rcode, answers::JSON AS answers,
		cluster, namespace, component, log_group, log_stream, service, trace_id, pod, container, host,
		CASE WHEN message IS NULL AND source IN ('aws.cloudwatch_logs', 'aws.eks', 'application') THEN raw ELSE message END AS message,
		http_method, url, http_status
	FROM events_data;`,
	// 4: pushed events (Firehose HTTP endpoint, /v1/logs): the organization
	// a forwarder names, and the ledger of committed push requests that
	// makes a retried request store nothing twice. The view's JSON columns
	// are NULL for a raw that is not JSON (a text log line) instead of
	// failing every query that selects them.
	`ALTER TABLE events_data ADD COLUMN organization_id VARCHAR;
	CREATE TABLE IF NOT EXISTS push_requests (
		endpoint VARCHAR NOT NULL,
		request_id VARCHAR NOT NULL,
		organization_id VARCHAR,
		records BIGINT NOT NULL,
		events BIGINT NOT NULL,
		errors BIGINT NOT NULL,
		bytes BIGINT NOT NULL,
		raw_bytes BIGINT NOT NULL,
		request_time TIMESTAMP,
		ingested_at TIMESTAMP NOT NULL,
		PRIMARY KEY (endpoint, request_id)
	);
	CREATE OR REPLACE VIEW events AS SELECT
		time, source, event_id, event_name, event_source, event_type, read_only, account_id, aws_region,
		user_type, user_arn, user_name, user_principal_id, access_key_id, session_issuer_arn, session_mfa,
		invoked_by, source_ip, user_agent, error_code, error_message, status, level, class_uid, activity_id, type_uid,
		nullif(try(json_extract(raw, '$.requestParameters')), 'null'::JSON) AS request_parameters,
		nullif(try(json_extract(raw, '$.responseElements')), 'null'::JSON) AS response_elements,
		nullif(try(json_extract(raw, '$.additionalEventData')), 'null'::JSON) AS additional_event_data,
		nullif(try(json_extract(raw, '$.resources')), 'null'::JSON) AS resources,
		raw, s3_bucket, s3_key, record_index, ingested_at,
		dst_ip, src_port, dst_port, protocol, bytes, packets, action, direction, traffic_path,
		vpc_id, subnet_id, instance_id, interface_id, log_status, start_time, end_time,
		query_name, query_type, query_class, rcode, answers::JSON AS answers,
		cluster, namespace, component, log_group, log_stream, service, trace_id, pod, container, host,
		CASE WHEN message IS NULL AND source IN ('aws.cloudwatch_logs', 'aws.eks', 'application') THEN raw ELSE message END AS message,
		http_method, url, http_status, organization_id
	FROM events_data;`,
	// 5: detections: alerts (with suppression) and the detection engine's
	// persisted state (correlation windows), written in the same
	// transactions as the events that caused them.
	`CREATE TABLE IF NOT EXISTS alerts (
		id VARCHAR NOT NULL,
		kind VARCHAR NOT NULL,
		rule_id VARCHAR NOT NULL,
		title VARCHAR NOT NULL,
		severity VARCHAR NOT NULL,
		tags VARCHAR,
		author VARCHAR,
		license VARCHAR,
		source VARCHAR,
		group_key VARCHAR NOT NULL,
		fields VARCHAR,
		first_seen TIMESTAMP NOT NULL,
		last_seen TIMESTAMP NOT NULL,
		count BIGINT NOT NULL,
		sample_event_ids VARCHAR,
		status VARCHAR NOT NULL,
		created_at TIMESTAMP NOT NULL,
		updated_at TIMESTAMP NOT NULL
	);
	CREATE TABLE IF NOT EXISTS detect_state (
		name VARCHAR NOT NULL,
		generation BIGINT NOT NULL,
		state VARCHAR NOT NULL,
		updated_at TIMESTAMP NOT NULL
	);`,
	// 6: delivery of alerts to outputs (webhook, Slack, log): one row per
	// alert and output once a delivery was attempted.
	`CREATE TABLE IF NOT EXISTS alert_deliveries (
		alert_id VARCHAR NOT NULL,
		output VARCHAR NOT NULL,
		attempts INTEGER NOT NULL,
		next_attempt TIMESTAMP NOT NULL,
		delivered_at TIMESTAMP,
		last_error VARCHAR,
		sent_severity VARCHAR,
		sent_count BIGINT,
		PRIMARY KEY (alert_id, output)
	);`,
	// 7: Continuous digest verification (cairn collect, collect.verify_digests):
	// the SHA-256 of each object's uncompressed content, computed while it
	// is ingested; each digest file checked (signature, chain) and the log
	// files it lists still waiting to be ingested.
	`ALTER TABLE objects ADD COLUMN IF NOT EXISTS sha256 VARCHAR;
	CREATE TABLE IF NOT EXISTS digest_checks (
		bucket VARCHAR NOT NULL,
		key VARCHAR NOT NULL,
		chain VARCHAR NOT NULL,
		end_time TIMESTAMP NOT NULL,
		signature VARCHAR,
		hash VARCHAR,
		status VARCHAR NOT NULL,
		pending VARCHAR,
		checked_at TIMESTAMP NOT NULL,
		PRIMARY KEY (bucket, key)
	);`,
	// 8: alerts are versioned: an alert that absorbs new matches gets a new
	// row with the next version (an append; DuckDB's UPDATE cost
	// milliseconds per transaction, growing with the table), the alerts
	// view shows each alert's latest version, and the writer deletes
	// superseded versions now and then (see alertVersions).
	`ALTER TABLE alerts RENAME TO alert_versions;
	ALTER TABLE alert_versions ADD COLUMN version BIGINT DEFAULT 1;
	CREATE VIEW alerts AS SELECT id, kind, rule_id, title, severity, tags, author, license, source, group_key, fields,
		first_seen, last_seen, count, sample_event_ids, status, created_at, updated_at
	FROM alert_versions QUALIFY row_number() OVER (PARTITION BY id ORDER BY version DESC) = 1;`,
	// 9: deltas of the detection engine's states (the first-seen memory):
	// a transaction appends what changed instead of rewriting a large
	// state; the next full state replaces them.
	`CREATE TABLE IF NOT EXISTS detect_state_deltas (
		name VARCHAR NOT NULL,
		generation BIGINT NOT NULL,
		delta VARCHAR NOT NULL,
		created_at TIMESTAMP NOT NULL
	);`,
}

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
