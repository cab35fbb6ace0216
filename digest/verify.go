package digest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"
)

// ErrNotFound is what a Store returns (wrapped) for an object that does
// not exist.
var ErrNotFound = errors.New("object not found")

// Store reads the bucket holding the trail's files.
type Store interface {
	// List calls fn for every key under prefix, in any order.
	List(ctx context.Context, bucket, prefix string, fn func(key string) error) error
	// Open returns an object's body and user metadata (x-amz-meta-*
	// without the prefix, lower case: "signature",
	// "signature-algorithm"). A missing object is an error wrapping
	// ErrNotFound.
	Open(ctx context.Context, bucket, key string) (io.ReadCloser, map[string]string, error)
}

// Options say what to verify.
type Options struct {
	Bucket string
	Prefix string // listed under; "" for the whole bucket
	// From and To bound the log files checked for being unlisted, by
	// delivery time; digests ending in [From, To+2h] are read (a log
	// file is listed by the digest after its delivery). Zero: unbounded.
	From, To    time.Time
	Store       Store
	Keys        KeySource
	Concurrency int              // parallel reads (default 8)
	Now         func() time.Time // default time.Now
}

// digestWindow is how long after To digests are still read: CloudTrail
// delivers a digest every hour, listing the log files of the hour before.
const digestWindow = 2 * time.Hour

// pendingAge is how long a log file newer than the last digest may wait
// for one before it counts as unlisted.
const pendingAge = 2 * time.Hour

