package main

import (
	"os"
	"runtime/debug"
)

// setGoMemoryLimit gives the Go heap a soft limit of twice the collector's
// memory budget (at least 64 MiB) unless GOMEMLIMIT sets one: the events in
// flight are bounded by the budget, and without a limit the garbage
// collector lets the heap grow to twice whatever is live, on top of
// DuckDB's own memory.
func setGoMemoryLimit(budget int) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(int64(max(2*budget, 64<<20)))
}
