package lines

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestReader(t *testing.T) {
	in := "a\r\n\n  \nbbbbbbbbbbbb\nccc\nlast"
	r := New(strings.NewReader(in), 5)
	type got struct {
		line string
		off  int64
		long bool
	}
	var out []got
	for {
		line, off, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil && !errors.Is(err, ErrTooLong) {
			t.Fatal(err)
		}
		out = append(out, got{string(line), off, errors.Is(err, ErrTooLong)})
	}
	want := []got{{"a", 0, false}, {"bbbbb", 7, true}, {"ccc", 20, false}, {"last", 24, false}}
	if len(out) != len(want) {
		t.Fatalf("got %+v, want %+v", out, want)
	}
	for i := range want {
		if out[i] != want[i] {
			t.Errorf("line %d: got %+v, want %+v", i, out[i], want[i])
		}
	}
}
