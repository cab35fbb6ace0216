package duckdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-sec/cairn"
)

// execQuerier is what alert writes need: the writer connection.
type execQuerier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Inserted writes the events appended so far and returns those the
// transaction stores: duplicates of stored events (or of earlier ones in
// this transaction) are left out. Detection evaluates exactly these, so an
// object processed again after a crash raises no alert twice.
func (t *Tx) Inserted(ctx context.Context) ([]*cairn.Event, error) {
	if err := t.flush(ctx); err != nil {
		return nil, err
	}
	return t.inserted, nil
}

// UpsertAlerts records alerts in the transaction, with suppression: an
// alert whose ID is already stored is left alone (the same matches saved
// again); one that an open or acknowledged alert of the same kind, rule
// and group absorbs (see cairn.Alert.Absorbs) updates it — count,
// first/last seen, samples; any other is created.
func (t *Tx) UpsertAlerts(ctx context.Context, alerts []cairn.Alert, window time.Duration) (cairn.AlertCounts, error) {
	return upsertAlerts(ctx, t.s.wconn, alerts, window, t.now)
}

// UpsertAlerts records alerts in a transaction of their own (retro-hunt
// --save, outputs); see Tx.UpsertAlerts.
func (s *Store) UpsertAlerts(ctx context.Context, alerts []cairn.Alert, window time.Duration) (cairn.AlertCounts, error) {
	tx, err := s.Begin(ctx)
	if err != nil {
		return cairn.AlertCounts{}, err
	}
	n, err := tx.(*Tx).UpsertAlerts(ctx, alerts, window)
	if err != nil {
		tx.Rollback()
		return n, err
	}
	_, err = tx.Commit(ctx)
	return n, err
}

func upsertAlerts(ctx context.Context, db execQuerier, alerts []cairn.Alert, window time.Duration, now time.Time) (cairn.AlertCounts, error) {
	var n cairn.AlertCounts
	for i := range alerts {
		a := alerts[i]
		if a.Status == "" {
			a.Status = cairn.AlertOpen
		}
		if a.ID == "" {
			a.SetID()
		}
		if a.Count <= 0 {
			a.Count = 1
		}
		var (
			id, samples, fields, status string
			first, last                 time.Time
			count                       int64
		)
		// The alert itself if stored already, else the newest one that
		// may absorb it.
		err := db.QueryRowContext(ctx, `SELECT id, first_seen, last_seen, count, coalesce(sample_event_ids, '[]'), coalesce(fields, '{}'), status
			FROM alerts WHERE id = $1 OR (kind = $2 AND rule_id = $3 AND group_key = $4 AND status <> 'closed'
				AND last_seen >= $5 AND first_seen <= $6)
			ORDER BY (id = $1) DESC, last_seen DESC LIMIT 1`,
			a.ID, string(a.Kind), a.RuleID, a.GroupKey, a.FirstSeen.Add(-window).UTC(), a.LastSeen.Add(window).UTC()).
			Scan(&id, &first, &last, &count, &samples, &fields, &status)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if err := insertAlert(ctx, db, &a, now); err != nil {
				return n, err
			}
			n.Created++
			continue
		case err != nil:
			return n, fmt.Errorf("find alert for rule %s group %q: %w", a.RuleID, a.GroupKey, err)
		case id == a.ID:
			n.Unchanged++
			continue
		}
		cur := cairn.Alert{ID: id, Kind: a.Kind, RuleID: a.RuleID, GroupKey: a.GroupKey, FirstSeen: first.UTC(), LastSeen: last.UTC(),
			Count: count, Status: cairn.AlertStatus(status)}
		if err := json.Unmarshal([]byte(samples), &cur.SampleEventIDs); err != nil {
			return n, fmt.Errorf("alert %s: sample_event_ids: %w", id, err)
		}
		if err := json.Unmarshal([]byte(fields), &cur.Fields); err != nil {
			return n, fmt.Errorf("alert %s: fields: %w", id, err)
		}
		cur.Merge(&a)
		_, err = db.ExecContext(ctx, `UPDATE alerts SET first_seen = ?, last_seen = ?, count = ?, sample_event_ids = ?, fields = ?, updated_at = ? WHERE id = ?`,
			cur.FirstSeen.UTC(), cur.LastSeen.UTC(), cur.Count, jsonText(cur.SampleEventIDs), jsonText(cur.Fields), now, id)
		if err != nil {
			return n, fmt.Errorf("update alert %s: %w", id, err)
		}
		n.Updated++
	}
	return n, nil
}

