package push

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/klauspost/compress/gzip"
)

// Error classes of a request, mapped to HTTP statuses by status.
var (
	// errMalformed: the body is not what the endpoint takes (400).
	errMalformed = errors.New("malformed request")
	// errTooLarge: a size limit was exceeded (413).
	errTooLarge = errors.New("request too large")
	// errEncoding: a Content-Encoding other than gzip or identity (415).
	errEncoding = errors.New("unsupported content encoding")
	// errStore: the store failed while a request was decoded into it
	// (500, so that it is retried).
	errStore = errors.New("store failure")
)

// status is the HTTP status of a request error: 400, 413 or 415 for the
// client's mistakes, 500 for anything else (the store), so that Firehose
// retries.
func status(err error) int {
	switch {
	case errors.Is(err, errTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, errEncoding):
		return http.StatusUnsupportedMediaType
	case errors.Is(err, errMalformed):
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

func malformedf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errMalformed, fmt.Sprintf(format, args...))
}

// limitReader reads at most n bytes and fails with errTooLarge beyond,
// instead of ending quietly as io.LimitReader does.
type limitReader struct {
	r    io.Reader
	n    int64 // bytes left
	read int64
	what string
	max  int64
}

func newLimitReader(r io.Reader, max int64, what string) *limitReader {
	return &limitReader{r: r, n: max, what: what, max: max}
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		// One byte more tells a body of exactly max bytes from a longer one.
		var b [1]byte
		if n, _ := l.r.Read(b[:]); n > 0 {
			return 0, fmt.Errorf("%w: %s exceeds %d bytes", errTooLarge, l.what, l.max)
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	l.read += int64(n)
	return n, err
}

// body is a request body: the wire bytes limited to maxBody, gunzipped
// when Content-Encoding says gzip, the result limited to maxDecoded.
type body struct {
	io.Reader
	wire    *limitReader
	decoded *limitReader
	gz      *gzip.Reader
}

// openBody wraps r's body. A gzip body's header is read here, so a body
// that is not gzip fails now, as malformed.
func openBody(r *http.Request, maxBody, maxDecoded int64) (*body, error) {
	b := &body{wire: newLimitReader(r.Body, maxBody, "request body")}
	var in io.Reader = b.wire
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		gz, err := gzip.NewReader(bufio.NewReader(b.wire))
		if err != nil {
			if errors.Is(err, errTooLarge) {
				return nil, err
			}
			return nil, malformedf("Content-Encoding gzip: %v", err)
		}
		gz.Multistream(true)
		b.gz = gz
		in = gzipErrors{gz}
	default:
		return nil, fmt.Errorf("%w: %q (want gzip or none)", errEncoding, enc)
	}
	b.decoded = newLimitReader(in, maxDecoded, "decompressed request body")
	b.Reader = b.decoded
	return b, nil
}

// Bytes are the body bytes read so far as received, and decompressed.
func (b *body) Bytes() (wire, decoded int64) { return b.wire.read, b.decoded.read }

// endOfJSON checks that only white space follows the JSON value dec
// read from r (what dec buffered, then the rest of r), so that trailing
// garbage and a truncated gzip stream are seen.
func endOfJSON(dec *json.Decoder, r io.Reader) error {
	rest, err := io.ReadAll(io.LimitReader(io.MultiReader(dec.Buffered(), r), 1<<20))
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(rest)) > 0 {
		return malformedf("unexpected data after the JSON body")
	}
	return nil
}

// gzipErrors marks gzip stream errors (not limits) as malformed input.
type gzipErrors struct{ r io.Reader }

func (g gzipErrors) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	if err != nil && err != io.EOF && !errors.Is(err, errTooLarge) {
		var mbe *http.MaxBytesError
		if !errors.As(err, &mbe) {
			err = malformedf("Content-Encoding gzip: %v", err)
		}
	}
	return n, err
}

// gunzipRecord decompresses one record when it starts with the gzip magic
// bytes, spending at most budget bytes of output; other records are
// returned as they are.
func gunzipRecord(data []byte, budget int64) ([]byte, error) {
	if len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b {
		return data, nil
	}
	gz, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, malformedf("gzip: %v", err)
	}
	gz.Multistream(true)
	out, err := io.ReadAll(newLimitReader(gz, budget, "decompressed records"))
	if err != nil {
		if errors.Is(err, errTooLarge) {
			return nil, err
		}
		return nil, malformedf("gzip: %v", err)
	}
	return out, nil
}
