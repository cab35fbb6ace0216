package ingest

import (
	"context"

	"github.com/cairn-sec/cairn"
)

// Detectors runs several detectors (Sigma rules, IOC lists) on the same
// transaction, in order; the first error stops it.
type Detectors []Detector

// Detect implements Detector.
func (ds Detectors) Detect(ctx context.Context, tx cairn.WriteTx) error {
	for _, d := range ds {
		if err := d.Detect(ctx, tx); err != nil {
			return err
		}
	}
	return nil
}

// Prepare implements Preparer: every detector that is one prepares ev.
func (ds Detectors) Prepare(ev *cairn.Event) {
	for _, d := range ds {
		if p, ok := d.(Preparer); ok {
			p.Prepare(ev)
		}
	}
}

// ChainDetectors combines detectors, leaving out nil ones; nil if none is left.
func ChainDetectors(ds ...Detector) Detector {
	var out Detectors
	for _, d := range ds {
		if d != nil {
			out = append(out, d)
		}
	}
	switch len(out) {
	case 0:
		return nil
	case 1:
		return out[0]
	}
	return out
}
