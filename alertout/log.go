package alertout

import (
	"context"
	"log/slog"
	"strings"

	"github.com/cairn-sec/cairn"
)

// Log writes each alert as one structured log line; it never fails.
type Log struct {
	name string
	log  *slog.Logger
}

// NewLog returns a log output named name writing to log.
func NewLog(name string, log *slog.Logger) *Log { return &Log{name: name, log: log} }

// Name implements Output.
func (l *Log) Name() string { return l.name }

// Send implements Output.
func (l *Log) Send(ctx context.Context, d cairn.DueAlert, resend bool) error {
	a := d.Alert
	attrs := []any{"id", a.ID, "kind", string(a.Kind), "rule", a.RuleID, "title", a.Title, "severity", a.Severity,
		"count", a.Count, "group", a.GroupKey, "first_seen", a.FirstSeen, "last_seen", a.LastSeen, "resend", resend}
	if a.Author != "" {
		attrs = append(attrs, "author", a.Author)
	}
	if len(a.Tags) > 0 {
		attrs = append(attrs, "tags", strings.Join(a.Tags, ","))
	}
	for _, k := range sortedKeys(a.Fields) {
		attrs = append(attrs, "field."+k, a.Fields[k])
	}
	l.log.InfoContext(ctx, "alert", attrs...)
	return nil
}
