package duckdb

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/cloudtrail"
	"github.com/cairn-sec/cairn/simulate"
)

type sliceEmitter struct{ evs []*cairn.Event }

func (s *sliceEmitter) Emit(ev *cairn.Event) error {
	c := *ev
	c.Raw = bytes.Clone(ev.Raw)
	s.evs = append(s.evs, &c)
	return nil
}
func (s *sliceEmitter) Reject(cairn.IngestError) error { return nil }

// simulatedEvents decodes n simulated CloudTrail events: realistic sizes
// and value variety, so compression costs what it costs in production.
func simulatedEvents(b *testing.B, n int) []*cairn.Event {
	b.Helper()
	gen := simulate.NewGenerator(simulate.Options{Seed: 7, EventsPerFile: 250, Start: time.Now().Add(-24 * time.Hour)})
	out := &sliceEmitter{}
	for len(out.evs) < n {
		f, err := gen.NextFile()
		if err != nil {
			b.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(f.Body))
		if err != nil {
			b.Fatal(err)
		}
		if err := (cloudtrail.Decoder{}).Decode(context.Background(), zr, cairn.ObjectRef{Bucket: "b", Key: f.Key}, out); err != nil {
			b.Fatal(err)
		}
	}
	return out.evs[:n]
}

// BenchmarkStoreRealistic writes 100,000 simulated events in transactions
// of the given size and closes the store (the final checkpoint counts).
func BenchmarkStoreRealistic(b *testing.B) {
	const total = 100_000
	evs := simulatedEvents(b, total)
	if os.Getenv("NORAW") != "" {
		for _, e := range evs {
			e.Raw = nil
		}
	}
	var raw int64
	for _, e := range evs {
		raw += int64(len(e.Raw))
	}
	for _, batch := range []int{2_000, 20_000, 130_000} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			ctx := context.Background()
			var closeT time.Duration
			var size int64
			cpu0 := processCPU()
			for i := 0; i < b.N; i++ {
				dir := b.TempDir()
				s, err := Open(ctx, Options{Dir: dir})
				if err != nil {
					b.Fatal(err)
				}
				for lo := 0; lo < total; lo += batch {
					hi := min(lo+batch, total)
					tx, err := s.Begin(ctx)
					if err != nil {
						b.Fatal(err)
					}
					if err := tx.Append(ctx, evs[lo:hi]); err != nil {
						b.Fatal(err)
					}
					if _, err := tx.Commit(ctx); err != nil {
						b.Fatal(err)
					}
				}
				tc := time.Now()
				if err := s.Close(); err != nil {
					b.Fatal(err)
				}
				closeT += time.Since(tc)
				if st, err := os.Stat(filepath.Join(dir, "cairn.duckdb")); err == nil {
					size = st.Size()
				}
			}
			b.ReportMetric((processCPU()-cpu0).Seconds()*1000/float64(b.N*total/1000), "cpu-ms/1k-events")
			b.ReportMetric(float64(size)/float64(total), "store-B/event")
			b.ReportMetric(closeT.Seconds()/float64(b.N), "close-s")
			b.ReportMetric(float64(b.N*total)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(int64(b.N)*raw)/1e6/b.Elapsed().Seconds(), "rawMB/s")
		})
	}
}

// processCPU is the user+sys CPU time of the whole process, DuckDB's own
// threads included: on a shared machine it measures cost where wall-clock
// time does not.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
