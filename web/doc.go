// Package web is Cairn's HTTP server: the JSON API (search, SQL, fields,
// saved queries) behind bearer-token authentication, with per-query
// timeouts, row limits and request size limits.
//
// A Server owns a mux; New registers the API, and later features (the
// console, push endpoints) add their routes with Handle (authenticated) or
// HandlePublic before Serve.
//
// Queries run through a Querier. StoreBackend is the one cairn serve uses:
// it asks a running collector over the store's query socket (the collector
// holds the only write handle DuckDB allows, and runs reads concurrently
// with ingestion), and when no collector runs it opens the store read-only,
// shares that handle between the requests in flight and closes it when the
// last one ends, so a collector or cairn ingest can start in between.
package web
