package duckdb

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"
	"unsafe"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/cairn-sec/cairn"
)

// The staging table holds JSON columns as VARCHAR: the appender would
// otherwise re-encode strings as JSON strings. The move into events casts
// them, and keeps any text DuckDB does not accept as JSON as a JSON string
// rather than failing the transaction.
const stageDDL = `CREATE TEMP TABLE IF NOT EXISTS stage_events AS SELECT * REPLACE (
	request_parameters::VARCHAR AS request_parameters, response_elements::VARCHAR AS response_elements,
	additional_event_data::VARCHAR AS additional_event_data, resources::VARCHAR AS resources, raw::VARCHAR AS raw)
	FROM events LIMIT 0`

const stageSelect = `s.* REPLACE (
	coalesce(try_cast(s.request_parameters AS JSON), to_json(s.request_parameters)) AS request_parameters,
	coalesce(try_cast(s.response_elements AS JSON), to_json(s.response_elements)) AS response_elements,
	coalesce(try_cast(s.additional_event_data AS JSON), to_json(s.additional_event_data)) AS additional_event_data,
	coalesce(try_cast(s.resources AS JSON), to_json(s.resources)) AS resources,
	coalesce(try_cast(s.raw AS JSON), to_json(s.raw)) AS raw)`

// flushRows is how many staged rows trigger a move into events, bounding
// the staging table while a large object streams through one transaction.
const flushRows = 50_000

// Tx is a write transaction. Events appended to it, rejected records and
// ledger entries become visible together at Commit, or not at all.
// A Tx is not safe for concurrent use; the store runs one at a time.
type Tx struct {
	s      *Store
	app    *duckdb.Appender
	staged int
	minT   time.Time
	maxT   time.Time
	now    time.Time
	res    CommitResult
	ended  bool
}

// CommitResult counts what a transaction stored.
type CommitResult = cairn.CommitResult

var _ cairn.WriteTx = (*Tx)(nil)

