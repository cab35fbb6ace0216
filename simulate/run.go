package simulate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Putter stores an object; implement it with an S3 client. It returns
// the object's ETag (quotes, if any, are stripped before the ETag goes
// into notifications).
type Putter interface {
	PutObject(ctx context.Context, bucket, key string, body []byte) (etag string, err error)
}

// Publisher sends one notification; implement it with an SNS topic or an
// SQS queue. body is exactly what the subscriber sees in the SNS Message
// or the SQS message body.
type Publisher interface {
	Publish(ctx context.Context, body []byte) error
}

// Shape selects the kind of notification Run publishes.
type Shape string

const (
	// ShapeCloudTrail is CloudTrail's own SNS message. Publish it to a
	// topic: subscribers see it wrapped in the SNS envelope, which SNS
	// adds.
	ShapeCloudTrail Shape = "cloudtrail"
	// ShapeS3Event is an S3 event notification.
	ShapeS3Event Shape = "s3"
	// ShapeEventBridge is an EventBridge "Object Created" event, one
	// object per message.
	ShapeEventBridge Shape = "eventbridge"
)

// RunOptions configures Run.
type RunOptions struct {
	// Bucket receives the log files. Required.
	Bucket string
	// Shape of the notifications; default ShapeCloudTrail.
	Shape Shape
	// Files stops the run after this many files (0 = no limit).
	Files int
	// Duration stops the run after this long (0 = no limit). At least
	// one of Files and Duration must be set.
	Duration time.Duration
	// Rate is files per second (0 = as fast as possible).
	Rate float64
	// KeysPerMessage is how many files one notification announces,
	// default 1: several keys in a CloudTrail message, several Records in
	// an S3 event. EventBridge events always carry one object, so there
	// it only batches publishing.
	KeysPerMessage int
	// WrapSNS wraps each message in an SNS envelope, as SNS→SQS delivery
	// would, for publishing straight to an SQS queue.
	WrapSNS bool
	// TopicARN is the TopicArn of the envelope; default
	// arn:aws:sns:<Region>:<first account>:cairn-simulate.
	TopicARN string
	// Region is the bucket's region written into S3 and EventBridge
	// notifications; default the generator's first region.
	Region string
	// Progress, if set, is called after each publish.
	Progress func(Stats)
	// OnFile, if set, is called with each file after it is stored, so a
	// caller can learn every key and eventID without Run keeping them.
	// File.Body must not be retained beyond the call if memory matters.
	OnFile func(File)
}

// Stats counts what Run did.
type Stats struct {
	Files    int   // files stored
	Events   int   // records in those files
	Messages int   // notifications published
	Bytes    int64 // compressed bytes stored
	RawBytes int64 // uncompressed bytes stored
	Elapsed  time.Duration
}

// Run generates files with g, stores each with put and announces them
// with pub, KeysPerMessage files per notification, until Files or
// Duration is reached or ctx is done. It paces itself to Rate. Files
// already stored when the run ends (including by cancellation or a put
// error) are still announced, with a context that is not cancelled, so
// no stored file goes unannounced. It returns the stats and the error
// that ended the run early (a cancelled ctx yields ctx.Err()), joined with
// any error announcing the remaining files; reaching Files or Duration is
// not an error.
func Run(ctx context.Context, g *Generator, put Putter, pub Publisher, opts RunOptions) (Stats, error) {
	r, err := newRunner(g, put, pub, opts)
	if err != nil {
		return Stats{}, err
	}
	start := time.Now()
	runErr := r.loop(ctx, start)
	if len(r.pending) > 0 {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		runErr = errors.Join(runErr, r.flush(fctx))
		cancel()
	}
	r.st.Elapsed = time.Since(start)
	return r.st, runErr
}

type runner struct {
	g       *Generator
	put     Putter
	pub     Publisher
	o       RunOptions
	st      Stats
	pending []S3Object
}

