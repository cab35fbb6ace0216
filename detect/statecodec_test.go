package detect

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// Large states are stored compressed and read back exactly; small ones,
// and states stored as plain JSON by earlier versions, are read as they
// are; a damaged compressed state is an error, not a panic.
func TestStateCodec(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"groups":[`)
	for i := range 2000 {
		fmt.Fprintf(&b, `{"key":["arn:aws:iam::111122223333:user/u%d"],"last":"2026-11-23T01:%02d:00Z"},`, i, i%60)
	}
	b.WriteString(`{}]}`)
	big := []byte(b.String())
	small := []byte(`{"version":1}`)
	for _, in := range [][]byte{big, small} {
		stored := encodeState(in)
		if len(in) > compressAbove && (len(stored) >= len(in)/3 || !bytes.HasPrefix(stored, zstdPrefix)) {
			t.Errorf("%d bytes stored as %d", len(in), len(stored))
		}
		out, err := decodeState(stored)
		if err != nil || !bytes.Equal(out, in) {
			t.Fatalf("round trip of %d bytes: %v", len(in), err)
		}
	}
	for _, bad := range []string{"zstd:!!!", "zstd:" + "AAAA"} {
		if _, err := decodeState([]byte(bad)); err == nil {
			t.Errorf("%q decoded", bad)
		}
	}
}
