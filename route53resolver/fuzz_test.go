package route53resolver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/internal/golden"
)

// FuzzDecode checks that no input panics, that whole-file errors are
// corrupt errors, and that every event is well formed.
func FuzzDecode(f *testing.F) {
	golden.Seed(f, "testdata/route53resolver")
	f.Fuzz(func(t *testing.T, in []byte) {
		var c golden.Collect
		err := (Decoder{MaxLineBytes: 1024}).Decode(context.Background(), bytes.NewReader(in), goldenRef, &c)
		if err != nil && !errors.Is(err, cairn.ErrCorrupt) {
			t.Fatalf("error not corrupt: %v", err)
		}
		for _, ev := range c.Events {
			if !json.Valid(ev.Raw) || (ev.Answers != nil && !json.Valid(ev.Answers)) {
				t.Fatalf("invalid JSON in event: %+v", ev)
			}
			if ev.Time.IsZero() || ev.EventID == "" {
				t.Fatalf("bad event: %+v", ev)
			}
		}
		for _, r := range c.Rejects {
			if r.Index < 0 || r.Offset < 0 || r.Offset > int64(len(in)) {
				t.Fatalf("bad reject: %+v", r)
			}
		}
	})
}
