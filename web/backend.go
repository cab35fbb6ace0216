package web

import (
	"context"
	"errors"
	"sync"

	"github.com/cairn-sec/cairn/duckdb"
	"github.com/cairn-sec/cairn/queryapi"
)

// holder is a Querier that can keep its resources across several
// queries (StoreBackend).
type holder interface {
	Hold(ctx context.Context) (release func())
}

// Querier runs one read-only statement with its arguments and returns at
// most maxRows rows, setting Truncated when there were more.
type Querier interface {
	Query(ctx context.Context, sql string, args []any, maxRows int) (*duckdb.Result, error)
}

// StoreOptions configure a StoreBackend.
type StoreOptions struct {
	Dir         string // store directory
	MemoryLimit string // DuckDB memory_limit for the read-only handle; "" = DuckDB's default
	Threads     int    // DuckDB threads for the read-only handle; 0 = DuckDB's default
}

// StoreBackend runs queries the way cairn sql does, so that a slow query
// never blocks ingestion:
//
//   - When a collector holds the store (DuckDB allows one writing process,
//     and no other process may open the file meanwhile), the query goes to
//     the collector's query socket. The collector runs it on its own read
//     connection, concurrently with its commits; the query's timeout
//     travels as the request's context and interrupts it.
//   - Otherwise the store is opened read-only. The handle is shared by the
//     requests in flight and closed as soon as the last one ends: an open
//     handle would keep cairn collect or cairn ingest from starting. If one
//     starts between the socket check and the open, the socket is tried
//     again.
type StoreBackend struct {
	opts StoreOptions

	mu    sync.Mutex
	store *duckdb.Store
	refs  int
}

var _ Querier = (*StoreBackend)(nil)

// NewStoreBackend returns a backend for the store in opts.Dir.
func NewStoreBackend(opts StoreOptions) *StoreBackend {
	return &StoreBackend{opts: opts}
}

// Query runs sql through the collector's socket, else on a read-only
// handle.
func (b *StoreBackend) Query(ctx context.Context, sql string, args []any, maxRows int) (*duckdb.Result, error) {
	res, err := socketQuery(ctx, b.opts.Dir, sql, args, maxRows)
	if !errors.Is(err, queryapi.ErrNoServer) {
		return res, err
	}
	st, release, err := b.acquire(ctx)
	if errors.Is(err, duckdb.ErrLocked) {
		// A collector started meanwhile: it serves the socket soon.
		return socketQuery(ctx, b.opts.Dir, sql, args, maxRows)
	}
	if err != nil {
		return nil, err
	}
	defer release()
	return storeQuery(ctx, st, sql, args, maxRows)
}

// Hold keeps the read-only handle open until release is called, so that
// several queries in a row (the fields' top values) share one open. With
// a collector serving the store, opening fails on its lock and Hold does
// nothing: the queries go to the socket.
func (b *StoreBackend) Hold(ctx context.Context) (release func()) {
	_, release, err := b.acquire(ctx)
	if err != nil {
		return func() {}
	}
	return release
}

// Close closes the read-only handle if one is open (queries in flight
// keep theirs until they end).
func (b *StoreBackend) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.store == nil || b.refs > 0 {
		return nil
	}
	err := b.store.Close()
	b.store = nil
	return err
}

// acquire returns the shared read-only handle, opening it if needed, and
// a function releasing it.
func (b *StoreBackend) acquire(ctx context.Context) (*duckdb.Store, func(), error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.store == nil {
		st, err := duckdb.Open(ctx, duckdb.Options{Dir: b.opts.Dir, ReadOnly: true, MemoryLimit: b.opts.MemoryLimit, Threads: b.opts.Threads})
		if err != nil {
			return nil, nil, err
		}
		b.store = st
	}
	b.refs++
	st := b.store
	var once sync.Once
	return st, func() { once.Do(b.release) }, nil
}

func (b *StoreBackend) release() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refs--
	if b.refs == 0 && b.store != nil {
		b.store.Close()
		b.store = nil
	}
}

// OpenHandles reports whether a read-only handle is open (for tests and
// diagnostics).
func (b *StoreBackend) OpenHandles() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.store == nil {
		return 0
	}
	return 1
}

func storeQuery(ctx context.Context, st *duckdb.Store, sql string, args []any, maxRows int) (*duckdb.Result, error) {
	return st.Query(ctx, sql, maxRows, args...)
}

func socketQuery(ctx context.Context, dir, sql string, args []any, maxRows int) (*duckdb.Result, error) {
	return queryapi.Query(ctx, dir, sql, maxRows, args...)
}
