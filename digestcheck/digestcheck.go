package digestcheck

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/digest"
)

// Ledger is the store side: digests ingested, checks done, log hashes.
type Ledger interface {
	DigestsToCheck(ctx context.Context, limit int) ([]cairn.ObjectRef, []cairn.DigestCheck, error)
	DigestCheck(ctx context.Context, bucket, key string) (cairn.DigestCheck, bool, error)
	ChainChecked(ctx context.Context, chain string) (bool, error)
	ObjectSHA256(ctx context.Context, bucket, key string) (string, bool, error)
	SaveDigestCheck(ctx context.Context, c cairn.DigestCheck, alerts []cairn.Alert, window time.Duration) error
}

// Options configure a Checker.
type Options struct {
	Ledger   Ledger
	Objects  digest.Store     // reads digest files (S3)
	Keys     digest.KeySource // CloudTrail ListPublicKeys
	Interval time.Duration    // between rounds; default 1m
	// Grace is how long after a digest's end a listed log file or the
	// previous digest may still be ingested before it counts as missing
	// (default 2h).
	Grace    time.Duration
	Now      func() time.Time
	Log      *slog.Logger
	Registry prometheus.Registerer
}

// Checker verifies digests as they arrive.
type Checker struct {
	o      Options
	keys   map[string]map[string]digest.PublicKey // region → fingerprint → key
	checks *prometheus.CounterVec
}

// alertWindow merges repeated alerts about one object.
const alertWindow = 24 * time.Hour

// New returns a Checker.
func New(o Options) *Checker {
	if o.Interval <= 0 {
		o.Interval = time.Minute
	}
	if o.Grace <= 0 {
		o.Grace = 2 * time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	c := &Checker{o: o, keys: map[string]map[string]digest.PublicKey{},
		checks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cairn_digest_checks_total",
			Help: "CloudTrail digest and log file checks by result (valid, invalid-digest, broken-chain, chain-gap, modified-log, missing-log, missing-digest, pending)."}, []string{"result"})}
	if o.Registry != nil {
		o.Registry.MustRegister(c.checks)
	}
	return c
}

// Run checks every Interval until ctx ends, then once more (so a drained
// collector verifies what it ingested last).
func (c *Checker) Run(ctx context.Context) {
	t := time.NewTicker(c.o.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			c.round(fctx)
			cancel()
			return
		case <-t.C:
			c.round(ctx)
		}
	}
}

func (c *Checker) round(ctx context.Context) {
	n, err := c.Round(ctx)
	if err != nil {
		c.o.Log.Error("digest verification round failed; retrying next round", "err", err)
		return
	}
	if n > 0 {
		c.o.Log.Debug("digest verification round", "digests", n)
	}
}

// Round checks the digests ingested since the last round and re-checks
// pending ones. It returns how many it looked at.
func (c *Checker) Round(ctx context.Context) (int, error) {
	fresh, pending, err := c.o.Ledger.DigestsToCheck(ctx, 1000)
	if err != nil {
		return 0, err
	}
	// One digest that cannot be checked now (S3 or CloudTrail refusing)
	// must not hold up the others: it is tried again next round.
	var failed []error
	for _, ref := range fresh {
		if err := c.checkNew(ctx, ref); err != nil {
			failed = append(failed, err)
		}
	}
	for _, p := range pending {
		if err := c.recheck(ctx, p); err != nil {
			failed = append(failed, fmt.Errorf("digest s3://%s/%s: %w", p.Bucket, p.Key, err))
		}
	}
	if len(failed) > 0 {
		c.checks.WithLabelValues("error").Add(float64(len(failed)))
		return len(fresh) + len(pending), fmt.Errorf("%d of %d digest checks failed, first: %w", len(failed), len(fresh)+len(pending), failed[0])
	}
	return len(fresh) + len(pending), nil
}

