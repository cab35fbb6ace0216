package ingest

import (
	"context"
	"io"
	"time"

	"github.com/cairn-sec/cairn"
)

// Message is one received queue message.
type Message struct {
	ID            string
	Body          string
	ReceiptHandle string
	ReceiveCount  int       // ApproximateReceiveCount, 1 on first delivery
	SentAt        time.Time // when the message was sent, when known
}

// Receiver receives messages, keeping them invisible for visibility.
type Receiver interface {
	Receive(ctx context.Context, max int, wait, visibility time.Duration) ([]Message, error)
}

// Deleter deletes a message once everything it points to is committed.
type Deleter interface {
	Delete(ctx context.Context, receiptHandle string) error
}

// VisibilityChanger extends (keepalive) or shortens (release) a message's
// invisibility.
type VisibilityChanger interface {
	ChangeVisibility(ctx context.Context, receiptHandle string, timeout time.Duration) error
}

// DepthReader reports how many messages a queue holds: visible and
// in flight (not visible).
type DepthReader interface {
	Depth(ctx context.Context) (visible, inFlight int64, err error)
}

// Queue is everything the collector needs from one queue.
type Queue interface {
	Receiver
	Deleter
	VisibilityChanger
	DepthReader
	Name() string
}

// Object is an opened object: its body and what the service says about it.
type Object struct {
	Body         io.ReadCloser
	ETag         string // without quotes
	VersionID    string
	Size         int64
	LastModified time.Time
}

// Fetcher opens objects. Errors wrap cairn.ErrNotFound, ErrAccessDenied,
// ErrKMSAccessDenied or ErrThrottled where they apply.
type Fetcher interface {
	Fetch(ctx context.Context, ref cairn.ObjectRef) (*Object, error)
}

// Decoder turns one decompressed object into events.
type Decoder interface {
	Decode(ctx context.Context, r io.Reader, ref cairn.ObjectRef, out cairn.Emitter) error
}

// Store is the write side of the store.
type Store interface {
	Done(ctx context.Context, ref cairn.ObjectRef) (bool, error)
	Begin(ctx context.Context) (cairn.WriteTx, error)
	RecordErrors(ctx context.Context, errs []cairn.IngestError) error
}

// Detector sees every write transaction before it commits (the detection
// engine): it reads the events the transaction stores and records what it
// finds (alerts, its own state) in the same transaction, so detections
// commit with the events that caused them or not at all. An error rolls
// the transaction back like any store error.
type Detector interface {
	Detect(ctx context.Context, tx cairn.WriteTx) error
}

// Preparer is a Detector that can do part of its work on each event ahead
// of the commit, in the worker that decoded it: workers run in parallel,
// the committer alone, so what moves out of Detect speeds ingestion up.
// Prepare may record its result in the event's Prepared field; it must be
// safe for concurrent use, and Detect must not depend on it having run.
type Preparer interface {
	Prepare(ev *cairn.Event)
}
