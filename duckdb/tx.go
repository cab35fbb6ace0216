package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"time"
	"unsafe"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/cairn-sec/cairn"
)

// flushRows is how many buffered events trigger a write, bounding what a
// transaction holds in memory while a large object streams through it.
const flushRows = 20_000

// stageDDL is the connection-local table of candidate event IDs, used to
// find the ones already stored with one join.
const stageDDL = `CREATE TEMP TABLE IF NOT EXISTS stage_ids (event_id VARCHAR)`

// Tx is a write transaction. Events appended to it, rejected records and
// ledger entries become visible together at Commit, or not at all.
// A Tx is not safe for concurrent use; the store runs one at a time.
type Tx struct {
	s     *Store
	app   *duckdb.Appender // into events
	ids   *duckdb.Appender // into stage_ids
	buf   []*cairn.Event   // appended, not yet written
	seen  map[string]struct{}
	now   time.Time
	res   CommitResult
	ended bool

	// inserted are the events written, duplicates excluded (Inserted);
	// the caller holds them until Commit anyway.
	inserted []*cairn.Event
	// writing reports the end of the last background write queued (see
	// later); writeErr is the first error of those waited for.
	writing  chan error
	writeErr error

	// changedAlerts are the open-alert index's changes (each touched
	// key's open alerts), applied at Commit; dropIndex drops the index at
	// Commit instead; bypassIndex settles every upsert against the table
	// (see alertIndex).
	changedAlerts          map[string][]heldAlert
	dropIndex, bypassIndex bool
	// stateGens are the state generations the transaction wrote.
	stateGens map[string]int64
	// marked are the ledger entries to write at Commit (MarkDone).
	marked    []cairn.ObjectRecord
	markedSet map[ledgerKey]struct{}
}

// CommitResult counts what a transaction stored.
type CommitResult = cairn.CommitResult

var _ cairn.WriteTx = (*Tx)(nil)