// publicKeys returns region's keys, asking CloudTrail again when
// fingerprint is not among them (a new signing key).
func (c *Checker) publicKeys(ctx context.Context, region, fingerprint string) (map[string]digest.PublicKey, error) {
	m, ok := c.keys[region]
	if ok {
		if _, has := m[strings.ToLower(fingerprint)]; has || fingerprint == "" {
			return m, nil
		}
	}
	now := c.o.Now()
	keys, err := c.o.Keys.PublicKeys(ctx, region, now.AddDate(0, 0, -400), now)
	if err != nil {
		return nil, fmt.Errorf("public keys for %s: %w", region, err)
	}
	m = digest.KeyMap(keys)
	c.keys[region] = m
	return m, nil
}

// regionOf reads the region from a chain name (account/region/trail/home).
func regionOf(chain string) string {
	parts := strings.Split(chain, "/")
	if len(parts) > 1 {
		return parts[1]
	}
	return ""
}

func (c *Checker) checkNew(ctx context.Context, ref cairn.ObjectRef) error {
	region := digest.RegionOfKey(ref.Key)
	ch := digest.CheckDigest(ctx, c.o.Objects, ref.Bucket, ref.Key, c.keys[region])
	if ch.Digest != nil && strings.HasPrefix(ch.Problem, "no public key") {
		// A key not cached yet (first digest of the region, or CloudTrail
		// started signing with a new key): ask CloudTrail, read again.
		keys, err := c.publicKeys(ctx, region, ch.Digest.DigestPublicKeyFingerprint)
		if err != nil {
			return err
		}
		ch = digest.CheckDigest(ctx, c.o.Objects, ref.Bucket, ref.Key, keys)
	}
	if ch.Digest == nil && !ch.Missing && strings.HasPrefix(ch.Problem, "cannot read") {
		return fmt.Errorf("digest s3://%s/%s: %s", ref.Bucket, ref.Key, ch.Problem) // transient: next round
	}
	dc := cairn.DigestCheck{Bucket: ref.Bucket, Key: ref.Key, Chain: ch.Chain, End: ch.End, Signature: ch.Signature, Hash: ch.Hash,
		CheckedAt: c.o.Now().UTC()}
	var alerts []cairn.Alert
	if !ch.Valid {
		dc.Status = "invalid"
		alerts = append(alerts, c.alert("invalid-digest", "critical", ref.Bucket, ref.Key, "digest file is not valid: "+ch.Problem, ref.Key))
		return c.save(ctx, dc, alerts)
	}
	d := ch.Digest
	seen, err := c.o.Ledger.ChainChecked(ctx, ch.Chain)
	if err != nil {
		return err
	}
	switch {
	case d.IsChainStart():
		if seen {
			alerts = append(alerts, c.alert("chain-gap", "medium", ref.Bucket, ref.Key,
				"digest starts a new chain: logging or log file validation was off for a while", ref.Key))
		}
	case deref(d.PreviousDigestS3Bucket) == ref.Bucket && seen:
		// Only once Cairn has seen this chain: the digest before the
		// first one it ingests is not its to find.
		dc.Pending.Prev = deref(d.PreviousDigestS3Object)
	}
	for _, lf := range d.LogFiles {
		dc.Pending.Logs = append(dc.Pending.Logs, cairn.DigestLog{Bucket: lf.S3Bucket, Key: lf.S3Object, SHA256: strings.ToLower(lf.HashValue)})
	}
	c.checks.WithLabelValues("valid").Inc()
	return c.resolve(ctx, dc, d, alerts)
}

