package push

import (
	"context"
	"errors"
	"testing"

	"github.com/cairn-sec/cairn"
)

// funcDetector is a Detector whose behaviour the test sets (no real
// detection engine is needed to test the push side of the contract).
type funcDetector struct {
	detect func(ctx context.Context, tx cairn.WriteTx) error
}

func (d funcDetector) Detect(ctx context.Context, tx cairn.WriteTx) error { return d.detect(ctx, tx) }

// TestDetectorInRequestTransaction: the detector sees a request's events
// inside its transaction before the commit; when it fails, the request
// fails with a retryable status and nothing is stored, and the sender's
// retry stores the events once.
func TestDetectorInRequestTransaction(t *testing.T) {
	fail := true
	var seen []string
	e := newEnv(t, func(o *Options) {
		o.Detector = funcDetector{detect: func(ctx context.Context, tx cairn.WriteTx) error {
			ins, ok := tx.(interface {
				Inserted(context.Context) ([]*cairn.Event, error)
			})
			if !ok {
				t.Fatalf("the transaction %T does not give its events", tx)
			}
			evs, err := ins.Inserted(ctx)
			if err != nil {
				return err
			}
			seen = seen[:0]
			for _, ev := range evs {
				seen = append(seen, ev.Source)
			}
			if fail {
				return errors.New("rules broke")
			}
			return nil
		}}
	})
	st, out := e.logs(goodBatch, nil)
	if st != 500 || len(seen) != 3 {
		t.Fatalf("failing detector: status %d %v, detector saw %v", st, out, seen)
	}
	if n := e.count(`SELECT count(*) FROM events`) + e.count(`SELECT count(*) FROM push_requests`); n != 0 {
		t.Fatalf("%d rows stored by a request whose detection failed", n)
	}
	fail = false
	if st, out := e.logs(goodBatch, nil); st != 200 || out["events"] != 3.0 || len(seen) != 3 {
		t.Fatalf("retry: status %d %v, detector saw %v", st, out, seen)
	}
	if n := e.count(`SELECT count(*) FROM events`); n != 3 {
		t.Fatalf("events after the retry: %d", n)
	}
	// A duplicate request is not evaluated again.
	seen = seen[:0]
	if st, out := e.logs(goodBatch, nil); st != 200 || out["duplicate_request"] != true || len(seen) != 0 {
		t.Fatalf("duplicate: status %d %v, detector saw %v", st, out, seen)
	}
}
