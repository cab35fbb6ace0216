package main

import (
	"os"
	"runtime/debug"
)

// detectionHeap is the Go heap the detection engine may keep on top of the
// events in flight: its index of open alerts (up to 50,000), correlation
// windows and first-seen memory (up to 100,000 combinations).
const detectionHeap = 32 << 20

// setGoMemoryLimit gives the Go heap a soft limit of twice the collector's
// memory budget (at least 64 MiB), plus detectionHeap when detection runs,
// unless GOMEMLIMIT sets one: the events in flight are bounded by the
// budget, and without a limit the garbage collector lets the heap grow to
// twice whatever is live, on top of DuckDB's own memory. Without the
// detection share, the engine's long-lived state would squeeze the room
// left for events and the collector would run several times as often.
func setGoMemoryLimit(budget int, detection bool) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	limit := int64(max(2*budget, 64<<20))
	if detection {
		limit += detectionHeap
	}
	debug.SetMemoryLimit(limit)
}
