package ingest

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"io"
	"testing"
	"time"

	"github.com/cairn-sec/cairn/simulate"
)

// BenchmarkObjectHash measures what hashing the uncompressed content (for
// continuous digest verification) adds to reading an object: gunzip alone
// versus gunzip with the SHA-256 tee the processor uses, over a simulated
// CloudTrail file of 1000 events.
func BenchmarkObjectHash(b *testing.B) {
	var raw bytes.Buffer
	g := simulate.NewGenerator(simulate.Options{Seed: 1})
	if _, err := g.WriteLog(&raw, "123456789012", "us-east-1", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), 1000); err != nil {
		b.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw.Bytes())
	zw.Close()
	for _, hash := range []bool{false, true} {
		name := "gunzip"
		if hash {
			name = "gunzip+sha256"
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(raw.Len()))
			for b.Loop() {
				body, err := decompress(bytes.NewReader(gz.Bytes()))
				if err != nil {
					b.Fatal(err)
				}
				r, sum := io.Reader(body), sha256.New()
				if hash {
					r = io.TeeReader(body, sum)
				}
				if _, err := io.Copy(io.Discard, r); err != nil {
					b.Fatal(err)
				}
				if hash && len(sum.Sum(nil)) != sha256.Size {
					b.Fatal("no hash")
				}
			}
		})
	}
}
