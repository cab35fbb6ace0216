package duckdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cairn-sec/cairn"
)

// DigestsToCheck returns the CloudTrail digest files in the ledger not
// checked yet (oldest key first) and the checks still pending.
func (s *Store) DigestsToCheck(ctx context.Context, limit int) (fresh []cairn.ObjectRef, pending []cairn.DigestCheck, err error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT o.bucket, o.key FROM objects o
		WHERE o.kind = 'cloudtrail-digest'
		  AND NOT EXISTS (SELECT 1 FROM digest_checks d WHERE d.bucket = o.bucket AND d.key = o.key)
		ORDER BY o.key LIMIT ?`, limit)
	if err != nil {
		return nil, nil, fmt.Errorf("digests to check: %w", err)
	}
	for rows.Next() {
		var r cairn.ObjectRef
		if err := rows.Scan(&r.Bucket, &r.Key); err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("digests to check: %w", err)
		}
		fresh = append(fresh, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("digests to check: %w", err)
	}
	prows, err := s.db.QueryContext(ctx, digestCheckSelect+` WHERE status = 'pending' ORDER BY key`)
	if err != nil {
		return nil, nil, fmt.Errorf("pending digest checks: %w", err)
	}
	defer prows.Close()
	for prows.Next() {
		c, err := scanDigestCheck(prows)
		if err != nil {
			return nil, nil, err
		}
		pending = append(pending, c)
	}
	return fresh, pending, prows.Err()
}

const digestCheckSelect = `SELECT bucket, key, chain, end_time, coalesce(signature, ''), coalesce(hash, ''), status, coalesce(pending, ''), checked_at FROM digest_checks`

type scanner interface{ Scan(dest ...any) error }

func scanDigestCheck(r scanner) (cairn.DigestCheck, error) {
	var c cairn.DigestCheck
	var pending string
	if err := r.Scan(&c.Bucket, &c.Key, &c.Chain, &c.End, &c.Signature, &c.Hash, &c.Status, &pending, &c.CheckedAt); err != nil {
		return c, fmt.Errorf("read digest check: %w", err)
	}
	if pending != "" {
		if err := json.Unmarshal([]byte(pending), &c.Pending); err != nil {
			return c, fmt.Errorf("digest check %s: pending: %w", c.Key, err)
		}
	}
	return c, nil
}

// DigestCheck returns the stored check of a digest file.
func (s *Store) DigestCheck(ctx context.Context, bucket, key string) (cairn.DigestCheck, bool, error) {
	c, err := scanDigestCheck(s.db.QueryRowContext(ctx, digestCheckSelect+` WHERE bucket = ? AND key = ?`, bucket, key))
	if errors.Is(err, sql.ErrNoRows) {
		return c, false, nil
	}
	return c, err == nil, err
}

// ChainChecked reports whether any digest of a chain was checked before.
func (s *Store) ChainChecked(ctx context.Context, chain string) (bool, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM digest_checks WHERE chain = ?`, chain).Scan(&n); err != nil {
		return false, fmt.Errorf("digest chain %s: %w", chain, err)
	}
	return n > 0, nil
}

// ObjectSHA256 returns the SHA-256 recorded for an ingested object: found
// is false when it is not in the ledger, sum "" when it was ingested
// without one.
func (s *Store) ObjectSHA256(ctx context.Context, bucket, key string) (sum string, found bool, err error) {
	var v sql.NullString
	err = s.db.QueryRowContext(ctx, `SELECT sha256 FROM objects WHERE bucket = ? AND key = ? ORDER BY ingested_at DESC LIMIT 1`, bucket, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("ledger s3://%s/%s: %w", bucket, key, err)
	}
	return v.String, true, nil
}

// SaveDigestCheck stores a digest's check and its alerts in one
// transaction.
func (s *Store) SaveDigestCheck(ctx context.Context, c cairn.DigestCheck, alerts []cairn.Alert, window time.Duration) error {
	tx, err := s.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	t := tx.(*Tx)
	pending, _ := json.Marshal(c.Pending)
	if _, err := t.wc().ExecContext(ctx, `DELETE FROM digest_checks WHERE bucket = ? AND key = ?`, c.Bucket, c.Key); err != nil {
		return fmt.Errorf("save digest check %s: %w", c.Key, err)
	}
	if _, err := t.wc().ExecContext(ctx, `INSERT INTO digest_checks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.Bucket, c.Key, c.Chain, c.End, nullString(c.Signature), nullString(c.Hash), c.Status, string(pending), t.now); err != nil {
		return fmt.Errorf("save digest check %s: %w", c.Key, err)
	}
	if len(alerts) > 0 {
		if _, err := t.UpsertAlerts(ctx, alerts, window); err != nil {
			return err
		}
	}
	_, err = t.Commit(ctx)
	return err
}
