package cloudtrail

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"testing/iotest"
	"time"
	"unicode/utf8"

	"github.com/cairn-sec/cairn"
)

// goldenInputs returns the input.json of every golden case.
func goldenInputs(f *testing.F) [][]byte {
	dirs, _ := filepath.Glob("testdata/cloudtrail/*")
	var out [][]byte
	for _, dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, "input.json"))
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// checker is an Emitter that checks every event and reject against the
// input they came from.
type checker struct {
	t       *testing.T
	input   []byte
	events  int
	rejects int
}

func (c *checker) Emit(ev *cairn.Event) error {
	c.events++
	raw := ev.Raw
	if len(raw) == 0 || raw[0] != '{' || raw[len(raw)-1] != '}' {
		c.t.Fatalf("event raw is not an object: %q", raw)
	}
	if !bytes.Contains(c.input, raw) {
		c.t.Fatalf("event raw is not bytes of the input: %q", raw)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		c.t.Fatalf("event raw does not parse with encoding/json: %v: %q", err, raw)
	}
	checkEvent(c.t, ev)
	return nil
}

func (c *checker) Reject(e cairn.IngestError) error {
	c.rejects++
	if e.Reason == "" || e.Detail == "" {
		c.t.Fatalf("reject without reason or detail: %+v", e)
	}
	if e.Offset < 0 || e.Offset > int64(len(c.input)) || !bytes.HasPrefix(c.input[e.Offset:], e.Raw) {
		c.t.Fatalf("reject %d: raw is not the input at offset %d", e.Index, e.Offset)
	}
	return nil
}

// checkEvent checks what holds for every normalized event.
func checkEvent(t *testing.T, ev *cairn.Event) {
	t.Helper()
	if ev.Time.Location() != time.UTC || ev.EventName == "" || ev.Source != Source {
		t.Fatalf("bad event header: %v %q %q", ev.Time, ev.EventName, ev.Source)
	}
	if ev.Status != "Success" && ev.Status != "Failure" {
		t.Fatalf("status %q", ev.Status)
	}
	if ev.Level != "INFO" && ev.Level != "WARN" && ev.Level != "ERROR" {
		t.Fatalf("level %q", ev.Level)
	}
	if ev.ClassUID != classAPIActivity || ev.TypeUID != ev.ClassUID*100+ev.ActivityID {
		t.Fatalf("class %d type %d activity %d", ev.ClassUID, ev.TypeUID, ev.ActivityID)
	}
	for _, b := range [][]byte{ev.RequestParameters, ev.ResponseElements, ev.AdditionalEventData, ev.Resources} {
		if b != nil && !json.Valid(b) {
			t.Fatalf("JSON column is not valid JSON: %q", b)
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, in := range goldenInputs(f) {
		f.Add(in, uint16(0))
		f.Add(in, uint16(200))
	}
	for _, s := range []string{"", "{}", "[]", `{"Records":{}}`, `{"Records":[`, `{"Records":[1,,]}`, `{"a":"\"","Records":[{}]}`} {
		f.Add([]byte(s), uint16(0))
	}
	f.Fuzz(func(t *testing.T, data []byte, max uint16) {
		d := Decoder{MaxRecordBytes: int(max)}
		c := &checker{t: t, input: data}
		err := d.Decode(context.Background(), bytes.NewReader(data), cairn.ObjectRef{}, c)
		if err != nil && !errors.Is(err, cairn.ErrCorrupt) {
			// A bytes.Reader never fails: any error is about the content.
			t.Fatalf("error does not wrap ErrCorrupt: %v", err)
		}
		// Splitting the input into one-byte reads changes nothing.
		c1 := &checker{t: t, input: data}
		err1 := d.Decode(context.Background(), iotest.OneByteReader(bytes.NewReader(data)), cairn.ObjectRef{}, c1)
		if c1.events != c.events || c1.rejects != c.rejects || (err == nil) != (err1 == nil) || (err != nil && err.Error() != err1.Error()) {
			t.Fatalf("one-byte reads differ: %d/%d/%v vs %d/%d/%v", c.events, c.rejects, err, c1.events, c1.rejects, err1)
		}
	})
}

// stdRecord decodes raw with encoding/json, the reference the sonic-based
// decoding must agree with. RawMessage "null" is folded to nil as Normalize
// does.
func stdRecord(raw []byte) (record, error) {
	var r record
	err := json.Unmarshal(raw, &r)
	return foldNulls(r), err
}

func foldNulls(r record) record {
	r.RequestParameters = jsonOrNil(r.RequestParameters)
	r.ResponseElements = jsonOrNil(r.ResponseElements)
	r.AdditionalEventData = jsonOrNil(r.AdditionalEventData)
	r.Resources = jsonOrNil(r.Resources)
	return r
}

func FuzzNormalize(f *testing.F) {
	for _, in := range goldenInputs(f) {
		var c collect
		_ = (Decoder{}).Decode(context.Background(), bytes.NewReader(in), cairn.ObjectRef{}, &c)
		for _, ev := range c.events {
			f.Add(ev.Raw)
		}
		for _, r := range c.rejects {
			f.Add(r.Raw)
		}
	}
	f.Add([]byte(`{"eventTime":"2024-02-30T00:00:00Z","eventName":"X"}`))
	f.Add([]byte(`{"eventTime":"2024-01-01T00:00:00Z","insightDetails":{"eventName":"GetX"}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var ev cairn.Event
		err := Normalize(raw, &ev)
		want, stdErr := stdRecord(raw)
		// Valid: encoding/json reads the record into the struct and every
		// value of it, numbers included (a stored raw must decode for
		// every consumer; 1e999 does not).
		valid := utf8.Valid(raw) && stdErr == nil && json.Unmarshal(raw, new(any)) == nil
		if err == nil {
			if !valid || !json.Valid(raw) {
				t.Fatalf("normalized a record encoding/json rejects (%v): %q", stdErr, raw)
			}
			checkEvent(t, &ev)
			if !bytes.Equal(ev.Raw, raw) {
				t.Fatal("raw not kept")
			}
			var got record
			if err := decodeAPI.Unmarshal(raw, &got); err != nil {
				t.Fatal(err)
			}
			if got = foldNulls(got); !reflect.DeepEqual(got, want) {
				t.Fatalf("sonic and encoding/json disagree on %q:\n%+v\n%+v", raw, got, want)
			}
			if tt, err := time.Parse(time.RFC3339Nano, want.EventTime); err != nil || !tt.Equal(ev.Time) {
				t.Fatalf("eventTime %q: got %v, time.Parse says %v %v", want.EventTime, ev.Time, tt, err)
			}
			return
		}
		// Rejected: only for a reason encoding/json and time.Parse agree on.
		if !valid {
			return
		}
		_, terr := time.Parse(time.RFC3339Nano, want.EventTime)
		name := want.EventName
		if name == "" && want.InsightDetails != nil {
			name = want.InsightDetails.EventName
		}
		if terr == nil && name != "" {
			t.Fatalf("rejected a record encoding/json accepts: %v: %q", err, raw)
		}
	})
}
