package duckdb

import (
	"context"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
)

// The log columns (migration 3) are stored, and the view's message is the
// lifted message, else raw for the text-line sources only.
func TestLogColumns(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tm := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	evs := []*cairn.Event{
		{Time: tm, Source: "aws.eks.audit", EventID: "a1", Cluster: "prod", Namespace: "payments", Component: "kube-apiserver-audit",
			LogGroup: "/aws/eks/prod/cluster", LogStream: "kube-apiserver-audit-1", URL: "/api/v1/pods", HTTPStatus: cairn.Int(403), Raw: []byte(`{"verb":"get"}`)},
		{Time: tm, Source: "application", EventID: "a2", Service: "web", TraceID: "t-1", Pod: "web-1", Container: "app", Host: "node-1",
			Message: "lifted", HTTPMethod: "GET", Raw: []byte(`{"msg":"lifted"}`)},
		{Time: tm, Source: "aws.cloudwatch_logs", EventID: "a3", Raw: []byte(`plain text line`)},
		{Time: tm, Source: "aws.cloudtrail", EventID: "a4", Raw: []byte(`{}`)},
	}
	tx, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Append(ctx, evs); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	var n int
	err = s.DB().QueryRowContext(ctx, `SELECT count(*) FROM events WHERE
		(event_id = 'a1' AND cluster = 'prod' AND namespace = 'payments' AND component = 'kube-apiserver-audit'
			AND log_group = '/aws/eks/prod/cluster' AND log_stream = 'kube-apiserver-audit-1' AND url = '/api/v1/pods' AND http_status = 403 AND message IS NULL)
		OR (event_id = 'a2' AND service = 'web' AND trace_id = 't-1' AND pod = 'web-1' AND container = 'app' AND host = 'node-1'
			AND message = 'lifted' AND http_method = 'GET')
		OR (event_id = 'a3' AND message = 'plain text line')
		OR (event_id = 'a4' AND message IS NULL)`).Scan(&n)
	if err != nil || n != 4 {
		t.Fatalf("%d of 4 rows as expected, %v", n, err)
	}
}
