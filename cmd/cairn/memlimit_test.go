package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
)

func TestSetGoMemoryLimit(t *testing.T) {
	old := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(old) })
	for _, c := range []struct {
		env       string
		budget    int
		detection bool
		want      int64
	}{
		{"", 256 << 20, false, 512 << 20},
		{"", 16 << 20, false, 64 << 20}, // the floor
		{"", 16 << 20, true, 96 << 20},  // the floor and detection's share
		{"", 256 << 20, true, 544 << 20},
		{"1GiB", 16 << 20, true, math.MaxInt64},
	} {
		debug.SetMemoryLimit(math.MaxInt64)
		t.Setenv("GOMEMLIMIT", c.env)
		setGoMemoryLimit(c.budget, c.detection)
		if got := debug.SetMemoryLimit(-1); got != c.want {
			t.Errorf("GOMEMLIMIT=%q budget %d: limit %d, want %d", c.env, c.budget, got, c.want)
		}
	}
}

func TestWriterThreads(t *testing.T) {
	if got := writerThreads(3); got != 3 {
		t.Errorf("configured 3: %d", got)
	}
	want := max(1, runtime.NumCPU()-1)
	if got := writerThreads(0); got != want || got < 1 {
		t.Errorf("default: %d, want %d on %d cores", got, want, runtime.NumCPU())
	}
}

func TestInFlightBytes(t *testing.T) {
	for _, c := range []struct {
		budget, workers, chunk, inFlight int
	}{
		{32 << 20, 1, (32 << 20) / 6, (32 << 20) / 6 * 6}, // one big object streams in large chunks
		{32 << 20, 8, (32 << 20) / 20, (32 << 20) / 20 * 20},
		{32 << 20, 32, 1 << 20, 68 << 20}, // the minimum chunk: more than the budget
		{256 << 20, 32, (256 << 20) / 68, (256 << 20) / 68 * 68},
	} {
		if got := chunkBytes(c.budget, c.workers); got != c.chunk {
			t.Errorf("budget %d, %d workers: chunk %d, want %d", c.budget, c.workers, got, c.chunk)
		}
		got := inFlightBytes(c.budget, c.workers)
		if got != c.inFlight {
			t.Errorf("budget %d, %d workers: in flight %d, want %d", c.budget, c.workers, got, c.inFlight)
		}
		if got < c.budget-(2*c.workers+4) {
			t.Errorf("budget %d, %d workers: in flight %d is below the budget", c.budget, c.workers, got)
		}
	}
}
