package push

import (
	"fmt"
	"strings"
	"testing"
)

// A line that is not UTF-8 is quarantined with its bytes, not stored as
// an event whose raw the store could not keep.
func TestFirehoseInvalidUTF8Quarantined(t *testing.T) {
	e := newEnv(t)
	st, hdr, b := e.firehose(PathFirehoseRaw, "u1", delivery("u1", 1700000000000, []byte("good line\nbad \xff\xfe line\n")), nil)
	wantFirehose(t, st, hdr, b, 200, "u1", "")
	if rows := e.rows(`SELECT raw FROM events_data`); len(rows) != 1 || rows[0][0] != "good line" {
		t.Fatalf("events %v", rows)
	}
	rows := e.rows(`SELECT key, etag, record_index, detail, raw FROM ingest_errors`)
	if len(rows) != 1 || rows[0][0] != "firehose/u1/0" || rows[0][1] != "u1" || toInt(rows[0][2]) != 1 ||
		!strings.Contains(rows[0][3].(string), "not valid UTF-8") || !strings.Contains(fmt.Sprint(rows[0][4]), "\xff\xfe") {
		t.Fatalf("ingest_errors %v", rows)
	}
}
