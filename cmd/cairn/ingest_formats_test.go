package main

import (
	"path/filepath"
	"testing"
)

// TestIngestFormats ingests the other formats from local files: text
// application logs by --format, a CloudWatch Logs payload and JSON log
// lines by their first bytes; an unknown --format is a usage error.
func TestIngestFormats(t *testing.T) {
	c := newCLI(t)
	text, other := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(text, "worker.log"), []byte("2026-11-20T10:00:04Z INFO worker started\n2026-11-20T10:00:05Z ERROR worker crashed\n"))
	writeFile(t, filepath.Join(other, "cwl.gz"), gzipBytes(t, []byte(`{"messageType":"DATA_MESSAGE","owner":"111122223333","logGroup":"/ecs/web","logStream":"s","subscriptionFilters":["f"],"logEvents":[{"id":"1","timestamp":1763632800000,"message":"WARN low disk"}]}`)))
	writeFile(t, filepath.Join(other, "app.jsonl"), []byte(`{"time":"2026-11-20T10:00:06Z","level":"error","msg":"boom","service":"api"}`+"\n"))

	c.fails(2, "ingest", "--format", "parquet", text)
	c.ok("ingest", "--format", "application", text)
	c.ok("ingest", other)
	if n := c.count(`SELECT count(*) FROM events WHERE source = 'application' AND level = 'ERROR' AND message = '2026-11-20T10:00:05Z ERROR worker crashed'`); n != 1 {
		t.Errorf("text line: %d rows, want 1", n)
	}
	if n := c.count(`SELECT count(*) FROM events WHERE source = 'aws.cloudwatch_logs' AND log_group = '/ecs/web' AND level = 'WARN' AND event_id = 'cwl:/ecs/web:1'`); n != 1 {
		t.Errorf("CloudWatch Logs event: %d rows, want 1", n)
	}
	if n := c.count(`SELECT count(*) FROM events WHERE source = 'application' AND service = 'api' AND message = 'boom' AND time = TIMESTAMP '2026-11-20 10:00:06'`); n != 1 {
		t.Errorf("JSON log line: %d rows, want 1", n)
	}
}
