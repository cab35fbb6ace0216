package digest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
)

// ErrTrailingData marks a gzip file with bytes after its compressed
// stream: the AWS CLI rejects those, since the hash covers only what
// decompresses.
var ErrTrailingData = errors.New("unexpected data after the end of the gzip stream")

// maxDigestSize bounds an uncompressed digest file (real ones are a few
// hundred kilobytes at most).
const maxDigestSize = 64 << 20

// inflate decompresses a single-member gzip file.
func inflate(b []byte) ([]byte, error) {
	var out bytes.Buffer
	if err := gunzipTo(&out, bytes.NewReader(b), maxDigestSize); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// hashGzip returns the hex SHA-256 of a gzip file's uncompressed content.
func hashGzip(r io.Reader) (string, error) {
	h := sha256.New()
	if err := gunzipTo(h, r, -1); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// gunzipTo decompresses one gzip member from r into w (at most limit
// bytes when limit >= 0) and fails on anything after it.
func gunzipTo(w io.Writer, r io.Reader, limit int64) error {
	br := bufio.NewReader(r)
	zr, err := gzip.NewReader(br)
	if err != nil {
		return fmt.Errorf("not gzip: %w", err)
	}
	zr.Multistream(false)
	src := io.Reader(zr)
	if limit >= 0 {
		src = io.LimitReader(zr, limit+1)
	}
	n, err := io.Copy(w, src)
	if err != nil {
		return fmt.Errorf("gunzip: %w", err)
	}
	if limit >= 0 && n > limit {
		return fmt.Errorf("gunzip: larger than %d bytes", limit)
	}
	if _, err := br.ReadByte(); err == nil {
		return ErrTrailingData
	} else if err != io.EOF {
		return fmt.Errorf("gunzip: %w", err)
	}
	return nil
}