func newRunner(g *Generator, put Putter, pub Publisher, o RunOptions) (*runner, error) {
	switch {
	case g == nil || put == nil || pub == nil:
		return nil, errors.New("simulate: Run needs a generator, a putter and a publisher")
	case o.Bucket == "":
		return nil, errors.New("simulate: RunOptions.Bucket is required")
	case o.Files < 0 || o.Duration < 0 || o.Rate < 0 || o.KeysPerMessage < 0:
		return nil, errors.New("simulate: RunOptions.Files, Duration, Rate and KeysPerMessage must not be negative")
	case o.Files == 0 && o.Duration == 0:
		return nil, errors.New("simulate: RunOptions needs Files or Duration to end the run")
	}
	switch o.Shape {
	case "":
		o.Shape = ShapeCloudTrail
	case ShapeCloudTrail, ShapeS3Event, ShapeEventBridge:
	default:
		return nil, fmt.Errorf("simulate: unknown notification shape %q", o.Shape)
	}
	if o.KeysPerMessage == 0 {
		o.KeysPerMessage = 1
	}
	if o.Region == "" {
		o.Region = g.regions[0]
	}
	if o.TopicARN == "" {
		o.TopicARN = "arn:aws:sns:" + o.Region + ":" + g.accounts[0] + ":cairn-simulate"
	}
	return &runner{g: g, put: put, pub: pub, o: o, pending: make([]S3Object, 0, o.KeysPerMessage)}, nil
}

// loop stores files until a limit is reached; it returns the error that
// ended the run early, if any.
func (r *runner) loop(ctx context.Context, start time.Time) error {
	var deadline time.Time
	if r.o.Duration > 0 {
		deadline = start.Add(r.o.Duration)
	}
	var interval time.Duration
	if r.o.Rate > 0 {
		interval = time.Duration(float64(time.Second) / r.o.Rate)
	}
	next := start
	for r.o.Files == 0 || r.st.Files < r.o.Files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if r.st.Files > 0 && interval > 0 {
			next = next.Add(interval)
			if now := time.Now(); next.Before(now.Add(-interval)) {
				next = now // fell behind: don't burst to catch up
			}
			if done, err := sleepUntil(ctx, next, deadline); done || err != nil {
				return err
			}
		}
		if !deadline.IsZero() && !time.Now().Before(deadline) {
			return nil
		}
		f, err := r.g.NextFile()
		if err != nil {
			return fmt.Errorf("generate file: %w", err)
		}
		etag, err := r.put.PutObject(ctx, r.o.Bucket, f.Key, f.Body)
		if err != nil {
			return fmt.Errorf("put s3://%s/%s: %w", r.o.Bucket, f.Key, err)
		}
		r.st.Files++
		r.st.Events += f.Events
		r.st.Bytes += int64(len(f.Body))
		r.st.RawBytes += f.RawBytes
		if r.o.OnFile != nil {
			r.o.OnFile(f)
		}
		r.pending = append(r.pending, S3Object{Key: f.Key, Size: int64(len(f.Body)), ETag: strings.Trim(etag, `"`)})
		if len(r.pending) >= r.o.KeysPerMessage {
			if err := r.flush(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}

// sleepUntil waits for t; done reports that the deadline (if set) came
// first, err that ctx ended.
func sleepUntil(ctx context.Context, t, deadline time.Time) (done bool, err error) {
	if !deadline.IsZero() && deadline.Before(t) {
		t, done = deadline, true
	}
	d := time.Until(t)
	if d <= 0 {
		return done, nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return true, ctx.Err()
	case <-timer.C:
		return done, nil
	}
}

// flush publishes the notifications for the pending files.
func (r *runner) flush(ctx context.Context) error {
	objs := r.pending
	defer func() { r.pending = r.pending[:0] }()
	now := time.Now().UTC()
	var bodies [][]byte
	switch r.o.Shape {
	case ShapeCloudTrail:
		keys := make([]string, len(objs))
		for i, o := range objs {
			keys[i] = o.Key
		}
		bodies = append(bodies, CloudTrailMessage(r.o.Bucket, keys...))
	case ShapeS3Event:
		bodies = append(bodies, S3EventMessage(r.o.Bucket, r.o.Region, now, objs...))
	case ShapeEventBridge:
		for _, o := range objs {
			bodies = append(bodies, EventBridgeMessage(r.g.accounts[0], r.o.Bucket, r.o.Region, now, o))
		}
	}
	for _, b := range bodies {
		if r.o.WrapSNS {
			b = SNSEnvelope(r.o.TopicARN, "", b, now)
		}
		if err := r.pub.Publish(ctx, b); err != nil {
			return fmt.Errorf("publish notification for s3://%s/%s: %w", r.o.Bucket, objs[0].Key, err)
		}
		r.st.Messages++
		if r.o.Progress != nil {
			r.o.Progress(r.st)
		}
	}
	return nil
}
