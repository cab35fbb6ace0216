package golden

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
)

// Update rewrites the golden files instead of comparing with them.
var Update = flag.Bool("update", false, "rewrite testdata/<format>/*/want.json from the decoder's output")

// Collect is an Emitter that keeps everything.
type Collect struct {
	Events  []cairn.Event
	Rejects []cairn.IngestError
}

// Emit keeps a copy of ev.
func (c *Collect) Emit(ev *cairn.Event) error { c.Events = append(c.Events, *ev); return nil }

// Reject keeps e.
func (c *Collect) Reject(e cairn.IngestError) error { c.Rejects = append(c.Rejects, e); return nil }

// Reject is a rejected record as golden files show it.
type Reject struct {
	Index  int64  `json:"index"`
	Offset int64  `json:"offset"`
	Reason string `json:"reason"`
	Detail string `json:"detail"`
}

type file[E any] struct {
	Events  []E      `json:"events"`
	Rejects []Reject `json:"rejects"`
	Error   string   `json:"error,omitempty"`
}

// TS renders a time as RFC 3339 (nanoseconds when present), "" when zero.
func TS(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// Run decodes every case under dir (e.g. "testdata/vpcflow") with decode,
// renders each event with view, and compares with the case's want.json.
func Run[E any](t *testing.T, dir string, decode func(in []byte, out cairn.Emitter) error, view func(*cairn.Event) E) {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden cases under %s: %v", dir, err)
	}
	for _, d := range dirs {
		t.Run(filepath.Base(d), func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join(d, "input"))
			if err != nil {
				t.Fatal(err)
			}
			var c Collect
			g := file[E]{Events: []E{}, Rejects: []Reject{}}
			if err := decode(in, &c); err != nil {
				g.Error = err.Error()
			}
			for i := range c.Events {
				g.Events = append(g.Events, view(&c.Events[i]))
			}
			for _, r := range c.Rejects {
				g.Rejects = append(g.Rejects, Reject{Index: r.Index, Offset: r.Offset, Reason: r.Reason, Detail: r.Detail})
			}
			got, err := json.MarshalIndent(g, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			wantPath := filepath.Join(d, "want.json")
			if *Update {
				if err := os.WriteFile(wantPath, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(wantPath)
			if err != nil {
				t.Fatalf("%v (run go test -run TestGolden -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("decoder output differs from %s (run with -update and review the diff):\n%s", wantPath, got)
			}
		})
	}
}

// Seed adds every case input under dir to the fuzzer's corpus.
func Seed(f *testing.F, dir string) {
	inputs, _ := filepath.Glob(filepath.Join(dir, "*", "input"))
	for _, p := range inputs {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
}