// resolve checks what dc still waits for, raising alerts for what is
// wrong or, past the grace period, missing; then saves it.
func (c *Checker) resolve(ctx context.Context, dc cairn.DigestCheck, d *digest.Digest, alerts []cairn.Alert) error {
	overdue := c.o.Now().After(dc.End.Add(c.o.Grace))
	problems := dc.Status == "problems"
	if dc.Pending.Prev != "" {
		prev, ok, err := c.o.Ledger.DigestCheck(ctx, dc.Bucket, dc.Pending.Prev)
		if err != nil {
			return err
		}
		switch {
		case ok && d != nil && (!digest.EqualHex(deref(d.PreviousDigestSignature), prev.Signature) ||
			(prev.Hash != "" && !digest.EqualHex(deref(d.PreviousDigestHashValue), prev.Hash))):
			alerts = append(alerts, c.alert("broken-chain", "critical", dc.Bucket, dc.Key,
				"digest does not link to "+dc.Pending.Prev+": previousDigestSignature or previousDigestHashValue differs", dc.Key))
			dc.Pending.Prev, problems = "", true
		case ok:
			dc.Pending.Prev = ""
		case overdue:
			alerts = append(alerts, c.alert("missing-digest", "critical", dc.Bucket, dc.Pending.Prev,
				"digest linked from "+dc.Key+" was never delivered or ingested (deleted?)", dc.Key))
			dc.Pending.Prev, problems = "", true
		}
	}
	var still []cairn.DigestLog
	for _, l := range dc.Pending.Logs {
		sum, found, err := c.o.Ledger.ObjectSHA256(ctx, l.Bucket, l.Key)
		if err != nil {
			return err
		}
		switch {
		case found && sum == "":
			// Ingested before hashes were recorded: not verifiable here
			// (cairn verify re-reads it).
		case found && !digest.EqualHex(sum, l.SHA256):
			alerts = append(alerts, c.alert("modified-log", "critical", l.Bucket, l.Key,
				fmt.Sprintf("log file content differs from its digest: SHA-256 %s, digest %s lists %s", sum, dc.Key, l.SHA256), dc.Key))
			problems = true
		case found:
			c.checks.WithLabelValues("valid-log").Inc()
		case overdue:
			alerts = append(alerts, c.alert("missing-log", "high", l.Bucket, l.Key,
				"log file listed in digest "+dc.Key+" was never ingested (deleted, or its notification lost)", dc.Key))
			problems = true
		default:
			still = append(still, l)
		}
	}
	dc.Pending.Logs = still
	switch {
	case dc.Pending.Prev != "" || len(still) > 0:
		dc.Status = "pending"
	case problems:
		dc.Status = "problems"
	default:
		dc.Status = "valid"
	}
	dc.CheckedAt = c.o.Now().UTC()
	return c.save(ctx, dc, alerts)
}

// recheck re-reads a pending digest's body for the chain comparison.
func (c *Checker) recheck(ctx context.Context, dc cairn.DigestCheck) error {
	var d *digest.Digest
	if dc.Pending.Prev != "" {
		ch := digest.CheckDigest(ctx, c.o.Objects, dc.Bucket, dc.Key, c.keys[regionOf(dc.Chain)])
		d = ch.Digest
	}
	return c.resolve(ctx, dc, d, nil)
}

func (c *Checker) save(ctx context.Context, dc cairn.DigestCheck, alerts []cairn.Alert) error {
	for _, a := range alerts {
		c.checks.WithLabelValues(strings.TrimPrefix(a.RuleID, "digest.")).Inc()
		c.o.Log.Warn("integrity: "+a.Title, "object", a.GroupKey, "digest", dc.Key, "rule", a.RuleID)
	}
	if dc.Status == "pending" {
		c.checks.WithLabelValues("pending").Inc()
	}
	return c.o.Ledger.SaveDigestCheck(ctx, dc, alerts, alertWindow)
}

func (c *Checker) alert(rule, severity, bucket, key, msg, digestKey string) cairn.Alert {
	now := c.o.Now().UTC()
	obj := "s3://" + bucket + "/" + key
	a := cairn.Alert{Kind: cairn.AlertIntegrity, RuleID: "digest." + rule, Title: msg, Severity: severity, Source: "aws.cloudtrail",
		GroupKey: obj, Fields: map[string]string{"object": obj, "digest": digestKey}, FirstSeen: now, LastSeen: now, Count: 1,
		Status: cairn.AlertOpen}
	a.SetID()
	return a
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
