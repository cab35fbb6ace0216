package benchrate

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
)

// Meter measures one benchmark.
type Meter struct{ cpu0 time.Duration }

// Start begins measuring; call it just before the benchmark loop.
func Start() Meter { return Meter{cpu0: cpuTime()} }

// Report adds records/s and records/cpu-s for n records decoded in the
// loop.
func (m Meter) Report(b *testing.B, n int) {
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
	if cpu := cpuTime() - m.cpu0; cpu > 0 {
		b.ReportMetric(float64(n)/cpu.Seconds(), "records/cpu-s")
	}
}

// Decode is a decoder's Decode method.
type Decode func(ctx context.Context, r io.Reader, ref cairn.ObjectRef, out cairn.Emitter) error

// count is an Emitter that counts events and drops them.
type count struct{ n int }

func (c *count) Emit(*cairn.Event) error        { c.n++; return nil }
func (c *count) Reject(cairn.IngestError) error { return nil }

// Run benchmarks decode over each named input as a sub-benchmark, with
// bytes/s, allocations, records/s and records/cpu-s.
func Run(b *testing.B, ref cairn.ObjectRef, decode Decode, inputs map[string][]byte) {
	for name, in := range inputs {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			var c count
			m := Start()
			for b.Loop() {
				if err := decode(context.Background(), bytes.NewReader(in), ref, &c); err != nil {
					b.Fatal(err)
				}
			}
			m.Report(b, c.n)
		})
	}
}
