package duckdb

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-sec/cairn"
)

// severityRankSQL ranks a severity column like cairn.SeverityRank (0 for
// informational … 4 for critical, -1 unknown or NULL).
func severityRankSQL(col string) string {
	return "coalesce(list_position(['" + strings.Join(cairn.Severities, "','") + "'], lower(" + col + ")), 0) - 1"
}

// dueWhere is the condition (and its parameters) selecting the alerts due
// for an output: never attempted and recent; attempted, not delivered and
// due; or delivered but changed per the re-send policy and due.
func dueWhere(q cairn.DeliveryQuery) (string, []any) {
	now := q.Now.UTC()
	maxAge := q.MaxAge
	if maxAge <= 0 {
		maxAge = 24 * time.Hour
	}
	w := `(d.alert_id IS NULL AND a.updated_at >= ?)
		OR (d.delivered_at IS NULL AND d.next_attempt <= ?)
		OR (d.delivered_at IS NOT NULL AND a.status <> 'closed' AND d.next_attempt <= ? AND (` +
		severityRankSQL("a.severity") + ` > ` + severityRankSQL("d.sent_severity") + `
			OR (? AND a.count > d.sent_count AND d.delivered_at <= ?)))`
	args := []any{now.Add(-maxAge), now, now, q.ResendAfter > 0, now.Add(-q.ResendAfter)}
	if r := cairn.SeverityRank(q.MinSeverity); r > 0 {
		w = "(" + w + ") AND " + severityRankSQL("a.severity") + " >= ?"
		args = append(args, r)
	}
	return w, args
}

const deliveryJoin = ` FROM alerts a LEFT JOIN alert_deliveries d ON d.alert_id = a.id AND d.output = ?`

// DueAlerts returns the alerts due for an output now, oldest first, each
// with its delivery state and a few fields of its first sample event.
func (s *Store) DueAlerts(ctx context.Context, q cairn.DeliveryQuery) ([]cairn.DueAlert, error) {
	where, args := dueWhere(q)
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	cols := "a." + strings.Join(strings.Fields(alertColumns), " a.")
	sqlText := `SELECT ` + cols + `, d.attempts AS d_attempts, d.next_attempt AS d_next_attempt, d.delivered_at AS d_delivered_at,
		d.last_error AS d_last_error, d.sent_severity AS d_sent_severity, d.sent_count AS d_sent_count` + deliveryJoin +
		` WHERE ` + where + ` ORDER BY coalesce(d.next_attempt, a.created_at), a.id LIMIT ` + strconv.Itoa(limit)
	res, err := s.Query(ctx, sqlText, 0, append([]any{q.Output}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("due alerts for %s: %w", q.Output, err)
	}
	alerts, err := AlertsFromResult(res)
	if err != nil {
		return nil, fmt.Errorf("due alerts for %s: %w", q.Output, err)
	}
	col := map[string]int{}
	for i, c := range res.Columns {
		col[c] = i
	}
	out := make([]cairn.DueAlert, len(alerts))
	for i, a := range alerts {
		row := res.Rows[i]
		str := func(name string) string {
			if v := row[col[name]]; v != nil {
				return fmt.Sprint(v)
			}
			return ""
		}
		d := cairn.AlertDelivery{AlertID: a.ID, Output: q.Output, LastError: str("d_last_error"), SentSeverity: str("d_sent_severity")}
		d.Attempts, _ = strconv.Atoi(str("d_attempts"))
		d.SentCount, _ = strconv.ParseInt(str("d_sent_count"), 10, 64)
		if d.NextAttempt, err = CellTime(row[col["d_next_attempt"]]); err != nil {
			return nil, fmt.Errorf("alert %s: next_attempt: %w", a.ID, err)
		}
		if d.DeliveredAt, err = CellTime(row[col["d_delivered_at"]]); err != nil {
			return nil, fmt.Errorf("alert %s: delivered_at: %w", a.ID, err)
		}
		out[i] = cairn.DueAlert{Alert: a, Delivery: d}
		if len(a.SampleEventIDs) > 0 {
			if out[i].Sample, err = s.sampleEvent(ctx, a.SampleEventIDs[0], a.FirstSeen); err != nil {
				return nil, fmt.Errorf("alert %s: %w", a.ID, err)
			}
		}
	}
	return out, nil
}

// sampleColumns are the event fields an output shows of a sample event.
var sampleColumns = []string{"time", "source", "event_id", "event_name", "event_source", "account_id", "aws_region",
	"user_arn", "access_key_id", "source_ip", "user_agent", "error_code", "dst_ip", "query_name"}

// sampleEvent reads a few fields of an event; the time (the alert's first
// match) keeps the lookup to the row groups of that moment.
func (s *Store) sampleEvent(ctx context.Context, id string, at time.Time) (map[string]string, error) {
	res, err := s.Query(ctx, `SELECT `+strings.Join(sampleColumns, ", ")+` FROM events
		WHERE time BETWEEN ? AND ? AND event_id = ? LIMIT 1`, 1, at.Add(-time.Second).UTC(), at.Add(time.Second).UTC(), id)
	if err != nil {
		return nil, fmt.Errorf("sample event %s: %w", id, err)
	}
	if len(res.Rows) == 0 {
		return nil, nil
	}
	m := map[string]string{}
	for i, c := range res.Columns {
		if v := res.Rows[0][i]; v != nil && fmt.Sprint(v) != "" {
			m[c] = fmt.Sprint(v)
		}
	}
	return m, nil
}

// CountDueAlerts counts the alerts due for an output now (its queue).
func (s *Store) CountDueAlerts(ctx context.Context, q cairn.DeliveryQuery) (int, error) {
	where, args := dueWhere(q)
	res, err := s.Query(ctx, `SELECT count(*) AS n`+deliveryJoin+` WHERE `+where, 1, append([]any{q.Output}, args...)...)
	if err != nil || len(res.Rows) != 1 {
		return 0, fmt.Errorf("count due alerts for %s: %w", q.Output, err)
	}
	n, err := strconv.Atoi(fmt.Sprint(res.Rows[0][0]))
	if err != nil {
		return 0, fmt.Errorf("count due alerts for %s: %w", q.Output, err)
	}
	return n, nil
}

// RecordDelivery stores the outcome of a delivery attempt.
func (s *Store) RecordDelivery(ctx context.Context, d cairn.AlertDelivery) error {
	tx, err := s.Begin(ctx)
	if err != nil {
		return err
	}
	t := tx.(*Tx)
	var delivered any
	if !d.DeliveredAt.IsZero() {
		delivered = d.DeliveredAt.UTC()
	}
	_, err = t.wc().ExecContext(ctx, `INSERT INTO alert_deliveries VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (alert_id, output) DO UPDATE SET attempts = excluded.attempts, next_attempt = excluded.next_attempt,
			delivered_at = excluded.delivered_at, last_error = excluded.last_error,
			sent_severity = excluded.sent_severity, sent_count = excluded.sent_count`,
		d.AlertID, d.Output, d.Attempts, d.NextAttempt.UTC(), delivered, nullString(d.LastError), nullString(d.SentSeverity), d.SentCount)
	if err != nil {
		tx.Rollback()
		return fmt.Errorf("record delivery of alert %s to %s: %w", d.AlertID, d.Output, err)
	}
	_, err = tx.Commit(ctx)
	return err
}
