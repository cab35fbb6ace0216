package ingest

import (
	"errors"
	"io"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"

	"github.com/cairn-sec/cairn"
)

func newGzipReader(r io.Reader) (io.Reader, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, corruptGzip(err)
	}
	return zr, nil
}

// corruptionReader marks gzip damage (bad header, checksum, truncation)
// as cairn.ErrCorrupt so that it is reported as a bad object.
type corruptionReader struct{ r io.Reader }

func (c *corruptionReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		err = corruptGzip(err)
	}
	return n, err
}

func corruptGzip(err error) error {
	var ce flate.CorruptInputError
	switch {
	case errors.Is(err, gzip.ErrHeader), errors.Is(err, gzip.ErrChecksum), errors.As(err, &ce):
		return cairn.Corruptf("gzip: %v", err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return cairn.Corruptf("truncated gzip stream: %v", err)
	}
	return err
}
