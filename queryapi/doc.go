// Package queryapi lets other processes query a store that a running
// collector holds open: DuckDB allows one writing process, so the collector
// answers read-only SQL on a Unix socket in the store directory (mode 0600)
// and `cairn sql` uses it when it is there.
package queryapi
