package sigma

import (
	"math/rand/v2"
	"testing"
)

// TestPlainRunAsByteLoop: the eight-bytes-at-a-time scan stops exactly
// where a byte-by-byte scan of strStop does, whatever the alignment and
// whatever mix of stop bytes, high bytes and bytes next to the masks'
// boundaries (0x1f, 0x20, 0x01, 0x80, 0xff) surrounds the stop.
func TestPlainRunAsByteLoop(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	pool := []byte{'a', ' ', 0x1f, 0x20, 0x21, 0x00, 0x01, '"', '\\', 0x5b, 0x5d, 0x7f, 0x80, 0xc3, 0xff, '!', '#'}
	for range 20000 {
		b := make([]byte, rng.IntN(40))
		for i := range b {
			if rng.IntN(6) == 0 {
				b[i] = pool[rng.IntN(len(pool))]
			} else {
				b[i] = byte('a' + rng.IntN(26))
			}
		}
		start := 0
		if len(b) > 0 {
			start = rng.IntN(len(b) + 1)
		}
		want := start
		for want < len(b) && !strStop[b[want]] {
			want++
		}
		if got := plainRun(b, start); got != want {
			t.Fatalf("plainRun(%q, %d) = %d, want %d", b, start, got, want)
		}
	}
}
