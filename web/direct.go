package web

import (
	"context"

	"github.com/cairn-sec/cairn/duckdb"
)

// DirectBackend runs queries on a store this process holds open for
// writing (cairn serve with push endpoints, cairn collect --http-addr):
// on its own read connection, concurrently with commits.
type DirectBackend struct{ Store *duckdb.Store }

var _ Querier = DirectBackend{}

// Query runs sql on the store.
func (b DirectBackend) Query(ctx context.Context, sql string, args []any, maxRows int) (*duckdb.Result, error) {
	return storeQuery(ctx, b.Store, sql, args, maxRows)
}
