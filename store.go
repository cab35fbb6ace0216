package cairn

import "context"

// CommitResult counts what a write transaction stored.
type CommitResult struct {
	Appended   int64 // events handed to the transaction
	Inserted   int64 // events stored
	Duplicates int64 // events dropped because their event ID was already stored
}

// WriteTx is a store's write transaction: every event, rejected record and
// ledger entry in it becomes durable together at Commit, or not at all.
type WriteTx interface {
	// Append stages events; their byte slices must not change afterwards.
	Append(ctx context.Context, evs []*Event) error
	// Reject stores bad records or objects in ingest_errors.
	Reject(ctx context.Context, errs []IngestError) error
	// DoneAll reports, for each object, whether it is in the ledger,
	// including entries made earlier in this transaction; an object named
	// twice is done at its second place (the first is to be marked).
	DoneAll(ctx context.Context, refs []ObjectRef) ([]bool, error)
	// MarkDone writes an object's ledger entry (at the latest by Commit).
	MarkDone(ctx context.Context, rec ObjectRecord) error
	Commit(ctx context.Context) (CommitResult, error)
	// Rollback discards the transaction; safe after Commit.
	Rollback() error
}
