package applog

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/internal/golden"
)

// FuzzDecode checks that no input panics, that whole-object errors are
// corrupt errors, and that every line becomes an event or a reject.
func FuzzDecode(f *testing.F) {
	golden.Seed(f, "testdata/applog")
	f.Fuzz(func(t *testing.T, in []byte) {
		var c golden.Collect
		err := Decoder{MaxLineBytes: 1024}.Decode(context.Background(), bytes.NewReader(in), goldenRef, &c)
		if err != nil {
			if !errors.Is(err, cairn.ErrCorrupt) {
				t.Fatalf("error not corrupt: %v", err)
			}
			return
		}
		for _, ev := range c.Events {
			if ev.Time.IsZero() || len(ev.EventID) != 32 || ev.Source != Source || len(ev.Raw) == 0 {
				t.Fatalf("bad event: %+v", ev)
			}
		}
		for _, r := range c.Rejects {
			if r.Offset < 0 || r.Offset > int64(len(in)) {
				t.Fatalf("bad reject: %+v", r)
			}
		}
	})
}
