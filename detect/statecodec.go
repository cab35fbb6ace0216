package detect

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// A saved state is JSON; one of more than compressAbove bytes is stored
// zstd-compressed and base64-encoded behind a "zstd:" prefix (the state
// column is text). Correlation windows are rewritten with every
// transaction that changes them, so their size is the write-ahead log's
// and the checkpoints' cost: JSON of time stamps and IDs compresses about
// tenfold.
const compressAbove = 4 << 10

var zstdPrefix = []byte("zstd:")

var (
	zstdOnce sync.Once
	zenc     *zstd.Encoder
	zdec     *zstd.Decoder
)

func codecs() (*zstd.Encoder, *zstd.Decoder) {
	zstdOnce.Do(func() {
		zenc, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
		zdec, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(1<<30))
	})
	return zenc, zdec
}

// encodeState is the stored form of a state's JSON.
func encodeState(data []byte) []byte {
	if len(data) <= compressAbove {
		return data
	}
	enc, _ := codecs()
	z := enc.EncodeAll(data, nil)
	out := make([]byte, len(zstdPrefix)+base64.StdEncoding.EncodedLen(len(z)))
	copy(out, zstdPrefix)
	base64.StdEncoding.Encode(out[len(zstdPrefix):], z)
	return out
}

// decodeState returns the JSON of a stored state (plain JSON as earlier
// versions stored it, or encodeState's compressed form).
func decodeState(stored []byte) ([]byte, error) {
	if !bytes.HasPrefix(stored, zstdPrefix) {
		return stored, nil
	}
	b := stored[len(zstdPrefix):]
	z := make([]byte, base64.StdEncoding.DecodedLen(len(b)))
	n, err := base64.StdEncoding.Decode(z, b)
	if err != nil {
		return nil, fmt.Errorf("state: base64: %w", err)
	}
	_, dec := codecs()
	data, err := dec.DecodeAll(z[:n], nil)
	if err != nil {
		return nil, fmt.Errorf("state: zstd: %w", err)
	}
	return data, nil
}