// Verify checks every digest chain and log file under o.Prefix.
func Verify(ctx context.Context, o Options) (*Report, error) {
	if o.Store == nil || o.Keys == nil {
		return nil, errors.New("digest: Verify needs a Store and a KeySource")
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	v := &verifier{o: o, groups: map[Location]*groupState{}, windows: map[string][2]time.Time{}}
	if err := v.list(ctx); err != nil {
		return nil, err
	}
	r := &Report{Bucket: o.Bucket, Prefix: o.Prefix, From: o.From, To: o.To}
	keys := newKeyCache(o.Keys, v.windows)
	for _, gs := range v.groups {
		if err := v.verifyGroup(ctx, gs, keys); err != nil {
			return nil, err
		}
		r.Groups = append(r.Groups, gs.Group)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("verify: %w", err) // reads were skipped: the report would be incomplete
	}
	r.finish()
	return r, nil
}

type verifier struct {
	o      Options
	groups map[Location]*groupState
	// windows: per region, the end times of the first and last digest
	// listed, for one ListPublicKeys call per region.
	windows map[string][2]time.Time
}

// groupState is one account and region while it is verified.
type groupState struct {
	*Group
	chains map[string][]string // trail/home region → digest keys
	logs   map[string]time.Time
	listed map[string]bool // log keys some digest read lists
}

func (v *verifier) group(loc Location) *groupState {
	gs, ok := v.groups[loc]
	if !ok {
		gs = &groupState{Group: &Group{Location: loc}, chains: map[string][]string{}, logs: map[string]time.Time{},
			listed: map[string]bool{}}
		v.groups[loc] = gs
	}
	return gs
}

// list sorts the keys under the prefix into digest chains and log files
// within the range.
func (v *verifier) list(ctx context.Context) error {
	// Log keys name the minute of delivery: a log file of the From minute
	// can be listed by a digest ending before From.
	from, to := v.o.From.Truncate(time.Minute), v.o.To
	err := v.o.Store.List(ctx, v.o.Bucket, v.o.Prefix, func(key string) error {
		ki := parseKey(key)
		switch ki.kind {
		case kindDigest:
			if (!from.IsZero() && ki.at.Before(from)) || (!to.IsZero() && ki.at.After(to.Add(digestWindow))) {
				return nil
			}
			w, ok := v.windows[ki.loc.Region]
			if !ok || ki.at.Before(w[0]) {
				w[0] = ki.at
			}
			if ki.at.After(w[1]) {
				w[1] = ki.at
			}
			v.windows[ki.loc.Region] = w
			gs := v.group(ki.loc)
			chain := ki.trail + "\x00" + ki.homeRegion
			gs.chains[chain] = append(gs.chains[chain], key)
		case kindLog:
			if (!from.IsZero() && ki.at.Before(from)) || (!to.IsZero() && ki.at.After(to)) {
				return nil
			}
			v.group(ki.loc).logs[key] = ki.at
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("list s3://%s/%s: %w", v.o.Bucket, v.o.Prefix, err)
	}
	return nil
}

// loaded is one digest file read and checked on its own.
type loaded struct {
	key       string
	at        time.Time // from the key
	trail     string
	d         *Digest // nil when unreadable
	hash      string  // hex SHA-256 of the uncompressed file
	signature string  // x-amz-meta-signature
	valid     bool
	missing   bool
	problem   string
}

func (v *verifier) verifyGroup(ctx context.Context, gs *groupState, keys *keyCache) error {
	names := make([]string, 0, len(gs.chains))
	for n := range gs.chains {
		names = append(names, n)
	}
	sort.Strings(names)
	var toCheck []LogFile
	for _, n := range names {
		trail, _, _ := strings.Cut(n, "\x00")
		gs.Trails = append(gs.Trails, trail)
		ds, err := v.loadChain(ctx, gs, trail, gs.chains[n], keys)
		if err != nil {
			return err
		}
		toCheck = append(toCheck, v.link(gs, trail, ds)...)
	}
	v.checkLogs(ctx, gs, toCheck)
	v.unlisted(gs)
	return nil
}

// loadChain reads a trail's digests in parallel, oldest first, checking
// each one's location and signature.
func (v *verifier) loadChain(ctx context.Context, gs *groupState, trail string, keys []string, kc *keyCache) ([]*loaded, error) {
	ds := make([]*loaded, len(keys))
	for i, k := range keys {
		ds[i] = &loaded{key: k, at: parseKey(k).at, trail: trail}
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i].at.Before(ds[j].at) })
	if len(ds) == 0 {
		return nil, nil
	}
	pub, err := kc.get(ctx, gs.Region)
	if err != nil {
		return nil, fmt.Errorf("public keys for %s: %w", gs.Region, err)
	}
	parallel(ctx, v.o.Concurrency, len(ds), func(i int) { v.loadDigest(ctx, ds[i], pub) })
	return ds, nil
}

func (v *verifier) loadDigest(ctx context.Context, l *loaded, pub map[string]PublicKey) {
	body, meta, err := v.o.Store.Open(ctx, v.o.Bucket, l.key)
	if err != nil {
		l.missing = errors.Is(err, ErrNotFound)
		l.problem = fmt.Sprintf("cannot read: %v", err)
		return
	}
	gz, err := io.ReadAll(io.LimitReader(body, maxDigestSize+1))
	body.Close()
	if err != nil {
		l.problem = fmt.Sprintf("cannot read: %v", err)
		return
	}
	raw, err := inflate(gz)
	if err != nil {
		l.problem = fmt.Sprintf("invalid format: %v", err)
		return
	}
	sum := sha256.Sum256(raw)
	l.hash = hex.EncodeToString(sum[:])
	l.signature = meta["signature"]
	d, err := Parse(raw)
	if err != nil {
		l.problem = fmt.Sprintf("invalid format: %v", err)
		return
	}
	l.d = d
	switch {
	case d.DigestS3Bucket != v.o.Bucket || d.DigestS3Object != l.key:
		l.problem = fmt.Sprintf("moved from its original location s3://%s/%s", d.DigestS3Bucket, d.DigestS3Object)
	case l.signature == "":
		l.problem = "no x-amz-meta-signature metadata"
	case meta["signature-algorithm"] != SignatureAlgorithm:
		l.problem = fmt.Sprintf("x-amz-meta-signature-algorithm %q, want %s", meta["signature-algorithm"], SignatureAlgorithm)
	case d.DigestSignatureAlgorithm != SignatureAlgorithm:
		l.problem = fmt.Sprintf("digestSignatureAlgorithm %q, want %s", d.DigestSignatureAlgorithm, SignatureAlgorithm)
	default:
		k, ok := pub[strings.ToLower(d.DigestPublicKeyFingerprint)]
		if !ok {
			l.problem = fmt.Sprintf("no public key with fingerprint %s", d.DigestPublicKeyFingerprint)
			return
		}
		if err := VerifySignature(k.Key, d, raw, l.signature); err != nil {
			l.problem = err.Error()
			return
		}
		l.valid = true
	}
}

// link checks the chain of a trail's digests, oldest first, and returns
// the log files the valid digests list.
func (v *verifier) link(gs *groupState, trail string, ds []*loaded) []LogFile {
	byKey := make(map[string]*loaded, len(ds))
	var logs []LogFile
	for i, l := range ds {
		byKey[l.key] = l
		gs.Digests++
		if l.d != nil {
			gs.extend(l.d.Start, l.d.End)
		}
		if l.problem != "" {
			gs.add(Problem{Kind: InvalidDigest, Bucket: v.o.Bucket, Key: l.key, Trail: trail, Detail: l.problem})
		}
		if l.d == nil {
			continue
		}
		if l.valid {
			gs.ValidDigests++
			logs = append(logs, l.d.LogFiles...)
		}
		for _, lf := range l.d.LogFiles {
			gs.listed[lf.S3Object] = true
		}
		d := l.d
		if d.IsChainStart() {
			if i > 0 {
				prev := ds[i-1]
				gs.add(Problem{Kind: ChainGap, Bucket: v.o.Bucket, Key: l.key, Trail: trail,
					Detail: fmt.Sprintf("starts a new chain: no link to the earlier digest %s; nothing is digested between %s and %s",
						prev.key, prev.at.Format(time.RFC3339), d.Start.Format(time.RFC3339))})
			}
			continue
		}
		prevBucket, prevKey := deref(d.PreviousDigestS3Bucket), deref(d.PreviousDigestS3Object)
		if prevBucket != v.o.Bucket {
			continue // the chain continues in another bucket (the trail moved); not followed
		}
		p, ok := byKey[prevKey]
		if !ok {
			pi := parseKey(prevKey)
			inRange := i > 0 || v.o.From.IsZero() || (pi.kind == kindDigest && !pi.at.Before(v.o.From.Truncate(time.Minute)))
			if inRange {
				gs.add(Problem{Kind: MissingDigest, Bucket: v.o.Bucket, Key: prevKey, Trail: trail,
					Detail: fmt.Sprintf("linked from %s but does not exist (deleted?): the log files it listed are unverifiable", l.key)})
				gs.Gaps++
			}
			continue
		}
		if p.missing {
			continue // already reported as invalid (unreadable)
		}
		if !equalHex(deref(d.PreviousDigestSignature), p.signature) {
			gs.add(Problem{Kind: BrokenChain, Bucket: v.o.Bucket, Key: l.key, Trail: trail,
				Detail: fmt.Sprintf("previousDigestSignature is not the signature of %s", prevKey)})
		} else if p.hash != "" && !equalHex(deref(d.PreviousDigestHashValue), p.hash) {
			gs.add(Problem{Kind: BrokenChain, Bucket: v.o.Bucket, Key: l.key, Trail: trail,
				Detail: fmt.Sprintf("previousDigestHashValue is not the SHA-256 of %s", prevKey)})
		}
	}
	return logs
}

func (g *Group) extend(start, end time.Time) {
	if g.First.IsZero() || start.Before(g.First) {
		g.First = start
	}
	if end.After(g.Last) {
		g.Last = end
	}
}

// checkLogs hashes every listed log file.
func (v *verifier) checkLogs(ctx context.Context, gs *groupState, logs []LogFile) {
	// A log file listed twice (two trails, one bucket) is read once per
	// distinct expected hash.
	seen := map[string]bool{}
	var jobs []LogFile
	for _, lf := range logs {
		id := lf.S3Bucket + "/" + lf.S3Object + "#" + strings.ToLower(lf.HashValue)
		if !seen[id] {
			seen[id] = true
			jobs = append(jobs, lf)
		}
	}
	problems := make([]*Problem, len(jobs))
	parallel(ctx, v.o.Concurrency, len(jobs), func(i int) { problems[i] = v.checkLog(ctx, jobs[i]) })
	gs.LogFiles += len(jobs)
	for _, p := range problems {
		if p == nil {
			gs.ValidLogFiles++
			continue
		}
		gs.add(*p)
	}
}

func (v *verifier) checkLog(ctx context.Context, lf LogFile) *Problem {
	p := &Problem{Bucket: lf.S3Bucket, Key: lf.S3Object}
	body, _, err := v.o.Store.Open(ctx, lf.S3Bucket, lf.S3Object)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			p.Kind, p.Detail = MissingLog, "listed in a digest but does not exist (deleted)"
		} else {
			p.Kind, p.Detail = UnreadableLog, err.Error()
		}
		return p
	}
	defer body.Close()
	sum, err := hashGzip(body)
	switch {
	case err != nil && ctx.Err() != nil:
		p.Kind, p.Detail = UnreadableLog, ctx.Err().Error()
	case err != nil:
		p.Kind, p.Detail = ModifiedLog, err.Error()
	case !equalHex(sum, lf.HashValue):
		p.Kind, p.Detail = ModifiedLog, fmt.Sprintf("SHA-256 %s, digest lists %s", sum, strings.ToLower(lf.HashValue))
	default:
		return nil
	}
	return p
}

