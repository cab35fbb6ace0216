package notification

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden is what want.json holds: the notification or the error text.
type golden struct {
	Notification *Notification `json:"notification,omitempty"`
	Error        string        `json:"error,omitempty"`
}

func render(body []byte) []byte {
	var g golden
	n, err := Parse(body)
	if err != nil {
		g.Error = err.Error()
	} else {
		g.Notification = &n
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(g); err != nil {
		panic(err)
	}
	return out.Bytes()
}

// goldenInputs returns the testdata/<case>/input.json files.
func goldenInputs(t testing.TB) []string {
	t.Helper()
	inputs, err := filepath.Glob(filepath.Join("testdata", "*", "input.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(inputs) < 10 {
		t.Fatalf("only %d golden cases under testdata", len(inputs))
	}
	return inputs
}

// TestGolden parses each testdata/<case>/input.json and compares the result
// with testdata/<case>/want.json. Run with -update to rewrite want.json.
func TestGolden(t *testing.T) {
	for _, in := range goldenInputs(t) {
		dir := filepath.Dir(in)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			body, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			got := render(body)
			wantPath := filepath.Join(dir, "want.json")
			if *update {
				if err := os.WriteFile(wantPath, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(wantPath)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s: got\n%s\nwant\n%s", dir, got, want)
			}
		})
	}
}
