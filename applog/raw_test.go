package applog

import (
	"context"
	"strings"
	"testing"

	"github.com/cairn-sec/cairn"
)

// structCopy keeps what it is given the way ingest's sink does: a copy of
// the event struct, its byte slices shared.
type structCopy struct{ evs []cairn.Event }

func (s *structCopy) Emit(ev *cairn.Event) error     { s.evs = append(s.evs, *ev); return nil }
func (s *structCopy) Reject(cairn.IngestError) error { return nil }

// An event's raw stays its own line after later lines are read (the
// reader's buffer is reused: the last line, without a newline, slides
// over the first).
func TestRawNotAliased(t *testing.T) {
	in := "2026-11-20T10:00:00Z INFO first line here\n2026-11-20T10:00:01Z WARN second line here\n2026-11-20T10:00:02Z ERROR third"
	var out structCopy
	if err := (Decoder{}).Decode(context.Background(), strings.NewReader(in), cairn.ObjectRef{Key: "k"}, &out); err != nil {
		t.Fatal(err)
	}
	want := strings.Split(in, "\n")
	if len(out.evs) != len(want) {
		t.Fatalf("%d events", len(out.evs))
	}
	for i, ev := range out.evs {
		if string(ev.Raw) != want[i] {
			t.Errorf("event %d raw %q, want %q", i, ev.Raw, want[i])
		}
	}
}