// unlisted reports the log files in the range that no digest lists,
// except recent ones a digest may still come for.
func (v *verifier) unlisted(gs *groupState) {
	now := v.o.Now()
	for key, at := range gs.logs {
		if gs.listed[key] {
			continue
		}
		if at.Add(time.Minute).After(gs.Last) && now.Sub(at) < pendingAge {
			gs.Pending++
			continue
		}
		gs.Unlisted++
		detail := "no digest lists it"
		if gs.Digests == 0 {
			detail = "no digest files for this account and region (log file validation off?)"
		}
		gs.add(Problem{Kind: UnlistedLog, Bucket: v.o.Bucket, Key: key, Detail: detail})
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// parallel runs fn(0..n-1) on at most limit goroutines.
func parallel(ctx context.Context, limit, n int, fn func(i int)) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, limit)
	for i := range n {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			fn(i)
		}()
	}
	wg.Wait()
}

// keyCache asks the KeySource once per region, for the time its digests
// span (from an hour before the first one starts).
type keyCache struct {
	src     KeySource
	windows map[string][2]time.Time
	byRe    map[string]map[string]PublicKey
}

func newKeyCache(src KeySource, windows map[string][2]time.Time) *keyCache {
	return &keyCache{src: src, windows: windows, byRe: map[string]map[string]PublicKey{}}
}

func (c *keyCache) get(ctx context.Context, region string) (map[string]PublicKey, error) {
	if m, ok := c.byRe[region]; ok {
		return m, nil
	}
	w := c.windows[region]
	keys, err := c.src.PublicKeys(ctx, region, w[0].Add(-2*time.Hour), w[1])
	if err != nil {
		return nil, err
	}
	m := map[string]PublicKey{}
	for _, k := range keys {
		m[strings.ToLower(k.Fingerprint)] = k
	}
	c.byRe[region] = m
	return m, nil
}
