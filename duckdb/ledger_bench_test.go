package duckdb

import (
	"context"
	"fmt"
	"testing"

	"github.com/cairn-sec/cairn"
)

// BenchmarkObjectLedger is the per-object work apart from its events: the
// processor's ledger lookup, and the committer's lookup and ledger row
// inside a transaction of its own.
func BenchmarkObjectLedger(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, Options{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.ReportAllocs()
	cpu0 := processCPU()
	i := 0
	for b.Loop() {
		ref := cairn.ObjectRef{Bucket: "b", Key: fmt.Sprintf("AWSLogs/%d.json.gz", i), ETag: "e"}
		i++
		if done, err := s.Done(ctx, ref); err != nil || done {
			b.Fatal(done, err)
		}
		tx, err := s.Begin(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if done, err := tx.DoneAll(ctx, []cairn.ObjectRef{ref}); err != nil || done[0] {
			b.Fatal(done, err)
		}
		if err := tx.MarkDone(ctx, cairn.ObjectRecord{Ref: ref, Kind: cairn.KindCloudTrail, Events: 1}); err != nil {
			b.Fatal(err)
		}
		if _, err := tx.Commit(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/float64(b.N), "cpu-µs/object")
}
