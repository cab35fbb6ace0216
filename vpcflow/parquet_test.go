package vpcflow

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/cairn-sec/cairn"
)

// numericFields are stored as INT64 columns, as AWS writes them; the rest
// as strings.
var numericFields = map[string]bool{"version": true, "srcport": true, "dstport": true, "protocol": true,
	"packets": true, "bytes": true, "start": true, "end": true, "tcp-flags": true, "traffic-path": true}

// toParquet writes a text flow log (header + records) as the Parquet file
// flow log delivery writes: one optional column per field, '_' for '-',
// nulls for "-".
func toParquet(t testing.TB, text string) []byte {
	t.Helper()
	recs := strings.Split(strings.TrimSpace(text), "\n")
	names := strings.Fields(recs[0])
	group := parquet.Group{}
	for _, n := range names {
		node := parquet.String()
		if numericFields[n] {
			node = parquet.Int(64)
		}
		group[strings.ReplaceAll(n, "-", "_")] = parquet.Compressed(parquet.Optional(node), &parquet.Snappy)
	}
	schema := parquet.NewSchema("flowlog", group)
	col := map[string]int{}
	for i, path := range schema.Columns() {
		col[strings.ReplaceAll(path[0], "_", "-")] = i
	}
	var buf bytes.Buffer
	w := parquet.NewWriter(&buf, schema)
	for _, rec := range recs[1:] {
		vals := strings.Fields(rec)
		if len(vals) != len(names) {
			continue // the text cases' deliberately bad lines have no Parquet form
		}
		row := make(parquet.Row, len(names))
		for i, n := range names {
			c := col[n]
			switch {
			case vals[i] == "-":
				row[c] = parquet.NullValue().Level(0, 0, c)
			case numericFields[n]:
				x, err := strconv.ParseInt(vals[i], 10, 64)
				if err != nil {
					t.Fatalf("%s=%q: %v", n, vals[i], err)
				}
				row[c] = parquet.Int64Value(x).Level(0, 1, c)
			default:
				row[c] = parquet.ByteArrayValue([]byte(vals[i])).Level(0, 1, c)
			}
		}
		if _, err := w.WriteRows([]parquet.Row{row}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type collect struct {
	events  []*cairn.Event
	rejects []cairn.IngestError
}

func (c *collect) Emit(ev *cairn.Event) error {
	e := *ev
	e.Raw = bytes.Clone(ev.Raw)
	c.events = append(c.events, &e)
	return nil
}
func (c *collect) Reject(e cairn.IngestError) error { c.rejects = append(c.rejects, e); return nil }

func decodeAll(t *testing.T, in []byte) (*collect, error) {
	t.Helper()
	var c collect
	err := Decoder{}.Decode(context.Background(), bytes.NewReader(in), goldenRef, &c)
	return &c, err
}

// The same records as text and as Parquet give the same events: the same
// columns and record indexes, and raw objects with the same fields and
// values. Event IDs hash the record as rendered in the file's column order
// (this writer orders columns by name, AWS by the format's field order), so
// they are compared for stability and uniqueness, not against the text's.
func TestParquetMatchesText(t *testing.T) {
	for _, name := range []string{"v2_default", "ipv6", "v3_custom_tcp_flags", "v5_custom_traffic_path", "v8_all_fields"} {
		t.Run(name, func(t *testing.T) {
			text, err := os.ReadFile(filepath.Join("testdata/vpcflow", name, "input"))
			if err != nil {
				t.Fatal(err)
			}
			// Keep only well-formed records so both forms hold the same ones.
			lines := strings.Split(strings.TrimSpace(string(text)), "\n")
			keep := []string{lines[0]}
			for _, l := range lines[1:] {
				if len(strings.Fields(l)) == len(strings.Fields(lines[0])) {
					keep = append(keep, l)
				}
			}
			clean := strings.Join(keep, "\n") + "\n"
			want, err := decodeAll(t, []byte(clean))
			if err != nil || len(want.events) == 0 {
				t.Fatalf("text: %v, %d events", err, len(want.events))
			}
			got, err := decodeAll(t, toParquet(t, clean))
			if err != nil {
				t.Fatalf("parquet: %v", err)
			}
			again, _ := decodeAll(t, toParquet(t, clean))
			ids := map[string]bool{}
			for i, ev := range got.events {
				if ids[ev.EventID] || ev.EventID == "" || i >= len(again.events) || again.events[i].EventID != ev.EventID {
					t.Errorf("record %d: event ID %q not unique or not stable", i, ev.EventID)
				}
				ids[ev.EventID] = true
			}
			if len(got.events) != len(want.events) || len(got.rejects) != len(want.rejects) {
				t.Fatalf("parquet %d events %d rejects, text %d events %d rejects (%+v)", len(got.events), len(got.rejects), len(want.events), len(want.rejects), got.rejects)
			}
			for i := range want.events {
				w, g := *want.events[i], *got.events[i]
				var wr, gr map[string]any
				if json.Unmarshal(w.Raw, &wr) != nil || json.Unmarshal(g.Raw, &gr) != nil || !reflect.DeepEqual(wr, gr) {
					t.Errorf("record %d raw: parquet %s, text %s", i, g.Raw, w.Raw)
				}
				w.Raw, g.Raw = nil, nil
				w.EventID, g.EventID = "", ""
				if !reflect.DeepEqual(w, g) {
					t.Errorf("record %d:\nparquet %+v\ntext    %+v", i, g, w)
				}
			}
		})
	}
}

// A Parquet file cut short, or with columns that are not flow log fields,
// is refused as corrupt, naming Parquet; nothing is emitted.
func TestParquetRefused(t *testing.T) {
	good := toParquet(t, "version account-id srcaddr dstaddr start end action log-status\n2 123456789010 10.0.0.1 10.0.0.2 1418530010 1418530070 ACCEPT OK\n")
	if c, err := decodeAll(t, good); err != nil || len(c.events) != 1 {
		t.Fatalf("good file: %v, %d events", err, len(c.events))
	}
	cut := good[:len(good)/2]
	c, err := decodeAll(t, cut)
	if !errors.Is(err, cairn.ErrCorrupt) || !strings.Contains(err.Error(), "parquet") || len(c.events) != 0 {
		t.Errorf("truncated: %v, %d events", err, len(c.events))
	}
	schema := parquet.NewSchema("other", parquet.Group{"user": parquet.String(), "city": parquet.String()})
	var buf bytes.Buffer
	w := parquet.NewWriter(&buf, schema)
	if _, err := w.WriteRows([]parquet.Row{{parquet.ByteArrayValue([]byte("paris")).Level(0, 0, 0), parquet.ByteArrayValue([]byte("bob")).Level(0, 0, 1)}}); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if c, err := decodeAll(t, buf.Bytes()); !errors.Is(err, cairn.ErrCorrupt) || !strings.Contains(err.Error(), "not VPC flow log fields") || len(c.events) != 0 {
		t.Errorf("other columns: %v, %d events", err, len(c.events))
	}
}
