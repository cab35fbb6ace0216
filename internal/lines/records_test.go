package lines

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cairn-sec/cairn"
)

type keep struct {
	events  []string
	rejects []cairn.IngestError
}

func (k *keep) Emit(ev *cairn.Event) error       { k.events = append(k.events, string(ev.Raw)); return nil }
func (k *keep) Reject(e cairn.IngestError) error { k.rejects = append(k.rejects, e); return nil }

func TestRecords(t *testing.T) {
	record := func(index, off int64, line []byte, ev *cairn.Event) (string, error) {
		switch {
		case strings.HasPrefix(string(line), "bad"):
			return "a bad line", nil
		case strings.HasPrefix(string(line), "stop"):
			return "", errors.New("stop here")
		}
		ev.Raw = line
		return "", nil
	}
	var k keep
	err := Records{Out: &k, RejectBytes: 3, Record: record}.Loop(context.Background(), New(strings.NewReader("ok1\nbad one\n"+strings.Repeat("x", 20)+"\nok2\n"), 10))
	if err != nil || strings.Join(k.events, ",") != "ok1,ok2" || len(k.rejects) != 2 {
		t.Fatalf("err %v, events %v, rejects %+v", err, k.events, k.rejects)
	}
	if r := k.rejects[0]; r.Reason != "bad_record" || r.Detail != "a bad line" || r.Index != 1 || r.Offset != 4 || string(r.Raw) != "bad" {
		t.Errorf("bad line reject %+v", r)
	}
	if r := k.rejects[1]; r.Reason != "record_too_large" || r.Index != 2 || r.Offset != 12 {
		t.Errorf("long line reject %+v", r)
	}

	refuse := errors.New("refused")
	k = keep{}
	err = Records{Out: &k, Record: record, TooLong: func(i int64) error { return refuse }}.Loop(context.Background(), New(strings.NewReader(strings.Repeat("x", 20)), 10))
	if !errors.Is(err, refuse) || len(k.rejects) != 0 {
		t.Errorf("TooLong refusal: %v %+v", err, k.rejects)
	}
	if err := (Records{Out: &k, Record: record}).Loop(context.Background(), New(strings.NewReader("ok\nstop\nok\n"), 10)); err == nil || err.Error() != "stop here" {
		t.Errorf("record error: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := (Records{Out: &k, Record: record}).Loop(ctx, New(strings.NewReader("ok\n"), 10)); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// A line that is not UTF-8 would lose its bytes in the store's text
// columns: it is quarantined whole, its neighbours kept.
func TestRecordsNotUTF8(t *testing.T) {
	var k keep
	record := func(index, off int64, line []byte, ev *cairn.Event) (string, error) { ev.Raw = line; return "", nil }
	err := Records{Out: &k, RejectBytes: 100, Record: record}.Loop(context.Background(), New(strings.NewReader("ok1\nbad \xff\xfe line\nok2\n"), 100))
	if err != nil || strings.Join(k.events, ",") != "ok1,ok2" || len(k.rejects) != 1 {
		t.Fatalf("err %v, events %v, rejects %+v", err, k.events, k.rejects)
	}
	if r := k.rejects[0]; r.Reason != "bad_record" || !strings.Contains(r.Detail, "UTF-8") || r.Index != 1 || string(r.Raw) != "bad \xff\xfe line" {
		t.Errorf("reject %+v", r)
	}
}
