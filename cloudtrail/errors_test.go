package cloudtrail

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/cairn-sec/cairn"
)

var itoa = strconv.Itoa

const oneRecord = `{"eventVersion":"1.08","eventTime":"2024-03-02T10:00:00Z","eventSource":"iam.amazonaws.com","eventName":"ListUsers","eventID":"e1"}`

// TestCorruptFiles: a file that is not a CloudTrail log as a whole is an
// error wrapping cairn.ErrCorrupt that says what went wrong and at which
// byte, and never a panic.
func TestCorruptFiles(t *testing.T) {
	gzipHeader := []byte{0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xab, 0x56}
	cases := []struct {
		name   string
		input  string
		want   []string // substrings of the error message
		events int      // records emitted before the error
	}{
		{"empty", "", []string{"unexpected end of input at byte 0"}, 0},
		{"whitespace only", " \n\t\r\n", []string{"unexpected end of input at byte 5"}, 0},
		{"still gzip compressed", string(gzipHeader), []string{"expected '{' at byte 0", "byte 0x1f"}, 0},
		{"binary garbage", "\x00\x01\x02\xff\xfe", []string{"expected '{' at byte 0", "byte 0x00"}, 0},
		{"text", "hello world", []string{"expected '{' at byte 0", `found 'h'`}, 0},
		{"top-level array", "[]", []string{"expected '{' at byte 0", `found '['`}, 0},
		{"top-level array of records", "[" + oneRecord + "]", []string{"expected '{' at byte 0"}, 0},
		{"empty object", "{}", []string{`no "Records" array`, "byte 1"}, 0},
		{"other members only", `{"a":1, "b":[{"Records":[]}], "c":"Records"}`, []string{`no "Records" array`, "byte 43"}, 0},
		{"Records is an object", `{"Records":{}}`, []string{"expected '[' at byte 11", "Records array", `found '{'`}, 0},
		{"Records is null", `{"Records":null}`, []string{"expected '[' at byte 11", `found 'n'`}, 0},
		{"Records without colon", `{"Records" []}`, []string{"expected ':' at byte 11"}, 0},
		{"member name not a string", `{Records:[]}`, []string{"expected a member name at byte 1", `found 'R'`}, 0},
		{"object never closed", `{"a":1`, []string{"unexpected end of input at byte 6"}, 0},
		{"truncated after Records name", `{"Records"`, []string{"unexpected end of input at byte 10"}, 0},
		{"truncated after [", `{"Records":[`, []string{"unexpected end of input at byte 12", "Records array"}, 0},
		{"truncated in a record", `{"Records":[{"eventVersion":"1.08","userIdentity":{"type":`, []string{"unexpected end of input at byte 58", "record"}, 0},
		{"truncated in a string", `{"Records":[{"eventVersion":"1.0`, []string{"unexpected end of input at byte 32", "record"}, 0},
		{"truncated in an escape", `{"Records":[{"eventVersion":"1.0\`, []string{"unexpected end of input at byte 33"}, 0},
		{"truncated in the second record", `{"Records":[` + oneRecord + `,{"eventVersion":"1.08","eventTi`, []string{"unexpected end of input at byte " + itoa(12+len(oneRecord)+32)}, 1},
		{"array never closed", `{"Records":[` + oneRecord, []string{"unexpected end of input at byte " + itoa(12+len(oneRecord)), "Records array"}, 1},
		{"array never closed after comma", `{"Records":[` + oneRecord + ",\n", []string{"unexpected end of input at byte " + itoa(12+len(oneRecord)+2), "Records array"}, 1},
		{"garbage between records", `{"Records":[` + oneRecord + ` x]}`, []string{"expected ',' or ']' in Records at byte " + itoa(12+len(oneRecord)+1), `found 'x'`}, 1},
		{"missing comma", `{"Records":[` + oneRecord + oneRecord + `]}`, []string{"expected ',' or ']' in Records at byte " + itoa(12+len(oneRecord)), `found '{'`}, 1},
		{"top-level closed inside Records", `{"Records":[` + oneRecord + `}`, []string{"expected ',' or ']' in Records at byte " + itoa(12+len(oneRecord)), `found '}'`}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, mode := range []string{"whole", "one byte"} {
				var r io.Reader = strings.NewReader(tc.input)
				if mode == "one byte" {
					r = iotest.OneByteReader(r)
				}
				var c collect
				err := (Decoder{}).Decode(context.Background(), r, cairn.ObjectRef{Key: "x.json"}, &c)
				if !errors.Is(err, cairn.ErrCorrupt) {
					t.Fatalf("%s: want ErrCorrupt, got %v", mode, err)
				}
				if cairn.Reason(err) != "corrupt" {
					t.Errorf("%s: reason %q", mode, cairn.Reason(err))
				}
				for _, w := range tc.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("%s: error %q does not say %q", mode, err, w)
					}
				}
				if len(c.events) != tc.events {
					t.Errorf("%s: %d events before the error, want %d", mode, len(c.events), tc.events)
				}
			}
		})
	}
}

// TestLongMemberName: a long top-level member name is skipped like any
// other member (it used to leak errTooLarge, not a corrupt-file error).
func TestLongMemberName(t *testing.T) {
	in := `{"` + strings.Repeat("x", 5000) + `":{"y":[1,2]},"Records":[` + oneRecord + `]}`
	var c collect
	if err := (Decoder{}).Decode(context.Background(), strings.NewReader(in), cairn.ObjectRef{}, &c); err != nil {
		t.Fatal(err)
	}
	if len(c.events) != 1 || len(c.rejects) != 0 {
		t.Fatalf("events %d rejects %d", len(c.events), len(c.rejects))
	}
}

var errBoom = errors.New("connection reset by peer")

// failAfter yields data then fails with err.
type failAfter struct {
	data []byte
	err  error
}

func (f *failAfter) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

// TestReadError: a failing reader is not a corrupt file; the reader's error
// is wrapped so the pipeline can retry.
func TestReadError(t *testing.T) {
	full := `{"Records":[` + oneRecord + ",  " + oneRecord + `]}`
	for _, cut := range []int{0, 1, 5, 12, 30, 143, 145, len(full) - 2} {
		for _, oneByte := range []bool{false, true} {
			var r io.Reader = &failAfter{data: []byte(full[:cut]), err: errBoom}
			if oneByte {
				r = iotest.OneByteReader(r)
			}
			var c collect
			err := (Decoder{}).Decode(context.Background(), r, cairn.ObjectRef{}, &c)
			if !errors.Is(err, errBoom) || errors.Is(err, cairn.ErrCorrupt) {
				t.Fatalf("cut %d: want the read error, not corrupt; got %v", cut, err)
			}
			if !strings.Contains(err.Error(), "byte") {
				t.Errorf("cut %d: error %q does not say where", cut, err)
			}
		}
	}
	// Data and the error in the same Read call.
	r := iotest.DataErrReader(&failAfter{data: []byte(full[:40]), err: errBoom})
	if err := (Decoder{}).Decode(context.Background(), r, cairn.ObjectRef{}, &collect{}); !errors.Is(err, errBoom) {
		t.Fatalf("DataErrReader: %v", err)
	}
	if err := (Decoder{}).Decode(context.Background(), iotest.TimeoutReader(iotest.OneByteReader(strings.NewReader(full))), cairn.ObjectRef{}, &collect{}); !errors.Is(err, iotest.ErrTimeout) {
		t.Fatalf("TimeoutReader: %v", err)
	}
}

// TestTruncatedGzip: a truncated gzip stream reports io.ErrUnexpectedEOF,
// which is a corrupt object (retrying will not help).
func TestTruncatedGzip(t *testing.T) {
	full := `{"Records":[` + oneRecord + `]}`
	r := &failAfter{data: []byte(full[:50]), err: io.ErrUnexpectedEOF}
	err := (Decoder{}).Decode(context.Background(), r, cairn.ObjectRef{}, &collect{})
	if !errors.Is(err, cairn.ErrCorrupt) || !strings.Contains(err.Error(), "truncated input at byte 50") {
		t.Fatalf("got %v", err)
	}
}

type zeroReader struct{}

func (zeroReader) Read([]byte) (int, error) { return 0, nil }

// TestNoProgressReader: a reader that returns 0, nil forever must not hang
// the decoder.
func TestNoProgressReader(t *testing.T) {
	err := (Decoder{}).Decode(context.Background(), zeroReader{}, cairn.ObjectRef{}, &collect{})
	if !errors.Is(err, io.ErrNoProgress) {
		t.Fatalf("got %v", err)
	}
}

type failingEmitter struct {
	emitErr, rejectErr error
	n                  int
}

func (f *failingEmitter) Emit(*cairn.Event) error        { f.n++; return f.emitErr }
func (f *failingEmitter) Reject(cairn.IngestError) error { f.n++; return f.rejectErr }

// TestEmitterError: an emitter's error stops decoding and is returned as is.
func TestEmitterError(t *testing.T) {
	in := `{"Records":[` + oneRecord + `,1,` + oneRecord + `]}`
	e := &failingEmitter{emitErr: errBoom}
	if err := (Decoder{}).Decode(context.Background(), strings.NewReader(in), cairn.ObjectRef{}, e); err != errBoom || e.n != 1 {
		t.Fatalf("Emit error: %v after %d calls", err, e.n)
	}
	in = `{"Records":[1,` + oneRecord + `]}`
	e = &failingEmitter{rejectErr: errBoom}
	if err := (Decoder{}).Decode(context.Background(), strings.NewReader(in), cairn.ObjectRef{}, e); err != errBoom || e.n != 1 {
		t.Fatalf("Reject error: %v after %d calls", err, e.n)
	}
	big := `{"Records":[{"a":"` + strings.Repeat("x", 100) + `"}]}`
	e = &failingEmitter{rejectErr: errBoom}
	if err := (Decoder{MaxRecordBytes: 10}).Decode(context.Background(), strings.NewReader(big), cairn.ObjectRef{}, e); err != errBoom {
		t.Fatalf("Reject error on a large record: %v", err)
	}
}

// TestContextCanceled: a canceled context stops the decoder.
func TestContextCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	in := `{"Records":[` + oneRecord + `]}`
	if err := (Decoder{}).Decode(ctx, strings.NewReader(in), cairn.ObjectRef{}, &collect{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
}

// TestReaderShapes: how the input is split into reads does not change the
// result (records and strings straddle buffer refills).
func TestReaderShapes(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/cloudtrail/*")
	for _, dir := range dirs {
		input, err := os.ReadFile(filepath.Join(dir, "input.json"))
		if err != nil {
			t.Fatal(err)
		}
		max := 0
		if strings.HasSuffix(dir, "too_large") {
			max = 1024
		}
		decode := func(r io.Reader) ([]byte, error) {
			var c collect
			if err := (Decoder{MaxRecordBytes: max}).Decode(context.Background(), r, cairn.ObjectRef{}, &c); err != nil {
				return nil, err
			}
			var g golden
			for i := range c.events {
				g.Events = append(g.Events, toGolden(&c.events[i]))
			}
			for _, r := range c.rejects {
				g.Rejects = append(g.Rejects, goldenReject{r.Index, r.Offset, r.Reason, r.Detail})
			}
			return render(g)
		}
		want, err := decode(bytes.NewReader(input))
		if err != nil {
			t.Fatal(err)
		}
		for name, r := range map[string]io.Reader{
			"one byte": iotest.OneByteReader(bytes.NewReader(input)),
			"half":     iotest.HalfReader(bytes.NewReader(input)),
			"data+EOF": iotest.DataErrReader(bytes.NewReader(input)),
		} {
			got, err := decode(r)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s with %s reader: err %v, output differs", dir, name, err)
			}
		}
	}
}
