package detect

import (
	"context"
	"fmt"
)

// storedState is one named state the engine keeps in the store (the
// correlation windows, the first-seen memory): a full blob and the deltas
// written after it, each with the next generation. The engine's memory is
// current while the store's latest generation is the one it last wrote;
// otherwise (the first transaction, a transaction that did not commit, a
// restart) it is read again.
type storedState struct {
	name string
	gen  int64 // the generation the engine's memory holds; -1: read again
	// what the store holds: the full blob's size, the deltas since
	blob, deltas, deltaBytes int
}

func newStoredState(name string) storedState { return storedState{name: name, gen: -1} }

// size is how many bytes the store holds of the state.
func (s *storedState) size() int { return s.blob + s.deltaBytes }

// load reads the state when the store's generation is not the one the
// engine's memory holds (current false: nothing to do). It returns the full
// state and the deltas after it, as JSON (nil blob: none); the caller
// rebuilds its memory from them, or starts empty if it cannot.
func (s *storedState) load(ctx context.Context, tx Tx) (current bool, blob []byte, deltas [][]byte, err error) {
	if g, ok := tx.(stateGenerations); ok {
		gen, err := g.StateGeneration(ctx, s.name)
		if err != nil {
			return false, nil, nil, fmt.Errorf("detect: %w", err)
		}
		if gen == s.gen {
			return true, nil, nil, nil // the common case: the state is not read
		}
	}
	gen, data, err := tx.LoadState(ctx, s.name)
	if err != nil {
		return false, nil, nil, fmt.Errorf("detect: %w", err)
	}
	latest := gen
	if d, ok := tx.(stateDeltas); ok {
		if deltas, latest, err = d.LoadStateDeltas(ctx, s.name, gen); err != nil {
			return false, nil, nil, fmt.Errorf("detect: %w", err)
		}
	}
	if latest == s.gen {
		return true, nil, nil, nil
	}
	*s = storedState{name: s.name, gen: latest, blob: len(data), deltas: len(deltas)}
	for i, d := range deltas {
		s.deltaBytes += len(d)
		if deltas[i], err = decodeState(d); err != nil {
			return false, nil, nil, err
		}
	}
	if data != nil {
		if blob, err = decodeState(data); err != nil {
			return false, nil, nil, err
		}
	}
	return false, blob, deltas, nil
}

// save writes the state in the transaction: what changed since the last
// write (delta) while the deltas are few and small next to the full state,
// else the full state (full), which replaces them. Both give JSON.
func (s *storedState) save(ctx context.Context, tx Tx, delta, full func() ([]byte, error)) error {
	gen := s.gen + 1
	d, ok := tx.(stateDeltas)
	if ok && s.wantDelta() {
		data, err := delta()
		if err != nil {
			return fmt.Errorf("detect: %s delta: %w", s.name, err)
		}
		data = encodeState(data)
		if err := d.AppendStateDelta(ctx, s.name, gen, data); err != nil {
			return fmt.Errorf("detect: %w", err)
		}
		// Optimistic: if the transaction does not commit, the next
		// Detect finds the stored generation differs and reloads.
		s.gen = gen
		s.deltas++
		s.deltaBytes += len(data)
		return nil
	}
	data, err := full()
	if err != nil {
		return fmt.Errorf("detect: %s state: %w", s.name, err)
	}
	data = encodeState(data)
	if err := tx.SaveState(ctx, s.name, gen, data); err != nil {
		return fmt.Errorf("detect: %w", err)
	}
	if ok {
		if err := d.DropStateDeltas(ctx, s.name, gen); err != nil {
			return fmt.Errorf("detect: %w", err)
		}
	}
	*s = storedState{name: s.name, gen: gen, blob: len(data)}
	return nil
}

// stateGenerations is what a transaction may offer to read a state's
// generation alone (duckdb.Tx does).
type stateGenerations interface {
	StateGeneration(ctx context.Context, name string) (int64, error)
}

// stateDeltas is what a transaction may offer to save a state by its
// changes (duckdb.Tx does).
type stateDeltas interface {
	AppendStateDelta(ctx context.Context, name string, generation int64, delta []byte) error
	LoadStateDeltas(ctx context.Context, name string, after int64) ([][]byte, int64, error)
	DropStateDeltas(ctx context.Context, name string, generation int64) error
}

// Full states are written when the deltas since the last one reach this
// many, or more bytes than it (and at least minDeltaBytes).
var (
	maxStateDeltas = 1000
	minDeltaBytes  = 256 << 10
)

// wantDelta: the next write may be a delta.
func (s *storedState) wantDelta() bool {
	return s.deltas < maxStateDeltas && s.deltaBytes < max(s.blob, minDeltaBytes)
}
