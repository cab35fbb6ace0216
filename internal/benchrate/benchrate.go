// Package benchrate reports decoder benchmark rates: records per second
// of wall time and per second of CPU time the process got. On a shared
// machine wall time undercounts; the CPU rate is the one to compare with
// a per-core target.
package benchrate

import (
	"testing"
	"time"
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
