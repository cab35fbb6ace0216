package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// StateGeneration returns the generation of a named state in the
// transaction's snapshot — of its blob or of its latest delta; 0 when there
// is none — without reading them, so a large state is read only when
// another writer changed it.
func (t *Tx) StateGeneration(ctx context.Context, name string) (int64, error) {
	if gen, ok := t.stateGens[name]; ok {
		return gen, nil
	}
	if gen, ok := t.s.stateGens[name]; ok {
		return gen, nil // the writer's own, committed: nobody else writes
	}
	var gen sql.NullInt64
	err := t.wc().QueryRowContext(ctx, `SELECT max(generation) FROM (
		SELECT generation FROM detect_state WHERE name = $1
		UNION ALL SELECT generation FROM detect_state_deltas WHERE name = $1)`, name).Scan(&gen)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("state generation %s: %w", name, err)
	}
	if t.s.stateGens == nil {
		t.s.stateGens = map[string]int64{}
	}
	t.s.stateGens[name] = gen.Int64 // committed: the snapshot has no writes of its own
	return gen.Int64, nil
}

// wroteState notes a generation the transaction wrote.
func (t *Tx) wroteState(name string, gen int64) {
	if t.stateGens == nil {
		t.stateGens = map[string]int64{}
	}
	t.stateGens[name] = gen
}

// AppendStateDelta records what changed in a named state since its last
// blob or delta, with the next generation.
// It is written in the background (see later); Commit fails if that does.
func (t *Tx) AppendStateDelta(ctx context.Context, name string, generation int64, delta []byte) error {
	t.execLater(ctx, "save state delta "+name, `INSERT INTO detect_state_deltas VALUES (?, ?, ?, ?)`, name, generation, string(delta), t.now)
	t.wroteState(name, generation)
	return nil
}

// LoadStateDeltas returns a named state's deltas newer than generation
// after (its blob's), oldest first, with the latest generation (after
// when there is none).
func (t *Tx) LoadStateDeltas(ctx context.Context, name string, after int64) ([][]byte, int64, error) {
	rows, err := t.wc().QueryContext(ctx, `SELECT generation, delta FROM detect_state_deltas WHERE name = ? AND generation > ? ORDER BY generation`, name, after)
	if err != nil {
		return nil, after, fmt.Errorf("load state deltas %s: %w", name, err)
	}
	defer rows.Close()
	var out [][]byte
	last := after
	for rows.Next() {
		var d string
		if err := rows.Scan(&last, &d); err != nil {
			return nil, after, fmt.Errorf("load state deltas %s: %w", name, err)
		}
		out = append(out, []byte(d))
	}
	if err := rows.Err(); err != nil {
		return nil, after, fmt.Errorf("load state deltas %s: %w", name, err)
	}
	return out, last, nil
}

// DropStateDeltas deletes a named state's deltas up to generation (those
// a blob saved with it supersedes).
// It runs in the background, like AppendStateDelta.
func (t *Tx) DropStateDeltas(ctx context.Context, name string, generation int64) error {
	t.execLater(ctx, "drop state deltas "+name, `DELETE FROM detect_state_deltas WHERE name = ? AND generation <= ?`, name, generation)
	return nil
}
