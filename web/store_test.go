package web

import (
	"context"
	"os"
	"testing"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/cloudtrail"
	"github.com/cairn-sec/cairn/duckdb"
)

// fixture is the CloudTrail file the saved-query tests use too.
const fixture = "../queries/testdata/events.json"

type collectEvents struct{ evs []*cairn.Event }

func (c *collectEvents) Emit(ev *cairn.Event) error { c.evs = append(c.evs, ev); return nil }
func (c *collectEvents) Reject(e cairn.IngestError) error {
	return &os.PathError{Op: "decode", Path: fixture, Err: os.ErrInvalid}
}

// buildStore writes the fixture through the CloudTrail decoder and the
// store's writer into a new store, closes it and returns its directory.
func buildStore(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := duckdb.Open(ctx, duckdb.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	f, err := os.Open(fixture)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out collectEvents
	ref := cairn.ObjectRef{Bucket: "trail", Key: "fixture.json", ETag: "1"}
	if err := (cloudtrail.Decoder{}).Decode(ctx, f, ref, &out); err != nil {
		t.Fatal(err)
	}
	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Append(ctx, out.evs); err != nil {
		t.Fatal(err)
	}
	if err := tx.MarkDone(ctx, cairn.ObjectRecord{Ref: ref, Kind: cairn.KindCloudTrail, Events: int64(len(out.evs))}); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if len(out.evs) != 31 {
		t.Fatalf("fixture decoded to %d events, want 31", len(out.evs))
	}
	return dir
}
