package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/cairn-sec/cairn"
)

// execQuerier is the writer connection or the database handle.
type execQuerier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Inserted writes the events appended so far and returns those the
// transaction stores: duplicates of stored events (or of earlier ones in
// this transaction) are left out. Detection evaluates exactly these, so an
// object processed again after a crash raises no alert twice.
func (t *Tx) Inserted(ctx context.Context) ([]*cairn.Event, error) {
	// The rows are written while the caller evaluates the events; the
	// next statement on the connection waits for them.
	if err := t.flushAsync(ctx); err != nil {
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
	return t.upsertAlerts(ctx, alerts, window)
}

// UpsertAlerts records alerts in a transaction of their own (retro-hunt
// --save, outputs); see Tx.UpsertAlerts.
func (s *Store) UpsertAlerts(ctx context.Context, alerts []cairn.Alert, window time.Duration) (cairn.AlertCounts, error) {
	tx, err := s.Begin(ctx)
	if err != nil {
		return cairn.AlertCounts{}, err
	}
	t := tx.(*Tx)
	// Saved hunts may repeat stored alerts of any age: check them all
	// against the table, and load the open-alert index afresh after.
	t.bypassIndex, t.dropIndex = true, true
	n, err := t.UpsertAlerts(ctx, alerts, window)
	if err != nil {
		tx.Rollback()
		return n, err
	}
	_, err = tx.Commit(ctx)
	return n, err
}

// upsertAlerts merges alerts into the stored ones: the open-alert index
// settles most (see alertIndex); the others are settled by one read of the
// stored alerts they may touch. Merges happen in Go, then one write of the
// merged alerts and one of the new ones.
func (t *Tx) upsertAlerts(ctx context.Context, alerts []cairn.Alert, window time.Duration) (cairn.AlertCounts, error) {
	var n cairn.AlertCounts
	if len(alerts) == 0 {
		return n, nil
	}
	in := make([]cairn.Alert, len(alerts))
	for i, a := range alerts {
		if a.Status == "" {
			a.Status = cairn.AlertOpen
		}
		if a.ID == "" {
			a.SetID()
		}
		if a.Count <= 0 {
			a.Count = 1
		}
		in[i] = a
	}
	idx := &t.s.alertIdx
	if !t.bypassIndex && !idx.loaded {
		if err := idx.load(ctx, t.wc()); err != nil {
			return n, err
		}
	}
	// The keys the index cannot settle go to the table, all their alerts.
	keys := make([]string, len(in))
	slow := map[string]bool{}
	for i := range in {
		keys[i] = alertKey(&in[i])
		if t.bypassIndex || !idx.decides(&in[i], window) {
			slow[keys[i]] = true
		}
	}
	var toRead []cairn.Alert
	fast := map[string][]*cairn.Alert{}
	var fastKeys []string
	for i, key := range keys {
		if slow[key] {
			toRead = append(toRead, in[i])
			idx.read++
			continue
		}
		idx.settled++
		if _, ok := fast[key]; !ok {
			fastKeys = append(fastKeys, key)
		}
		fast[key] = append(fast[key], &in[i])
	}
	var stored []*storedAlert
	if len(toRead) > 0 {
		var err error
		if stored, err = t.absorbers(ctx, toRead, window); err != nil {
			return n, err
		}
	}
	for _, key := range fastKeys {
		sts, err := t.candidates(key, fast[key], window)
		if err != nil {
			return n, err
		}
		stored = append(stored, sts...)
	}
	byKey := map[string][]*storedAlert{}
	ids := map[string]bool{}
	for _, st := range stored {
		ids[st.a.ID] = true
		if st.a.Status != cairn.AlertClosed {
			byKey[alertKey(&st.a)] = append(byKey[alertKey(&st.a)], st)
		}
	}
	for i := range in {
		a := &in[i]
		if ids[a.ID] {
			n.Unchanged++ // the same matches, recorded before
			continue
		}
		// The newest open alert of the rule and group that absorbs it.
		var into *storedAlert
		for _, st := range byKey[alertKey(a)] {
			if st.a.Absorbs(a, window) && (into == nil || st.a.LastSeen.After(into.a.LastSeen)) {
				into = st
			}
		}
		if into != nil {
			into.a.Merge(a)
			// The version written carries the rule's current metadata.
			into.a.Title, into.a.Severity, into.a.Tags = a.Title, a.Severity, a.Tags
			into.a.Author, into.a.License, into.a.Source = a.Author, a.License, a.Source
			if !into.isNew {
				into.dirty = true
			}
			continue
		}
		st := &storedAlert{a: *a, isNew: true, version: 1}
		st.a.CreatedAt = t.now
		ids[a.ID] = true
		byKey[alertKey(a)] = append(byKey[alertKey(a)], st)
		stored = append(stored, st)
	}
	// New alerts and new versions of merged ones, in one append queued
	// behind the events' write (see later): the writer goes on meanwhile.
	var writes []storedAlert
	for _, st := range stored {
		switch {
		case st.dirty:
			st.version++
			n.Updated++
		case st.isNew:
			n.Created++
		default:
			continue
		}
		st.encode()
		writes = append(writes, *st) // a copy: the index keeps st
	}
	if len(writes) > 0 {
		now := t.now
		t.later(func() error { return t.s.appendAlertVersions(writes, now) })
	}
	if !t.bypassIndex {
		t.noteAlerts(byKey)
	}
	if idx.loaded {
		idx.superseded += int64(n.Updated)
		if idx.superseded >= compactAlertVersionsAt {
			if err := t.compactAlertVersions(ctx); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// storedAlert is an alert read for an upsert, or created by it.
type storedAlert struct {
	a       cairn.Alert
	version int64 // the stored version; the next is written
	dirty   bool  // merged into: to write as a new version
	isNew   bool  // to insert
	// The JSON columns of the version written (encode); nil for none.
	tags, fields, samples any
}

// encode sets the JSON columns of the version to write, once for the
// table and the open-alert index.
func (st *storedAlert) encode() {
	st.tags, st.fields, st.samples = stringsJSON(st.a.Tags), mapJSON(st.a.Fields), stringsJSON(st.a.SampleEventIDs)
}

func alertKey(a *cairn.Alert) string {
	return string(a.Kind) + "\x00" + a.RuleID + "\x00" + a.GroupKey
}

// stageKeysDDL is the connection-local table of the alerts an upsert
// brings: their IDs, rules and groups, joined against alerts.
const stageKeysDDL = `CREATE TEMP TABLE IF NOT EXISTS stage_alert_keys (id VARCHAR, kind VARCHAR, rule_id VARCHAR, group_key VARCHAR)`

// absorbers reads, in one query, the stored alerts an upsert of in may
// touch: those with one of their IDs, and the open or acknowledged ones of
// the same kinds, rules and groups near their time.
func (t *Tx) absorbers(ctx context.Context, in []cairn.Alert, window time.Duration) ([]*storedAlert, error) {
	if _, err := t.wc().ExecContext(ctx, stageKeysDDL); err != nil {
		return nil, fmt.Errorf("stage alert keys: %w", err)
	}
	from := in[0].FirstSeen
	err := t.wc().Raw(func(dc any) error {
		app, err := duckdb.NewAppender(dc.(driver.Conn), "temp", "main", "stage_alert_keys")
		if err != nil {
			return err
		}
		for i := range in {
			a := &in[i]
			if a.FirstSeen.Before(from) {
				from = a.FirstSeen
			}
			if err := app.AppendRow(a.ID, string(a.Kind), a.RuleID, a.GroupKey); err != nil {
				app.Close()
				return err
			}
		}
		return app.Close()
	})
	if err != nil {
		return nil, fmt.Errorf("stage alert keys: %w", err)
	}
	defer t.wc().ExecContext(context.WithoutCancel(ctx), `DELETE FROM stage_alert_keys`)
	rows, err := t.wc().QueryContext(ctx, `SELECT `+storedAlertColumns+`
		FROM `+latestAlertVersions+` a WHERE id IN (SELECT id FROM stage_alert_keys)
			OR (status <> 'closed' AND last_seen >= ? AND EXISTS (SELECT 1 FROM stage_alert_keys s
				WHERE s.kind = a.kind AND s.rule_id = a.rule_id AND s.group_key = a.group_key))`, from.Add(-window).UTC())
	if err != nil {
		return nil, fmt.Errorf("find alerts to update: %w", err)
	}
	defer rows.Close()
	var out []*storedAlert
	for rows.Next() {
		st, err := scanStoredAlert(rows)
		if err != nil {
			return nil, fmt.Errorf("find alerts to update: %w", err)
		}
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find alerts to update: %w", err)
	}
	return out, nil
}

// storedAlertColumns are what an upsert reads of a stored alert, in
// scanStoredAlert's order.
const storedAlertColumns = `id, kind, rule_id, group_key, first_seen, last_seen, count, coalesce(sample_event_ids, '[]'),
	coalesce(fields, '{}'), status, created_at, version`

// latestAlertVersions is each alert's latest version with its version
// number (the alerts view without it).
const latestAlertVersions = `(SELECT * FROM alert_versions QUALIFY row_number() OVER (PARTITION BY id ORDER BY version DESC) = 1)`

// scanStoredAlert reads a row of storedAlertColumns.
func scanStoredAlert(rows *sql.Rows) (*storedAlert, error) {
	var (
		st                    storedAlert
		kind, samples, fields string
		status                string
	)
	a := &st.a
	if err := rows.Scan(&a.ID, &kind, &a.RuleID, &a.GroupKey, &a.FirstSeen, &a.LastSeen, &a.Count, &samples, &fields, &status,
		&a.CreatedAt, &st.version); err != nil {
		return nil, err
	}
	a.Kind, a.Status = cairn.AlertKind(kind), cairn.AlertStatus(status)
	a.FirstSeen, a.LastSeen, a.CreatedAt = a.FirstSeen.UTC(), a.LastSeen.UTC(), a.CreatedAt.UTC()
	if err := unmarshalAlertJSON(a, samples, fields); err != nil {
		return nil, err
	}
	return &st, nil
}

// unmarshalAlertJSON decodes an alert's stored sample_event_ids and
// fields ("": none).
func unmarshalAlertJSON(a *cairn.Alert, samples, fields string) error {
	if samples != "" {
		if err := json.Unmarshal([]byte(samples), &a.SampleEventIDs); err != nil {
			return fmt.Errorf("alert %s: sample_event_ids: %w", a.ID, err)
		}
	}
	if fields != "" {
		if err := json.Unmarshal([]byte(fields), &a.Fields); err != nil {
			return fmt.Errorf("alert %s: fields: %w", a.ID, err)
		}
	}
	return nil
}

// compactAlertVersionsAt is how many superseded alert versions the writer
// lets accumulate before deleting them.
var compactAlertVersionsAt int64 = 20_000

// appendAlertVersions writes new alerts (version 1) and new versions of
// merged ones (encoded) through an appender on the writer connection:
// appending costs microseconds where an UPDATE costs milliseconds. It runs
// in the background (Tx.later), so it uses the connection directly.
func (s *Store) appendAlertVersions(sts []storedAlert, now time.Time) error {
	return s.wconn.Raw(func(dc any) error {
		if s.alertApp == nil {
			app, err := duckdb.NewAppender(dc.(driver.Conn), "", "main", "alert_versions")
			if err != nil {
				return fmt.Errorf("alerts appender: %w", err)
			}
			s.alertApp = app // kept, like the events appender
		}
		app := s.alertApp
		for i := range sts {
			st := &sts[i]
			a := &st.a
			err := app.AppendRow(a.ID, string(a.Kind), a.RuleID, a.Title, a.Severity, st.tags, nullString(a.Author),
				nullString(a.License), nullString(a.Source), a.GroupKey, st.fields, a.FirstSeen.UTC(), a.LastSeen.UTC(),
				a.Count, st.samples, string(a.Status), a.CreatedAt.UTC(), now, st.version)
			if err != nil {
				app.Clear()
				return fmt.Errorf("write alert %s (rule %s): %w", a.ID, a.RuleID, err)
			}
		}
		if err := app.Flush(); err != nil {
			app.Clear()
			return fmt.Errorf("write %d alerts: %w", len(sts), err)
		}
		return nil
	})
}

// compactAlertVersions deletes the versions of alerts that later ones
// superseded.
func (t *Tx) compactAlertVersions(ctx context.Context) error {
	if _, err := t.wc().ExecContext(ctx, `DELETE FROM alert_versions v USING
		(SELECT id, max(version) AS latest FROM alert_versions GROUP BY id) l
		WHERE v.id = l.id AND v.version < l.latest`); err != nil {
		return fmt.Errorf("delete superseded alert versions: %w", err)
	}
	t.s.alertIdx.superseded = 0
	return nil
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
	res, err := t.wc().ExecContext(ctx, `UPDATE alert_versions SET status = ?, updated_at = ? WHERE id = ?`, string(status), t.now, id)
	if err != nil {
		tx.Rollback()
		return fmt.Errorf("set alert %s %s: %w", id, status, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		tx.Rollback()
		return fmt.Errorf("alert %s: %w", id, cairn.ErrNoSuchAlert)
	}
	t.dropIndex = true // a closed alert absorbs nothing, a reopened one again
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
			t, err := CellTime(row[col[name]])
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

// CellTime reads a timestamp from a Result cell: a time.Time, or the RFC
// 3339 text Store.Query and the collector's socket give; nil is the zero
// time.
func CellTime(v any) (time.Time, error) {
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
	return loadState(ctx, t.wc(), name)
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
	t.execLater(ctx, "save state "+name, `DELETE FROM detect_state WHERE name = ?`, name)
	t.execLater(ctx, "save state "+name, `INSERT INTO detect_state VALUES (?, ?, ?, ?)`, name, generation, string(state), t.now)
	t.wroteState(name, generation)
	return nil
}