// Begin starts a write transaction. It blocks while another is open.
func (s *Store) Begin(ctx context.Context) (cairn.WriteTx, error) {
	tx, err := s.BeginTx(ctx)
	if err != nil {
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
	if s.app == nil {
		err := s.wconn.Raw(func(dc any) error {
			a, err := duckdb.NewAppender(dc.(driver.Conn), "", "main", "events_data")
			if err != nil {
				return err
			}
			ids, err := duckdb.NewAppender(dc.(driver.Conn), "temp", "main", "stage_ids")
			if err != nil {
				a.Close()
				return err
			}
			s.app, s.ids = a, ids
			return nil
		})
		if err != nil {
			s.wconn.ExecContext(context.WithoutCancel(ctx), `ROLLBACK`)
			return nil, fmt.Errorf("staging appender: %w", err)
		}
	}
	return &Tx{s: s, app: s.app, ids: s.ids, now: time.Now().UTC(), seen: map[string]struct{}{}}, nil
}

// resetConn drops the writer connection after an error left it unusable.
func (s *Store) resetConn() {
	if s.wconn != nil {
		s.closeAppenders()
		s.wconn.Close()
		s.wconn = nil
	}
}

// closeAppenders closes the writer's appenders; they hold no rows then
// (a transaction flushes them before COMMIT and clears them on ROLLBACK).
func (s *Store) closeAppenders() error {
	var errs []error
	if s.app != nil {
		errs = append(errs, s.app.Close())
		s.app = nil
	}
	if s.alertApp != nil {
		errs = append(errs, s.alertApp.Close())
		s.alertApp = nil
	}
	if s.ids != nil {
		errs = append(errs, s.ids.Close())
		s.ids = nil
	}
	return errors.Join(errs...)
}

// Append stages events. Their Raw bytes must not change afterwards.
func (t *Tx) Append(ctx context.Context, evs []*cairn.Event) error {
	t.buf = append(t.buf, evs...)
	t.res.Appended += int64(len(evs))
	if len(t.buf) >= flushRows {
		return t.flush(ctx)
	}
	return nil
}

// flush writes the buffered events the transaction stores (see dedup).
func (t *Tx) flush(ctx context.Context) error {
	rows, err := t.dedup(ctx)
	if err != nil {
		return err
	}
	return t.writeRows(rows)
}

// flushAsync is flush whose rows are written in the background (see
// later): the caller may evaluate the events meanwhile.
func (t *Tx) flushAsync(ctx context.Context) error {
	rows, err := t.dedup(ctx)
	if err != nil || len(rows) == 0 {
		return err
	}
	t.later(func() error { return t.writeRows(rows) })
	return nil
}

// later runs write on the writer connection in the background, after the
// writes queued before it, so that the writer goroutine goes on with work
// of its own (matching, correlating) meanwhile. After an earlier write
// failed it is skipped. The next synchronous use of the connection (wc),
// Commit and Rollback wait for every queued write; Commit fails if one
// did. write must use the connection only through t.s (never wc, which
// waits for it) and only data nobody changes until the transaction ends.
func (t *Tx) later(write func() error) {
	if t.writeErr != nil {
		return // wait keeps returning the failure
	}
	prev := t.writing
	done := make(chan error, 1)
	t.writing = done
	go func() {
		if prev != nil {
			if err := <-prev; err != nil {
				done <- err
				return
			}
		}
		done <- write()
	}()
}

// execLater queues one statement (see later); what names it in its error.
func (t *Tx) execLater(ctx context.Context, what, query string, args ...any) {
	t.later(func() error {
		if _, err := t.s.wconn.ExecContext(ctx, query, args...); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return nil
	})
}

// wait waits for the background writes; it returns the first one's error
// (and keeps returning it).
func (t *Tx) wait() error {
	if t.writing != nil {
		t.writeErr = <-t.writing
		t.writing = nil
	}
	return t.writeErr
}

// wc is the writer connection, once no background write uses it.
func (t *Tx) wc() *sql.Conn {
	t.wait()
	return t.s.wconn
}

// dedup settles which buffered events the transaction stores, keeping the
// first of each event ID and dropping those already stored, and returns
// them (also added to inserted). The IDs go to a staging table and one
// join over the batch's time window (which lets DuckDB skip row groups by
// their min/max time) finds the ones already stored.
func (t *Tx) dedup(ctx context.Context) ([]*cairn.Event, error) {
	if err := t.wait(); err != nil {
		return nil, err
	}
	if len(t.buf) == 0 {
		return nil, nil
	}
	var minT, maxT time.Time
	candidates := 0
	for _, ev := range t.buf {
		if ev.EventID == "" {
			continue
		}
		if candidates == 0 || ev.Time.Before(minT) {
			minT = ev.Time
		}
		if candidates == 0 || ev.Time.After(maxT) {
			maxT = ev.Time
		}
		candidates++
		if err := t.ids.AppendRow(ev.EventID); err != nil {
			return nil, fmt.Errorf("stage event id: %w", err)
		}
	}
	stored := map[string]struct{}{}
	if candidates > 0 {
		if err := t.ids.Flush(); err != nil {
			return nil, fmt.Errorf("stage event ids: %w", err)
		}
		from := minT.UTC().Format("2006-01-02 15:04:05.999999")
		to := maxT.UTC().Format("2006-01-02 15:04:05.999999")
		// The bounds are our own formatted timestamps, not user text;
		// literals (not parameters) let DuckDB prune row groups.
		rows, err := t.s.wconn.QueryContext(ctx, `SELECT DISTINCT e.event_id FROM events_data e SEMI JOIN stage_ids s ON e.event_id = s.event_id
			WHERE e.time >= TIMESTAMP '`+from+`' AND e.time <= TIMESTAMP '`+to+`'`)
		if err != nil {
			return nil, fmt.Errorf("find stored event ids: %w", err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("find stored event ids: %w", err)
			}
			stored[id] = struct{}{}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("find stored event ids: %w", err)
		}
		if _, err := t.s.wconn.ExecContext(ctx, `DELETE FROM stage_ids`); err != nil {
			return nil, fmt.Errorf("clear staged ids: %w", err)
		}
	}
	start := len(t.inserted)
	for _, ev := range t.buf {
		if ev.EventID != "" {
			if _, dup := stored[ev.EventID]; dup {
				t.res.Duplicates++
				continue
			}
			if _, dup := t.seen[ev.EventID]; dup {
				t.res.Duplicates++
				continue
			}
			// A copy: decoders' strings point into Raw, and the set must
			// not keep every record of a large object alive.
			t.seen[strings.Clone(ev.EventID)] = struct{}{}
		}
		t.inserted = append(t.inserted, ev)
		t.res.Inserted++
	}
	clear(t.buf)
	t.buf = t.buf[:0]
	return t.inserted[start:], nil
}

// writeFault, set by tests, fails the write of an event: a failure of the
// appender (out of memory or disk) cannot be caused from outside.
var writeFault func(*cairn.Event) error

// writeRows appends events to the events table. It touches only the
// events appender, so it may run while the caller reads the events.
func (t *Tx) writeRows(evs []*cairn.Event) error {
	for _, ev := range evs {
		if writeFault != nil {
			if err := writeFault(ev); err != nil {
				return fmt.Errorf("append event %s: %w", ev.EventID, err)
			}
		}
		if err := t.app.AppendRow(eventRow(ev, t.now)...); err != nil {
			return fmt.Errorf("append event %s: %w", ev.EventID, err)
		}
	}
	if err := t.app.Flush(); err != nil {
		return fmt.Errorf("write events: %w", err)
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
		// A record of an object is quarantined once, however often the
		// object is processed (a large object's earlier chunks may have
		// committed before a crash); whole-object failures are kept per
		// attempt.
		_, err := t.wc().ExecContext(ctx, `INSERT INTO ingest_errors SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9
			WHERE $6 < 0 OR NOT EXISTS (SELECT 1 FROM ingest_errors
				WHERE bucket IS NOT DISTINCT FROM $2 AND key IS NOT DISTINCT FROM $3 AND etag IS NOT DISTINCT FROM $4 AND record_index = $6)`,
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
	if err := t.writeLedger(ctx); err != nil {
		t.Rollback()
		return t.res, err
	}
	_, err := t.wc().ExecContext(ctx, `COMMIT`)
	switch {
	case err != nil || t.dropIndex:
		t.s.alertIdx.drop()
	case len(t.changedAlerts) > 0:
		t.s.alertIdx.apply(t.changedAlerts)
	}
	if err != nil {
		t.s.stateGens = nil
	} else {
		for name, gen := range t.stateGens {
			if t.s.stateGens == nil {
				t.s.stateGens = map[string]int64{}
			}
			t.s.stateGens[name] = gen
		}
	}
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
	t.wait()
	// Rows appended but not flushed must not reach the next transaction.
	if errors.Join(t.app.Clear(), t.ids.Clear()) != nil {
		t.s.closeAppenders()
	} else if t.s.alertApp != nil && t.s.alertApp.Clear() != nil {
		t.s.closeAppenders()
	}
	_, err := t.wc().ExecContext(context.Background(), `ROLLBACK`)
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
		nullString(ev.Status), nullString(ev.Level), ev.ClassUID, ev.ActivityID, ev.TypeUID, str(ev.Raw),
		nullString(ev.Bucket), nullString(ev.Key), ev.Index, now,
		nullString(ev.DstIP), int32Value(ev.SrcPort), int32Value(ev.DstPort), int32Value(ev.Protocol), ev.Bytes.Value(),
		ev.Packets.Value(), nullString(ev.Action), nullString(ev.Direction), int32Value(ev.TrafficPath),
		nullString(ev.VPCID), nullString(ev.SubnetID), nullString(ev.InstanceID), nullString(ev.InterfaceID),
		nullString(ev.LogStatus), nullTime(ev.StartTime), nullTime(ev.EndTime),
		nullString(ev.QueryName), nullString(ev.QueryType), nullString(ev.QueryClass), nullString(ev.RCode),
		str(ev.Answers),
		nullString(ev.Cluster), nullString(ev.Namespace), nullString(ev.Component), nullString(ev.LogGroup),
		nullString(ev.LogStream), nullString(ev.Service), nullString(ev.TraceID), nullString(ev.Pod),
		nullString(ev.Container), nullString(ev.Host), nullString(ev.Message), nullString(ev.HTTPMethod),
		nullString(ev.URL), int32Value(ev.HTTPStatus),
		nullString(ev.OrganizationID),
	}
}

// int32Value passes a nullable integer to an INTEGER column.
func int32Value(n cairn.NullInt) any {
	if !n.Valid {
		return nil
	}
	return int32(n.V)
}
