package push

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
)

// FuzzParseFirehose: any body parses or fails as malformed/too large,
// never panics, and a parsed request's records are within the limit.
func FuzzParseFirehose(f *testing.F) {
	f.Add(delivery("id", 1578090901599, []byte("hello"), []byte("hello world")))
	f.Add([]byte(`{"requestId":"a","timestamp":"1578090903599","records":[]}`))
	f.Add([]byte(`{"records":[{"data":"aGk="},{"data":null}],"x":{"y":[1,2,{}]}}`))
	f.Add([]byte(`{"requestId":"a","records":[{"data":"!!"}]} trailing`))
	f.Fuzz(func(t *testing.T, b []byte) {
		req, err := parseFirehose(bytes.NewReader(b), 5)
		if err != nil {
			if !errors.Is(err, errMalformed) && !errors.Is(err, errTooLarge) {
				t.Fatalf("error of no class: %v", err)
			}
			return
		}
		if len(req.Records) > 5 || !json.Valid(b) {
			t.Fatalf("accepted %q: %d records", b, len(req.Records))
		}
	})
}

// FuzzParseLogs: any body parses or fails with a class; every entry
// parsed becomes an event or a reject, never a panic, and its raw JSON is
// valid.
func FuzzParseLogs(f *testing.F) {
	f.Add([]byte(goodBatch))
	f.Add([]byte(`{"logs":[{"timestamp":1,"body":{"k":[1,2]},"attributes":{"source":"aws-cloudtrail"}}]}`))
	f.Add([]byte(`{"logs":[{"timestamp":"1700000000.5","body":"x","severity_text":"warning","attributes":{"event_id":"e1"}}]}`))
	f.Add([]byte(`{"logs":[{"timestamp":null,"body":"x"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		entries, err := parseLogs(bytes.NewReader(b), 10)
		if err != nil {
			if !errors.Is(err, errMalformed) && !errors.Is(err, errTooLarge) {
				t.Fatalf("error of no class: %v", err)
			}
			return
		}
		for i := range entries {
			ev, err := entryEvent(&entries[i], "org")
			if err != nil {
				continue
			}
			if ev.Source == "" || ev.EventID == "" || !json.Valid(ev.Raw) || ev.OrganizationID != "org" {
				t.Fatalf("entry %d: event %+v", i, ev)
			}
		}
	})
}

// FuzzDecodeLines: every raw format turns any record into events with
// valid JSON raw, or rejects, never a panic.
func FuzzDecodeLines(f *testing.F) {
	f.Add([]byte("plain line\n[WARN] second\r\n\n"), uint8(0))
	f.Add([]byte(`{"time":"2026-11-01T00:00:00Z","level":"warning","msg":"m"}`+"\n{bad"), uint8(1))
	f.Add([]byte(`{"eventTime":"2026-11-01T00:00:00Z","eventName":"X","eventID":"1"}`), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		format := RawFormats[int(which)%len(RawFormats)]
		dec, err := rawDecoder(format)
		if err != nil {
			t.Fatal(err)
		}
		c := &keep{}
		ref := cairn.ObjectRef{Key: "firehose/r/0", EventTime: time.Unix(1, 0)}
		if err := dec(context.Background(), data, ref, c); err != nil {
			// A whole record that is no log at all (binary data) is
			// quarantined by the caller.
			if !errors.Is(err, cairn.ErrCorrupt) {
				t.Fatalf("%s: %v", format, err)
			}
			return
		}
		for _, ev := range c.events {
			if len(ev.Raw) == 0 || ev.Time.IsZero() || ev.Source == "" || (format == FormatCloudTrail && !json.Valid(ev.Raw)) {
				t.Fatalf("%s: event %+v", format, ev)
			}
		}
	})
}

// keep is an Emitter that keeps copies of what it is given.
type keep struct {
	events  []cairn.Event
	rejects []cairn.IngestError
}

func (k *keep) Emit(ev *cairn.Event) error {
	e := *ev
	e.Raw = bytes.Clone(ev.Raw)
	k.events = append(k.events, e)
	return nil
}

func (k *keep) Reject(e cairn.IngestError) error { k.rejects = append(k.rejects, e); return nil }
