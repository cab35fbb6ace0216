package cwlogs

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/internal/golden"
)

// FuzzDecode checks that no input panics, that whole-object errors are
// corrupt errors, and that every event and reject is well formed.
func FuzzDecode(f *testing.F) {
	golden.Seed(f, "testdata/cwlogs")
	f.Fuzz(func(t *testing.T, in []byte) {
		var c golden.Collect
		err := Decoder{MaxMessageBytes: 4096}.Decode(context.Background(), bytes.NewReader(in), goldenRef, &c)
		if err != nil && !errors.Is(err, cairn.ErrCorrupt) {
			t.Fatalf("error not corrupt: %v", err)
		}
		seen := map[int64]bool{}
		for _, ev := range c.Events {
			if ev.EventID == "" || ev.Source == "" || ev.Time.IsZero() && ev.Source != SourceEKSAudit {
				t.Fatalf("bad event: %+v", ev)
			}
			if seen[ev.Index] {
				t.Fatalf("index %d twice", ev.Index)
			}
			seen[ev.Index] = true
		}
		for _, r := range c.Rejects {
			if seen[r.Index] || r.Offset < 0 {
				t.Fatalf("bad reject: %+v", r)
			}
			seen[r.Index] = true
		}
	})
}
