package accesslog

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/internal/golden"
)

// FuzzDecode feeds the same bytes to both decoders: no panic, whole-object
// errors are corrupt errors, and every event is well formed.
func FuzzDecode(f *testing.F) {
	golden.Seed(f, "testdata/s3access")
	golden.Seed(f, "testdata/alb")
	f.Fuzz(func(t *testing.T, in []byte) {
		for name, decode := range map[string]func(*golden.Collect) error{
			"s3": func(c *golden.Collect) error {
				return S3Decoder{MaxLineBytes: 2048}.Decode(context.Background(), bytes.NewReader(in), goldenRef, c)
			},
			"alb": func(c *golden.Collect) error {
				return ALBDecoder{MaxLineBytes: 2048}.Decode(context.Background(), bytes.NewReader(in), goldenRef, c)
			},
		} {
			var c golden.Collect
			if err := decode(&c); err != nil && !errors.Is(err, cairn.ErrCorrupt) {
				t.Fatalf("%s: error not corrupt: %v", name, err)
			}
			for _, ev := range c.Events {
				if ev.Time.IsZero() || len(ev.EventID) != 32 || ev.ClassUID == 0 || ev.TypeUID != ev.ClassUID*100+ev.ActivityID {
					t.Fatalf("%s: bad event %+v", name, ev)
				}
			}
		}
	})
}
