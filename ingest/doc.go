// Package ingest is Cairn's pipeline: it turns notifications into stored
// events without losing or duplicating any.
//
// A Collector polls queues (Receiver), parses each message's notification,
// hands every object it names to the Processor and deletes the message only
// after all of them are committed; a keepalive extends the visibility of
// each in-flight message, and a failure releases the message with backoff
// so the queue's redrive policy can move a poison message to its DLQ.
//
// The Processor fetches an object (Fetcher), decompresses and decodes it as
// a stream (Decoder) and passes events to the Committer, the single writer,
// which group-commits small objects together and streams large ones through
// one transaction of their own. An object's events and its ledger entry
// commit in one transaction (Store), so a redelivered message finds the
// object done.
//
// Memory is bounded by bytes: each worker buffers at most ChunkBytes of
// events before they move on, and the committer's queue is bounded.
package ingest
