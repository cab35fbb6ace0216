package ingest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/duckdb"
)

// TestCommitterGroupLedger: a group looks its objects up in the ledger at
// once; an object already committed is skipped, and one that appears twice
// in the group (two messages for it) is stored once.
func TestCommitterGroupLedger(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := duckdb.Open(ctx, duckdb.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	object := func(key string, n int) *job {
		ref := cairn.ObjectRef{Bucket: "b", Key: key, ETag: "e"}
		j := &job{rec: cairn.ObjectRecord{Ref: ref, Kind: cairn.KindCloudTrail, Events: int64(n)}, result: make(chan jobResult, 1)}
		for i := range n {
			id := fmt.Sprintf("%s-%d", key, i)
			j.events = append(j.events, &cairn.Event{Time: t0, Source: "aws.cloudtrail", EventID: id, Raw: []byte(`{"eventID":"` + id + `"}`),
				Bucket: "b", Key: key, Index: int64(i)})
		}
		return j
	}
	c := NewCommitter(st, CommitterOptions{Queue: 16, Linger: time.Second}, NewMetrics(prometheus.NewRegistry()), slog.New(slog.NewTextHandler(io.Discard, nil)))
	// Committed before.
	first := object("old", 2)
	if _, err := c.commitJobs(ctx, []*job{first}); err != nil {
		t.Fatal(err)
	}
	group := []*job{object("a", 3), object("old", 2), object("b", 1), object("a", 3)}
	results, err := c.commitJobs(ctx, group)
	if err != nil {
		t.Fatal(err)
	}
	var skipped []int
	for i, r := range results {
		if r.err != nil {
			t.Fatalf("object %d: %v", i, r.err)
		}
		if r.skipped {
			skipped = append(skipped, i)
		}
	}
	if fmt.Sprint(skipped) != "[1 3]" {
		t.Errorf("skipped objects %v, want [1 3] (committed before; second copy)", skipped)
	}
	var events, objects int
	if err := st.DB().QueryRowContext(ctx, `SELECT (SELECT count(*) FROM events_data), (SELECT count(*) FROM objects)`).Scan(&events, &objects); err != nil {
		t.Fatal(err)
	}
	if events != 6 || objects != 3 {
		t.Errorf("stored %d events and %d ledger entries, want 6 and 3", events, objects)
	}
}
