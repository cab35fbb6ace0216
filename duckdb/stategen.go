package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// StateGeneration returns the generation of a named state blob in the
// transaction's snapshot (0 when there is none) without reading the blob,
// so a large state is read only when another writer changed it.
func (t *Tx) StateGeneration(ctx context.Context, name string) (int64, error) {
	var gen int64
	err := t.s.wconn.QueryRowContext(ctx, `SELECT generation FROM detect_state WHERE name = ?`, name).Scan(&gen)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("state generation %s: %w", name, err)
	}
	return gen, nil
}
