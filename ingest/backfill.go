package ingest

import (
	"context"
	"sync"

	"github.com/cairn-sec/cairn"
)

// ObjectProcessor processes one object (a *Processor, or one choosing
// between processors by where the object lives).
type ObjectProcessor interface {
	Process(ctx context.Context, ref cairn.ObjectRef) (ObjectResult, error)
}

// BackfillProgress receives each object's outcome.
type BackfillProgress func(res ObjectResult, err error)

// Backfill processes every object sent on refs with concurrency workers and
// returns when refs is closed and drained, or ctx ends. Objects already in
// the ledger are skipped. Failures are recorded in ingest_errors, reported
// to progress, and do not stop the backfill.
func Backfill(ctx context.Context, proc ObjectProcessor, refs <-chan cairn.ObjectRef, concurrency int, progress BackfillProgress) Summary {
	if concurrency <= 0 {
		concurrency = 4
	}
	var (
		mu  sync.Mutex
		sum Summary
		wg  sync.WaitGroup
	)
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ref := range refs {
				if ctx.Err() != nil {
					continue // drain so the producer never blocks
				}
				res, err := proc.Process(ctx, ref)
				mu.Lock()
				sum.Bytes += res.Bytes
				switch {
				case err != nil:
					sum.Failed++
				case res.Skipped:
					sum.Skipped++
				default:
					sum.Objects++
					sum.Events += res.Events
					sum.Rejected += res.Rejected
				}
				mu.Unlock()
				if progress != nil {
					progress(res, err)
				}
			}
		}()
	}
	wg.Wait()
	return sum
}
