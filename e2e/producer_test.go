package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/cairn-sec/cairn/s3"
	"github.com/cairn-sec/cairn/simulate"
	"github.com/cairn-sec/cairn/sns"
)

// flow describes the stream a producer plays into the pipeline.
type flow struct {
	files         int           // log files to upload
	eventsPerFile int           // records in each
	maxKeys       int           // files announced per notification: 1..maxKeys
	over          time.Duration // spread the notifications over about this long
}

// production is what a producer has uploaded and announced so far.
type production struct {
	mu    sync.Mutex
	ids   map[string]string // eventID → key of its file
	files map[string]int    // key → events in it
	msgs  int
	err   error
	done  chan struct{}
}

func (p *production) snapshot() (map[string]string, map[string]int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ids := make(map[string]string, len(p.ids))
	for k, v := range p.ids {
		ids[k] = v
	}
	files := make(map[string]int, len(p.files))
	for k, v := range p.files {
		files[k] = v
	}
	return ids, files
}

func (p *production) messages() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.msgs
}

func (p *production) finished() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// wait waits for the producer and fails the test if it failed.
func (p *production) wait(e *env, timeout time.Duration) {
	e.t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		e.t.Fatalf("producer did not finish within %v", timeout)
	}
	if p.err != nil {
		e.t.Fatalf("producer: %v", p.err)
	}
}

// produce starts a goroutine that uploads f.files generated CloudTrail
// files and announces them through the SNS topic, one to f.maxKeys keys
// per CloudTrail notification, paced over f.over. It records every eventID
// before the file is announced. The goroutine stops when the test ends.
func (e *env) produce(seed uint64, f flow) *production {
	pr := &production{ids: map[string]string{}, files: map[string]int{}, done: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	e.t.Cleanup(func() { cancel(); <-pr.done })
	gen := simulate.NewGenerator(simulate.Options{Seed: int64(seed), EventsPerFile: f.eventsPerFile, Bucket: e.w.Bucket})
	rng := newRand(seed + 1)
	// Split the files into notifications first, to pace them evenly.
	var groups []int
	for left := f.files; left > 0; {
		k := min(1+rng.IntN(f.maxKeys), left)
		groups = append(groups, k)
		left -= k
	}
	pause := f.over / time.Duration(len(groups))
	put := s3.New(e.cfg, s3.Options{PathStyle: true})
	topic := sns.New(e.cfg, e.w.TopicARN)
	go func() {
		defer close(pr.done)
		pr.err = func() error {
			for gi, n := range groups {
				if gi > 0 {
					// Jitter the pace: bursts and gaps, average pause.
					select {
					case <-time.After(jitter(rng, pause)):
					case <-ctx.Done():
						return ctx.Err()
					}
				}
				keys := make([]string, 0, n)
				for range n {
					file, err := gen.NextFile()
					if err != nil {
						return err
					}
					pr.mu.Lock()
					for _, id := range file.EventIDs {
						if prev, dup := pr.ids[id]; dup {
							pr.mu.Unlock()
							return fmt.Errorf("generator repeated eventID %s (%s and %s)", id, prev, file.Key)
						}
						pr.ids[id] = file.Key
					}
					pr.files[file.Key] = len(file.EventIDs)
					pr.mu.Unlock()
					if err := retry(ctx, func(ctx context.Context) error {
						_, err := put.PutObject(ctx, e.w.Bucket, file.Key, file.Body)
						return err
					}); err != nil {
						return err
					}
					keys = append(keys, file.Key)
				}
				msg := simulate.CloudTrailMessage(e.w.Bucket, keys...)
				if err := retry(ctx, func(ctx context.Context) error { return topic.Publish(ctx, msg) }); err != nil {
					return err
				}
				pr.mu.Lock()
				pr.msgs++
				pr.mu.Unlock()
			}
			return nil
		}()
	}()
	return pr
}

// jitter returns a duration in [0, 2d), skewed so that some notifications
// come in quick bursts.
func jitter(rng *rand.Rand, d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	if rng.IntN(4) == 0 {
		return time.Duration(rng.Int64N(int64(d) / 4))
	}
	return time.Duration(rng.Int64N(int64(d)*7/4)) + d/4
}

// retry runs f with a 30s timeout up to three times.
func retry(ctx context.Context, f func(context.Context) error) error {
	var err error
	for attempt := range 3 {
		if attempt > 0 {
			select {
			case <-time.After(time.Duration(attempt) * 500 * time.Millisecond):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		actx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err = f(actx)
		cancel()
		if err == nil || ctx.Err() != nil {
			return err
		}
	}
	return err
}