// Begin starts a write transaction. It blocks while another is open.
func (s *Store) Begin(ctx context.Context) (cairn.WriteTx, error) {
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

func (s *Store) begin(ctx context.Context) (*Tx, error) {
	if s.wconn == nil {
		c, err := s.db.Conn(ctx)
		if err != nil {
			return nil, fmt.Errorf("writer connection: %w", err)
		}
		if _, err := c.ExecContext(ctx, stageDDL); err != nil {
			c.Close()
			return nil, fmt.Errorf("create staging table: %w", err)
		}
		s.wconn = c
	}
	if _, err := s.wconn.ExecContext(ctx, `BEGIN TRANSACTION`); err != nil {
		s.resetConn()
		return nil, fmt.Errorf("begin: %w", err)
	}
	tx := &Tx{s: s, now: time.Now().UTC()}
	err := s.wconn.Raw(func(dc any) error {
		a, err := duckdb.NewAppender(dc.(driver.Conn), "temp", "main", "stage_events")
		tx.app = a
		return err
	})
	if err != nil {
		s.wconn.ExecContext(context.WithoutCancel(ctx), `ROLLBACK`)
		return nil, fmt.Errorf("staging appender: %w", err)
	}
	return tx, nil
}

// resetConn drops the writer connection after an error left it unusable.
func (s *Store) resetConn() {
	if s.wconn != nil {
		s.wconn.Close()
		s.wconn = nil
	}
}

// Append stages events. Their Raw and JSON fields must not change afterwards.
func (t *Tx) Append(ctx context.Context, evs []*cairn.Event) error {
	for _, ev := range evs {
		if err := t.app.AppendRow(eventRow(ev, t.now)...); err != nil {
			return fmt.Errorf("append event %s: %w", ev.EventID, err)
		}
		if t.staged == 0 || ev.Time.Before(t.minT) {
			t.minT = ev.Time
		}
		if t.staged == 0 || ev.Time.After(t.maxT) {
			t.maxT = ev.Time
		}
		t.staged++
		t.res.Appended++
		if t.staged >= flushRows {
			if err := t.flush(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}

// flush moves staged events into events, keeping the first of each
// event_id and dropping those already stored. The time window limits the
// duplicate probe to the row groups that can hold them.
func (t *Tx) flush(ctx context.Context) error {
	if t.staged == 0 {
		return nil
	}
	if err := t.app.Flush(); err != nil {
		return fmt.Errorf("flush staged events: %w", err)
	}
	from := t.minT.UTC().Format("2006-01-02 15:04:05.999999")
	to := t.maxT.UTC().Format("2006-01-02 15:04:05.999999")
	// The bounds are our own formatted timestamps, not user text; literals
	// (not parameters) let DuckDB prune row groups by their min/max.
	q := `INSERT INTO events SELECT ` + stageSelect + ` FROM stage_events s
		WHERE s.event_id IS NULL OR s.event_id NOT IN (
			SELECT e.event_id FROM events e
			WHERE e.time >= TIMESTAMP '` + from + `' AND e.time <= TIMESTAMP '` + to + `' AND e.event_id IS NOT NULL)
		QUALIFY s.event_id IS NULL OR row_number() OVER (PARTITION BY s.event_id ORDER BY s.s3_key, s.record_index) = 1`
	res, err := t.s.wconn.ExecContext(ctx, q)
	if err != nil {
		return fmt.Errorf("insert events: %w", err)
	}
	n, _ := res.RowsAffected()
	t.res.Inserted += n
	t.res.Duplicates += int64(t.staged) - n
	if _, err := t.s.wconn.ExecContext(ctx, `DELETE FROM stage_events`); err != nil {
		return fmt.Errorf("clear staging: %w", err)
	}
	t.staged = 0
	return nil
}

// Done reports, inside the transaction, whether an object is already in the
// ledger (committed earlier, or marked in this transaction).
func (t *Tx) Done(ctx context.Context, ref cairn.ObjectRef) (bool, error) {
	var n int
	err := t.s.wconn.QueryRowContext(ctx, `SELECT count(*) FROM objects WHERE bucket = ? AND key = ? AND etag = ?`,
		ref.Bucket, ref.Key, ref.ETag).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("look up %s in objects: %w", ref, err)
	}
	return n > 0, nil
}

// MarkDone writes an object's ledger entry.
func (t *Tx) MarkDone(ctx context.Context, rec cairn.ObjectRecord) error {
	_, err := t.s.wconn.ExecContext(ctx, `INSERT INTO objects VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		rec.Ref.Bucket, rec.Ref.Key, rec.Ref.ETag, nullString(rec.Ref.VersionID), string(rec.Kind),
		rec.Events, rec.Errors, rec.Bytes, rec.RawBytes, nullTime(rec.Ref.EventTime), t.now)
	if err != nil {
		return fmt.Errorf("record %s in objects: %w", rec.Ref, err)
	}
	return nil
}

// Reject stores ingest errors.
func (t *Tx) Reject(ctx context.Context, errs []cairn.IngestError) error {
	for _, e := range errs {
		tm := e.Time
		if tm.IsZero() {
			tm = t.now
		}
		_, err := t.s.wconn.ExecContext(ctx, `INSERT INTO ingest_errors VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			tm.UTC(), nullString(e.Ref.Bucket), nullString(e.Ref.Key), nullString(e.Ref.ETag),
			e.Offset, e.Index, e.Reason, e.Detail, e.Raw)
		if err != nil {
			return fmt.Errorf("record ingest error for %s: %w", e.Ref, err)
		}
	}
	return nil
}

// Commit makes everything in the transaction durable.
func (t *Tx) Commit(ctx context.Context) (CommitResult, error) {
	if t.ended {
		return t.res, errors.New("commit: transaction already ended")
	}
	if err := t.flush(ctx); err != nil {
		t.Rollback()
		return t.res, err
	}
	if err := t.app.Close(); err != nil {
		t.app = nil
		t.Rollback()
		return t.res, fmt.Errorf("close appender: %w", err)
	}
	t.app = nil
	_, err := t.s.wconn.ExecContext(ctx, `COMMIT`)
	t.end(err != nil)
	if err != nil {
		return t.res, fmt.Errorf("commit: %w", err)
	}
	return t.res, nil
}

// Rollback discards the transaction. It is safe to call after Commit.
func (t *Tx) Rollback() error {
	if t.ended {
		return nil
	}
	if t.app != nil {
		t.app.Close()
		t.app = nil
	}
	_, err := t.s.wconn.ExecContext(context.Background(), `ROLLBACK`)
	t.end(err != nil)
	return err
}

func (t *Tx) end(broken bool) {
	t.ended = true
	if broken {
		t.s.resetConn()
	}
	t.s.writeMu.Unlock()
}

// str passes bytes to the appender as a string without copying; the
// appender copies them into its own chunk.
func str(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return unsafe.String(&b[0], len(b))
}

func eventRow(ev *cairn.Event, now time.Time) []driver.Value {
	return []driver.Value{
		ev.Time.UTC(), ev.Source, nullString(ev.EventID), nullString(ev.EventName), nullString(ev.EventSource),
		nullString(ev.EventType), ev.ReadOnly.Value(), nullString(ev.AccountID), nullString(ev.Region),
		nullString(ev.UserType), nullString(ev.UserARN), nullString(ev.UserName), nullString(ev.UserPrincipalID),
		nullString(ev.AccessKeyID), nullString(ev.SessionIssuerARN), ev.SessionMFA.Value(), nullString(ev.InvokedBy),
		nullString(ev.SourceIP), nullString(ev.UserAgent), nullString(ev.ErrorCode), nullString(ev.ErrorMessage),
		nullString(ev.Status), nullString(ev.Level), ev.ClassUID, ev.ActivityID, ev.TypeUID,
		str(ev.RequestParameters), str(ev.ResponseElements), str(ev.AdditionalEventData), str(ev.Resources), str(ev.Raw),
		nullString(ev.Bucket), nullString(ev.Key), ev.Index, now,
	}
}
