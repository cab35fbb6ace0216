package main

import (
	"os"
	"runtime/debug"
)

// detectionHeap is the Go heap the detection engine may keep on top of the
// events in flight: its index of open alerts (up to 50,000), correlation
// windows and first-seen memory (up to 100,000 combinations).
const detectionHeap = 32 << 20

// setGoMemoryLimit gives the Go heap a soft limit of twice the events that
// may be in flight (inFlightBytes: the collector's memory budget, or more
// with many workers; at least 64 MiB), plus detectionHeap when detection
// runs, unless GOMEMLIMIT sets one. A limit below what may be in flight
// keeps the garbage collector running almost without pause (64 workers
// under the limit the 32 MiB budget alone gives took 12 CPU-s instead of 6
// per 100k events). Without a limit the garbage collector lets the heap
// grow to twice whatever is live, on top of DuckDB's own memory. Without the
// detection share, the engine's long-lived state would squeeze the room
// left for events and the collector would run several times as often.
func setGoMemoryLimit(inFlight int, detection bool) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	limit := int64(max(2*inFlight, 64<<20))
	if detection {
		limit += detectionHeap
	}
	debug.SetMemoryLimit(limit)
}