func insertAlert(ctx context.Context, db execQuerier, a *cairn.Alert, now time.Time) error {
	_, err := db.ExecContext(ctx, `INSERT INTO alerts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, string(a.Kind), a.RuleID, a.Title, a.Severity, jsonText(a.Tags), nullString(a.Author), nullString(a.License),
		nullString(a.Source), a.GroupKey, jsonText(a.Fields), a.FirstSeen.UTC(), a.LastSeen.UTC(), a.Count,
		jsonText(a.SampleEventIDs), string(a.Status), now, now)
	if err != nil {
		return fmt.Errorf("insert alert %s (rule %s): %w", a.ID, a.RuleID, err)
	}
	return nil
}

// jsonText is a JSON column value; nil for empty lists and maps.
func jsonText[T any](v T) any {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" || string(b) == "[]" || string(b) == "{}" {
		return nil
	}
	return string(b)
}

// SetAlertStatus moves an alert to status (ack, close, reopen). It returns
// an error wrapping cairn.ErrNoSuchAlert for an unknown ID.
func (s *Store) SetAlertStatus(ctx context.Context, id string, status cairn.AlertStatus) error {
	if _, err := cairn.ParseAlertStatus(string(status)); err != nil {
		return err
	}
	tx, err := s.Begin(ctx)
	if err != nil {
		return err
	}
	t := tx.(*Tx)
	res, err := t.s.wconn.ExecContext(ctx, `UPDATE alerts SET status = ?, updated_at = ? WHERE id = ?`, string(status), t.now, id)
	if err != nil {
		tx.Rollback()
		return fmt.Errorf("set alert %s %s: %w", id, status, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		tx.Rollback()
		return fmt.Errorf("alert %s: %w", id, cairn.ErrNoSuchAlert)
	}
	_, err = tx.Commit(ctx)
	return err
}

// alertColumns are the columns AlertsSQL selects, in AlertsFromResult's
// order.
const alertColumns = `id, kind, rule_id, title, severity, tags, author, license, source, group_key, fields,
	first_seen, last_seen, count, sample_event_ids, status, created_at, updated_at`

// AlertsSQL is the read-only query listing alerts that match f, newest
// first, with its parameters: run it with Store.Query, the collector's
// socket or any Querier, and decode the rows with AlertsFromResult.
func AlertsSQL(f cairn.AlertFilter) (string, []any) {
	var where []string
	var args []any
	if len(f.Status) > 0 {
		ph := make([]string, len(f.Status))
		for i, s := range f.Status {
			ph[i] = "?"
			args = append(args, string(s))
		}
		where = append(where, "status IN ("+strings.Join(ph, ", ")+")")
	}
	if r := cairn.SeverityRank(f.MinSeverity); r > 0 {
		ph := make([]string, 0, len(cairn.Severities)-r)
		for _, s := range cairn.Severities[r:] {
			ph = append(ph, "?")
			args = append(args, s)
		}
		where = append(where, "lower(severity) IN ("+strings.Join(ph, ", ")+")")
	}
	if len(f.RuleIDs) > 0 {
		ph := make([]string, len(f.RuleIDs))
		for i, r := range f.RuleIDs {
			ph[i] = "?"
			args = append(args, r)
		}
		where = append(where, "rule_id IN ("+strings.Join(ph, ", ")+")")
	}
	if f.Kind != "" {
		where = append(where, "kind = ?")
		args = append(args, string(f.Kind))
	}
	if !f.From.IsZero() {
		where = append(where, "last_seen >= ?")
		args = append(args, f.From.UTC())
	}
	if !f.To.IsZero() {
		where = append(where, "first_seen < ?")
		args = append(args, f.To.UTC())
	}
	q := "SELECT " + alertColumns + " FROM alerts"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	return q + " ORDER BY last_seen DESC, id LIMIT " + strconv.Itoa(limit), args
}

// AlertSQL is the query for one alert by ID.
func AlertSQL(id string) (string, []any) {
	return "SELECT " + alertColumns + " FROM alerts WHERE id = ?", []any{id}
}

// AlertsFromResult decodes the rows of AlertsSQL or AlertSQL, whether the
// result came from Store.Query or over the collector's socket.
func AlertsFromResult(res *Result) ([]cairn.Alert, error) {
	col := map[string]int{}
	for i, c := range res.Columns {
		col[c] = i
	}
	for _, c := range strings.Split(alertColumns, ",") {
		if _, ok := col[strings.TrimSpace(c)]; !ok {
			return nil, fmt.Errorf("alerts: result has no column %s", strings.TrimSpace(c))
		}
	}
	out := make([]cairn.Alert, 0, len(res.Rows))
	for _, row := range res.Rows {
		str := func(name string) string {
			v := row[col[name]]
			if v == nil {
				return ""
			}
			return fmt.Sprint(v)
		}
		var errs []error
		tm := func(name string) time.Time {
			t, err := resultTime(row[col[name]])
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
			}
			return t
		}
		a := cairn.Alert{ID: str("id"), Kind: cairn.AlertKind(str("kind")), RuleID: str("rule_id"), Title: str("title"),
			Severity: str("severity"), Author: str("author"), License: str("license"), Source: str("source"),
			GroupKey: str("group_key"), FirstSeen: tm("first_seen"), LastSeen: tm("last_seen"),
			Status: cairn.AlertStatus(str("status")), CreatedAt: tm("created_at"), UpdatedAt: tm("updated_at")}
		count, err := strconv.ParseInt(str("count"), 10, 64)
		if err != nil {
			errs = append(errs, fmt.Errorf("count: %w", err))
		}
		a.Count = count
		for name, dst := range map[string]any{"tags": &a.Tags, "fields": &a.Fields, "sample_event_ids": &a.SampleEventIDs} {
			if s := str(name); s != "" {
				if err := json.Unmarshal([]byte(s), dst); err != nil {
					errs = append(errs, fmt.Errorf("%s: %w", name, err))
				}
			}
		}
		if a.SampleEventIDs == nil {
			a.SampleEventIDs = []string{}
		}
		if err := errors.Join(errs...); err != nil {
			return nil, fmt.Errorf("alert %s: %w", a.ID, err)
		}
		out = append(out, a)
	}
	return out, nil
}

// resultTime reads a timestamp from a Result cell (a time.Time, or the RFC
// 3339 text Store.Query and the socket give).
func resultTime(v any) (time.Time, error) {
	switch x := v.(type) {
	case time.Time:
		return x.UTC(), nil
	case string:
		return time.Parse(time.RFC3339Nano, x)
	case nil:
		return time.Time{}, nil
	}
	return time.Time{}, fmt.Errorf("unexpected %T", v)
}

// ListAlerts returns the alerts that match f, newest first.
func (s *Store) ListAlerts(ctx context.Context, f cairn.AlertFilter) ([]cairn.Alert, error) {
	q, args := AlertsSQL(f)
	res, err := s.Query(ctx, q, 0, args...)
	if err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	return AlertsFromResult(res)
}

// GetAlert returns one alert, or an error wrapping cairn.ErrNoSuchAlert.
func (s *Store) GetAlert(ctx context.Context, id string) (cairn.Alert, error) {
	q, args := AlertSQL(id)
	res, err := s.Query(ctx, q, 0, args...)
	if err != nil {
		return cairn.Alert{}, fmt.Errorf("get alert %s: %w", id, err)
	}
	as, err := AlertsFromResult(res)
	if err != nil {
		return cairn.Alert{}, err
	}
	if len(as) == 0 {
		return cairn.Alert{}, fmt.Errorf("alert %s: %w", id, cairn.ErrNoSuchAlert)
	}
	return as[0], nil
}

// LoadState reads a named state blob (the detection engine's correlation
// windows) and its generation inside the transaction; generation 0 and nil
// when none is stored.
func (t *Tx) LoadState(ctx context.Context, name string) (int64, []byte, error) {
	return loadState(ctx, t.s.wconn, name)
}

// LoadState is Tx.LoadState outside a write transaction.
func (s *Store) LoadState(ctx context.Context, name string) (int64, []byte, error) {
	return loadState(ctx, s.db, name)
}

func loadState(ctx context.Context, db execQuerier, name string) (int64, []byte, error) {
	var gen int64
	var st string
	err := db.QueryRowContext(ctx, `SELECT generation, state FROM detect_state WHERE name = ?`, name).Scan(&gen, &st)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, fmt.Errorf("load state %s: %w", name, err)
	}
	return gen, []byte(st), nil
}

// SaveState replaces a named state blob in the transaction.
func (t *Tx) SaveState(ctx context.Context, name string, generation int64, state []byte) error {
	if _, err := t.s.wconn.ExecContext(ctx, `DELETE FROM detect_state WHERE name = ?`, name); err != nil {
		return fmt.Errorf("save state %s: %w", name, err)
	}
	if _, err := t.s.wconn.ExecContext(ctx, `INSERT INTO detect_state VALUES (?, ?, ?, ?)`, name, generation, string(state), t.now); err != nil {
		return fmt.Errorf("save state %s: %w", name, err)
	}
	return nil
}
