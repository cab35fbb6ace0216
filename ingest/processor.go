package ingest

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/cairn-sec/cairn"
)

// ProcessorOptions configure a Processor.
type ProcessorOptions struct {
	// ChunkBytes bounds the events a worker holds for one object before
	// they move to the committer (default 8 MiB). An object larger than
	// this streams through a transaction of its own.
	ChunkBytes int
	// Decoders by object kind. Kinds without a decoder (digests) are
	// recorded in the ledger without being parsed. VPC flow logs and
	// Route 53 Resolver query logs get the vpcflow and route53resolver
	// decoders unless the map names others; so do the other formats (see
	// withDefaultDecoders).
	Decoders map[cairn.ObjectKind]Decoder
	// Formats force the format of objects by bucket and key prefix, in
	// order, before the key layout and the first bytes (configuration
	// "formats" and a queue's "format").
	Formats []FormatRule
}

// Processor takes one object from fetch to commit.
type Processor struct {
	fetch     Fetcher
	store     Store
	committer *Committer
	opts      ProcessorOptions
	m         *Metrics
	log       *slog.Logger
	prep      Preparer // the committer's detector, when it prepares events
}

// NewProcessor returns a processor committing through c.
func NewProcessor(fetch Fetcher, store Store, c *Committer, opts ProcessorOptions, m *Metrics, log *slog.Logger) *Processor {
	if opts.ChunkBytes <= 0 {
		opts.ChunkBytes = 8 << 20
	}
	opts.Decoders = withDefaultDecoders(opts.Decoders, m)
	p := &Processor{fetch: fetch, store: store, committer: c, opts: opts, m: m, log: log}
	if c != nil {
		p.prep, _ = c.opts.Detector.(Preparer)
	}
	return p
}

// ObjectResult says what happened to one object.
type ObjectResult struct {
	Ref      cairn.ObjectRef
	Kind     cairn.ObjectKind
	Skipped  bool // already in the ledger
	Events   int64
	Rejected int64
	Bytes    int64
	RawBytes int64
}

// Process fetches, decodes and commits one object. It returns nil once the
// object is committed or found already done. On error nothing of the object
// is stored except an ingest_errors record (when the error is about the
// object, not about shutting down), and the caller must not acknowledge it.
func (p *Processor) Process(ctx context.Context, ref cairn.ObjectRef) (ObjectResult, error) {
	kind, decided := kindOf(p.opts.Formats, ref)
	out := ObjectResult{Ref: ref, Kind: kind}
	if ref.ETag != "" {
		done, err := p.store.Done(ctx, ref)
		if err != nil {
			return out, err
		}
		if done {
			out.Skipped = true
			p.m.Objects.WithLabelValues(string(kind), "skipped").Inc()
			return out, nil
		}
	}
	res, err := p.process(ctx, &out, decided)
	if err != nil {
		p.m.Objects.WithLabelValues(string(kind), "failed").Inc()
		p.m.Errors.WithLabelValues(cairn.Reason(err)).Inc()
		if ctx.Err() == nil {
			p.recordFailure(ctx, out.Ref, out.RawBytes, err)
		}
		return out, err
	}
	if res.skipped {
		out.Skipped = true
		p.m.Objects.WithLabelValues(string(kind), "skipped").Inc()
		return out, nil
	}
	p.m.Objects.WithLabelValues(string(out.Kind), "committed").Inc()
	t := out.Ref.EventTime
	if !t.IsZero() {
		p.m.Lag.Observe(time.Since(t).Seconds())
	}
	return out, nil
}

// recordFailure stores an object-level ingest error. Failing to store it is
// logged: the message stays on the queue either way.
func (p *Processor) recordFailure(ctx context.Context, ref cairn.ObjectRef, offset int64, cause error) {
	e := cairn.IngestError{Ref: ref, Offset: offset, Index: -1, Reason: cairn.Reason(cause), Detail: cause.Error(), Time: time.Now().UTC()}
	j := &job{rec: cairn.ObjectRecord{Ref: ref}, rejects: []cairn.IngestError{e}, noLedger: true, result: make(chan jobResult, 1)}
	if err := p.committer.submit(ctx, j); err != nil {
		return
	}
	if r := <-j.result; r.err != nil {
		p.log.Error("could not record ingest error", "object", ref.String(), "err", r.err)
	}
}

