package duckdb

import (
	"context"
	"errors"
	"fmt"

	"github.com/cairn-sec/cairn"
)

// BeginTx starts a write transaction and returns it as a *Tx, with the
// push-request ledger methods besides cairn.WriteTx's. It blocks while
// another transaction is open (the collector's committer included).
func (s *Store) BeginTx(ctx context.Context) (*Tx, error) {
	if s.readOnly {
		return nil, errors.New("begin: store is open read-only")
	}
	s.writeMu.Lock()
	tx, err := s.begin(ctx)
	if err != nil {
		s.writeMu.Unlock()
		return nil, err
	}
	return tx, nil
}

// RequestDone reports, inside the transaction, whether a push request is
// already in the push_requests ledger.
func (t *Tx) RequestDone(ctx context.Context, endpoint, requestID string) (bool, error) {
	var n int
	err := t.wc().QueryRowContext(ctx, `SELECT count(*) FROM push_requests WHERE endpoint = ? AND request_id = ?`,
		endpoint, requestID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("look up push request %s %s: %w", endpoint, requestID, err)
	}
	return n > 0, nil
}

// MarkRequest writes a push request's ledger entry.
func (t *Tx) MarkRequest(ctx context.Context, r cairn.PushRequest) error {
	_, err := t.wc().ExecContext(ctx, `INSERT INTO push_requests VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Endpoint, r.RequestID, nullString(r.OrganizationID), r.Records, r.Events, r.Errors, r.Bytes, r.RawBytes,
		nullTime(r.Time), t.now)
	if err != nil {
		return fmt.Errorf("record push request %s %s: %w", r.Endpoint, r.RequestID, err)
	}
	return nil
}
