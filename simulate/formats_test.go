package simulate_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/accesslog"
	"github.com/cairn-sec/cairn/applog"
	"github.com/cairn-sec/cairn/cloudtrail"
	"github.com/cairn-sec/cairn/cwlogs"
	"github.com/cairn-sec/cairn/route53resolver"
	"github.com/cairn-sec/cairn/simulate"
	"github.com/cairn-sec/cairn/vpcflow"
)

type counter struct {
	events  int
	ids     map[string]bool
	rejects []cairn.IngestError
}

func (c *counter) Emit(ev *cairn.Event) error       { c.events++; c.ids[ev.EventID] = true; return nil }
func (c *counter) Reject(e cairn.IngestError) error { c.rejects = append(c.rejects, e); return nil }

// Every simulated format is recognized as itself (by key layout, else by
// its first bytes) and decodes without a rejected record into as many
// events, with distinct event IDs, as the file says.
func TestFormats(t *testing.T) {
	decoders := map[cairn.ObjectKind]interface {
		Decode(context.Context, io.Reader, cairn.ObjectRef, cairn.Emitter) error
	}{
		cairn.KindCloudTrail: cloudtrail.Decoder{}, cairn.KindVPCFlow: vpcflow.Decoder{}, cairn.KindRoute53Resolver: route53resolver.Decoder{},
		cairn.KindCWLogs: cwlogs.Decoder{}, cairn.KindApplication: applog.Decoder{}, cairn.KindS3Access: accesslog.S3Decoder{}, cairn.KindALB: accesslog.ALBDecoder{},
	}
	want := map[simulate.Format]cairn.ObjectKind{
		simulate.FormatCloudTrail: cairn.KindCloudTrail, simulate.FormatVPCFlow: cairn.KindVPCFlow, simulate.FormatRoute53Resolver: cairn.KindRoute53Resolver,
		simulate.FormatCWLogsEKS: cairn.KindCWLogs, simulate.FormatCWLogs: cairn.KindCWLogs, simulate.FormatApplication: cairn.KindApplication,
		simulate.FormatS3Access: cairn.KindS3Access, simulate.FormatALB: cairn.KindALB,
	}
	formats, err := simulate.ParseFormats("all")
	if err != nil || len(formats) != len(want) {
		t.Fatalf("ParseFormats(all) = %v, %v", formats, err)
	}
	g := simulate.NewGenerator(simulate.Options{Seed: 7, EventsPerFile: 60, Formats: formats})
	for range 2 * len(formats) {
		f, err := g.NextFile()
		if err != nil {
			t.Fatal(err)
		}
		raw := f.Body
		if len(raw) > 2 && raw[0] == 0x1f && raw[1] == 0x8b {
			zr, err := gzip.NewReader(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			if raw, err = io.ReadAll(zr); err != nil {
				t.Fatalf("%s: %v", f.Key, err)
			}
		}
		kind, known := cairn.KindOfKey(f.Key)
		if !known {
			kind, known = cairn.SniffKind(raw)
		}
		if !known || kind != want[f.Format] {
			t.Fatalf("%s file %s recognized as %q (%v)", f.Format, f.Key, kind, known)
		}
		c := &counter{ids: map[string]bool{}}
		if err := decoders[kind].Decode(context.Background(), bytes.NewReader(raw), cairn.ObjectRef{Bucket: "b", Key: f.Key}, c); err != nil {
			t.Fatalf("%s: %v", f.Format, err)
		}
		if c.events != f.Events || len(c.ids) != f.Events || len(c.rejects) > 0 {
			t.Errorf("%s: %d events (%d ids), want %d; rejects %+v", f.Format, c.events, len(c.ids), f.Events, c.rejects)
		}
	}
	if _, err := simulate.ParseFormats("cloudtrail,nope"); err == nil {
		t.Error("unknown format accepted")
	}
}