func (p *Processor) process(ctx context.Context, out *ObjectResult, decided bool) (jobResult, error) {
	obj, err := p.fetch.Fetch(ctx, out.Ref)
	if err != nil {
		return jobResult{}, err
	}
	defer obj.Body.Close()
	ref := &out.Ref
	// Process looked the object up already when its ETag was known; the
	// ledger need only be asked again if the fetch names another version.
	checked := ref.ETag
	if obj.ETag != "" {
		ref.ETag = obj.ETag
	}
	if obj.VersionID != "" {
		ref.VersionID = obj.VersionID
	}
	if ref.Size == 0 {
		ref.Size = obj.Size
	}
	if ref.EventTime.IsZero() {
		ref.EventTime = obj.LastModified
	}
	if ref.ETag == "" {
		ref.ETag = fmt.Sprintf("size-%d", obj.Size)
	}
	if ref.ETag != checked {
		done, err := p.store.Done(ctx, *ref)
		if err != nil {
			return jobResult{}, err
		}
		if done {
			return jobResult{skipped: true}, nil
		}
	}
	rec := cairn.ObjectRecord{Ref: *ref, Kind: out.Kind}
	dec := p.opts.Decoders[out.Kind]
	if dec == nil && out.Kind == cairn.KindCloudTrailDigest { // recorded, not parsed
		rec.Bytes = obj.Size
		out.Bytes = obj.Size
		return p.commitWhole(ctx, &job{rec: rec})
	}

	compressed := &countingReader{r: obj.Body}
	body, err := decompress(compressed)
	if err != nil {
		return jobResult{}, fmt.Errorf("read %s: %w", ref, err)
	}
	if !decided {
		// Neither a rule nor the key says: the first bytes do.
		kind, sniffed, err := sniff(body)
		if err != nil {
			return jobResult{}, fmt.Errorf("%s: %w", ref, err)
		}
		body, out.Kind, rec.Kind = sniffed, kind, kind
		dec = p.opts.Decoders[kind]
	}
	if dec == nil {
		return jobResult{}, cairn.Corruptf("unsupported format: %s: %s (Cairn does not parse %s objects)", ref, out.Kind.Describe(), out.Kind)
	}
	// The SHA-256 of the uncompressed content is what a CloudTrail digest
	// lists; hashing it here spares re-reading the object to verify it.
	sum := sha256.New()
	raw := &countingReader{r: io.TeeReader(body, sum)}
	sink := &objectSink{p: p, ctx: ctx, rec: rec}
	decErr := dec.Decode(ctx, &corruptionReader{r: raw}, *ref, sink)
	if decErr == nil {
		// Decoders may stop at the end of their data: hash the rest too.
		_, decErr = io.Copy(io.Discard, &corruptionReader{r: raw})
	}
	out.Bytes, out.RawBytes = compressed.n, raw.n
	out.Events, out.Rejected = sink.nEvents, sink.nRejects
	p.m.Bytes.WithLabelValues("compressed").Add(float64(compressed.n))
	p.m.Bytes.WithLabelValues("raw").Add(float64(raw.n))
	if decErr == nil && sink.err != nil {
		decErr = sink.err
	}
	if errors.Is(decErr, errSkipped) {
		return jobResult{skipped: true}, nil
	}
	if decErr != nil {
		decErr = fmt.Errorf("decode %s: %w", ref, decErr)
		if sink.j != nil && sink.send(chunk{final: true, err: decErr}) == nil {
			<-sink.j.result
		}
		return jobResult{}, decErr
	}
	rec.Events, rec.Errors = sink.nEvents, sink.nRejects
	rec.Bytes, rec.RawBytes = compressed.n, raw.n
	rec.SHA256 = hex.EncodeToString(sum.Sum(nil))
	if sink.j == nil {
		return p.commitWhole(ctx, &job{rec: rec, events: sink.events, rejects: sink.rejects, bytes: sink.bytes})
	}
	if err := sink.send(chunk{final: true, rec: rec, events: sink.events, rejects: sink.rejects}); err != nil {
		if errors.Is(err, errSkipped) {
			return jobResult{skipped: true}, nil
		}
		return jobResult{}, err
	}
	r := <-sink.j.result
	return r, r.err
}

func (p *Processor) commitWhole(ctx context.Context, j *job) (jobResult, error) {
	j.result = make(chan jobResult, 1)
	if err := p.committer.submit(ctx, j); err != nil {
		return jobResult{}, err
	}
	r := <-j.result
	return r, r.err
}

// objectSink buffers an object's events; past ChunkBytes it turns the
// object into a streaming job and sends chunks as they fill.
type objectSink struct {
	p        *Processor
	ctx      context.Context
	rec      cairn.ObjectRecord
	events   []*cairn.Event
	rejects  []cairn.IngestError
	bytes    int
	j        *job // streaming job, once started
	nEvents  int64
	nRejects int64
	err      error

	// gaveUp is the committer's result once it gave up on the stream: it
	// sends that result once, so later sends must not wait for another.
	gaveUp *jobResult
}

func (s *objectSink) Emit(ev *cairn.Event) error {
	e := *ev
	if s.p.prep != nil {
		s.p.prep.Prepare(&e)
	}
	s.events = append(s.events, &e)
	s.nEvents++
	s.bytes += e.Size()
	if s.bytes >= s.p.opts.ChunkBytes {
		return s.flush()
	}
	return nil
}

func (s *objectSink) Reject(e cairn.IngestError) error {
	s.rejects = append(s.rejects, e)
	s.nRejects++
	s.bytes += len(e.Raw) + len(e.Detail)
	s.p.m.Rejected.WithLabelValues(e.Reason).Inc()
	if s.bytes >= s.p.opts.ChunkBytes {
		return s.flush()
	}
	return nil
}

func (s *objectSink) flush() error {
	if s.j == nil {
		s.j = &job{rec: s.rec, stream: make(chan chunk), abort: make(chan struct{}), result: make(chan jobResult, 1)}
		if err := s.p.committer.submit(s.ctx, s.j); err != nil {
			s.j = nil
			s.err = err
			return err
		}
	}
	err := s.send(chunk{events: s.events, rejects: s.rejects})
	s.events, s.rejects, s.bytes = nil, nil, 0
	if err != nil {
		s.err = err
	}
	return err
}

// send passes a chunk to the committer, unless it gave up on the object.
func (s *objectSink) send(ch chunk) error {
	select {
	case s.j.stream <- ch:
		return nil
	case <-s.j.abort:
		if s.gaveUp == nil {
			r := <-s.j.result
			s.gaveUp = &r
		}
		if s.gaveUp.skipped {
			return errSkipped
		}
		return s.gaveUp.err
	case <-s.ctx.Done():
		return s.ctx.Err()
	}
}

var errSkipped = errors.New("object already committed")

// decompress sniffs the gzip magic number; anything else is read as is.
func decompress(r io.Reader) (io.Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(2)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		return newGzipReader(br)
	}
	return br, nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
