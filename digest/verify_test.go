package digest_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-sec/cairn/digest"
	"github.com/cairn-sec/cairn/digest/digesttest"
)

const (
	bucket  = "trail-bucket"
	account = "111122223333"
	region  = "us-east-1"
)

var (
	keyOnce  sync.Once
	keyA     digesttest.Key
	keyB     digesttest.Key
	hour0    = time.Date(2024, 3, 1, 0, 1, 31, 0, time.UTC) // end of the hour before the first digest
	later    = hour0.Add(30 * 24 * time.Hour)
	fixedNow = func() time.Time { return later }
)

func keys(t *testing.T) (digesttest.Key, digesttest.Key) {
	keyOnce.Do(func() { keyA, keyB = digesttest.NewKey(t), digesttest.NewKey(t) })
	return keyA, keyB
}

// fixture is one trail with five hourly digests, each listing the two log
// files delivered in its hour.
type fixture struct {
	store   *digesttest.Store
	trail   *digesttest.Trail
	digests []string   // digests[i] ends at hour0+(i+1)h
	logs    [][]string // logs[i]: listed by digests[i]
}

// build writes hours digests; before, when not nil, runs before digest i
// is written and may change how it is written.
func build(t *testing.T, hours int, before func(f *fixture, i int) func(*digest.Digest)) *fixture {
	t.Helper()
	a, _ := keys(t)
	f := &fixture{store: digesttest.NewStore()}
	f.trail = &digesttest.Trail{Bucket: bucket, Account: account, Region: region, Name: "main", Key: a, Put: f.store.Putter(bucket)}
	for i := range hours {
		end := hour0.Add(time.Duration(i+1) * time.Hour)
		logs := []string{f.trail.LogFile(end.Add(-50 * time.Minute)), f.trail.LogFile(end.Add(-20 * time.Minute))}
		var mutate func(*digest.Digest)
		if before != nil {
			mutate = before(f, i)
		}
		f.logs = append(f.logs, logs)
		f.digests = append(f.digests, f.trail.Digest(end, mutate, logs...))
	}
	return f
}

func run(t *testing.T, f *fixture, mod func(*digest.Options)) *digest.Report {
	t.Helper()
	a, _ := keys(t)
	o := digest.Options{Bucket: bucket, Store: f.store, Keys: digest.Keys{a.Public()}, Now: fixedNow}
	if mod != nil {
		mod(&o)
	}
	r, err := digest.Verify(context.Background(), o)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return r
}

// summary renders a report's problems as "kind severity key" lines with
// keys shortened to their file name.
func summary(r *digest.Report) string {
	var lines []string
	for _, g := range r.Groups {
		for _, p := range g.Problems {
			lines = append(lines, fmt.Sprintf("%s/%s %s %s %s", g.Account, g.Region, p.Kind, p.Severity, base(p.Key)))
		}
	}
	return strings.Join(lines, "\n")
}

func base(key string) string { return key[strings.LastIndex(key, "/")+1:] }

func want(t *testing.T, r *digest.Report, ok bool, lines ...string) {
	t.Helper()
	slices.Sort(lines)
	got := strings.Split(summary(r), "\n")
	slices.Sort(got)
	if summary(r) == "" {
		got = nil
	}
	if !slices.Equal(got, lines) || r.OK != ok {
		t.Fatalf("report OK=%v, problems:\n%s\nwant OK=%v, problems:\n%s", r.OK, summary(r), ok, strings.Join(lines, "\n"))
	}
}

func line(kind digest.ProblemKind, sev digest.Severity, key string) string {
	return fmt.Sprintf("%s/%s %s %s %s", account, region, kind, sev, base(key))
}

func TestVerifyCleanChain(t *testing.T) {
	f := build(t, 5, nil)
	r := run(t, f, nil)
	want(t, r, true)
	g := r.Groups[0]
	if g.Digests != 5 || g.ValidDigests != 5 || g.LogFiles != 10 || g.ValidLogFiles != 10 || g.Unlisted != 0 || g.Gaps != 0 {
		t.Fatalf("counts: %+v", g)
	}
	if !g.First.Equal(hour0) || !g.Last.Equal(hour0.Add(5*time.Hour)) || !slices.Equal(g.Trails, []string{"main"}) {
		t.Fatalf("span %v–%v trails %v", g.First, g.Last, g.Trails)
	}
}

func TestVerifyModifiedLog(t *testing.T) {
	f := build(t, 5, nil)
	victim := f.logs[2][1]
	o, _ := f.store.Get(bucket, victim)
	f.store.Put(bucket, victim, digesttest.Gzip([]byte(`{"Records":[]}`)), o.Meta)
	want(t, run(t, f, nil), false, line(digest.ModifiedLog, digest.SeverityError, victim))
}

func TestVerifyTrailingGzipData(t *testing.T) {
	f := build(t, 2, nil)
	victim := f.logs[0][0]
	o, _ := f.store.Get(bucket, victim)
	f.store.Put(bucket, victim, append(o.Body, digesttest.Gzip([]byte(`{"Records":[{"eventName":"Forged"}]}`))...), nil)
	r := run(t, f, nil)
	want(t, r, false, line(digest.ModifiedLog, digest.SeverityError, victim))
	if d := r.Groups[0].Problems[0].Detail; !strings.Contains(d, "after the end of the gzip stream") {
		t.Fatalf("detail %q", d)
	}
}

func TestVerifyDeletedLog(t *testing.T) {
	f := build(t, 5, nil)
	f.store.Delete(bucket, f.logs[0][0])
	want(t, run(t, f, nil), false, line(digest.MissingLog, digest.SeverityError, f.logs[0][0]))
}

func TestVerifyUnlistedLog(t *testing.T) {
	var extra string
	f := build(t, 5, func(f *fixture, i int) func(*digest.Digest) {
		if i == 2 {
			extra = f.trail.LogFile(hour0.Add(2*time.Hour + 30*time.Minute))
		}
		return nil
	})
	r := run(t, f, nil)
	want(t, r, false, line(digest.UnlistedLog, digest.SeverityError, extra))
	if r.Groups[0].Unlisted != 1 {
		t.Fatalf("unlisted %d", r.Groups[0].Unlisted)
	}
}

func TestVerifyBrokenSignature(t *testing.T) {
	f := build(t, 5, nil)
	victim := f.digests[1]
	o, _ := f.store.Get(bucket, victim)
	sig := []byte(o.Meta["signature"])
	if sig[10] == '0' { // another hex digit: still hex, no longer the signature
		sig[10] = '1'
	} else {
		sig[10] = '0'
	}
	f.store.Put(bucket, victim, o.Body, map[string]string{"signature": string(sig), "signature-algorithm": "SHA256withRSA"})
	// The next digest's previousDigestSignature names the real signature.
	want(t, run(t, f, nil), false,
		line(digest.InvalidDigest, digest.SeverityError, victim),
		line(digest.BrokenChain, digest.SeverityError, f.digests[2]))
}

func TestVerifyModifiedDigest(t *testing.T) {
	f := build(t, 3, nil)
	victim := f.digests[1]
	o, _ := f.store.Get(bucket, victim)
	raw := gunzip(t, o.Body)
	forged := strings.Replace(string(raw), `"logFiles":[{`, `"logFiles":[{"newestEventTime":null,`, 1)
	f.store.Put(bucket, victim, digesttest.Gzip([]byte(forged)), o.Meta)
	r := run(t, f, nil)
	want(t, r, false,
		line(digest.InvalidDigest, digest.SeverityError, victim),
		line(digest.BrokenChain, digest.SeverityError, f.digests[2]))
	if g := r.Groups[0]; g.LogFiles != 4 || g.Unlisted != 0 {
		t.Fatalf("log files of the invalid digest must be neither checked nor unlisted: %+v", g)
	}
}

func TestVerifyWrongKey(t *testing.T) {
	a, b := keys(t)
	f := build(t, 3, nil)
	// A key source without the signing key's fingerprint.
	r := run(t, f, func(o *digest.Options) { o.Keys = digest.Keys{b.Public()} })
	want(t, r, false, line(digest.InvalidDigest, digest.SeverityError, f.digests[0]),
		line(digest.InvalidDigest, digest.SeverityError, f.digests[1]),
		line(digest.InvalidDigest, digest.SeverityError, f.digests[2]))
	if d := r.Groups[0].Problems[0].Detail; !strings.Contains(d, "no public key with fingerprint "+a.Fingerprint) {
		t.Fatalf("detail %q", d)
	}
	// The right fingerprint, the wrong key.
	impostor := b.Public()
	impostor.Fingerprint = a.Fingerprint
	r = run(t, f, func(o *digest.Options) { o.Keys = digest.Keys{impostor} })
	if r.OK || r.Groups[0].ValidDigests != 0 || !strings.Contains(r.Groups[0].Problems[0].Detail, "signature does not verify") {
		t.Fatalf("impostor key: %s", summary(r))
	}
	// Signed by another key that the source knows as well: valid.
	f2 := build(t, 2, func(f *fixture, i int) func(*digest.Digest) {
		if i == 1 {
			f.trail.Key = b
		}
		return nil
	})
	want(t, run(t, f2, func(o *digest.Options) { o.Keys = digest.Keys{a.Public(), b.Public()} }), true)
}

func TestVerifyRemovedDigest(t *testing.T) {
	f := build(t, 5, nil)
	f.store.Delete(bucket, f.digests[2])
	r := run(t, f, nil)
	// The chain link dangles and the log files only it listed are unlisted.
	want(t, r, false, line(digest.MissingDigest, digest.SeverityError, f.digests[2]),
		line(digest.UnlistedLog, digest.SeverityError, f.logs[2][0]),
		line(digest.UnlistedLog, digest.SeverityError, f.logs[2][1]))
	if g := r.Groups[0]; g.Gaps != 1 || g.Digests != 4 {
		t.Fatalf("gaps %d digests %d", g.Gaps, g.Digests)
	}
	// The newest digest removed: its log files are unlisted.
	f = build(t, 3, nil)
	f.store.Delete(bucket, f.digests[2])
	want(t, run(t, f, nil), false, line(digest.UnlistedLog, digest.SeverityError, f.logs[2][0]),
		line(digest.UnlistedLog, digest.SeverityError, f.logs[2][1]))
}

func TestVerifyAlteredPreviousSignature(t *testing.T) {
	f := build(t, 4, func(f *fixture, i int) func(*digest.Digest) {
		if i != 2 {
			return nil
		}
		return func(d *digest.Digest) {
			s := strings.Repeat("ab", 256)
			d.PreviousDigestSignature = &s
		}
	})
	// Correctly signed, but it does not chain to the digest before it.
	want(t, run(t, f, nil), false, line(digest.BrokenChain, digest.SeverityError, f.digests[2]))

	f = build(t, 3, func(f *fixture, i int) func(*digest.Digest) {
		if i != 1 {
			return nil
		}
		return func(d *digest.Digest) {
			h := strings.Repeat("0", 64)
			d.PreviousDigestHashValue = &h
		}
	})
	r := run(t, f, nil)
	want(t, r, false, line(digest.BrokenChain, digest.SeverityError, f.digests[1]))
	if !strings.Contains(r.Groups[0].Problems[0].Detail, "previousDigestHashValue") {
		t.Fatalf("detail %q", r.Groups[0].Problems[0].Detail)
	}
}

func TestVerifyChainRestart(t *testing.T) {
	f := build(t, 5, func(f *fixture, i int) func(*digest.Digest) {
		if i == 3 {
			f.trail.Break()
		}
		return nil
	})
	r := run(t, f, nil)
	want(t, r, true, line(digest.ChainGap, digest.SeverityWarning, f.digests[3]))
	if r.Groups[0].Gaps != 1 {
		t.Fatalf("gaps %d", r.Groups[0].Gaps)
	}
}

func TestVerifyMovedAndUnsignedDigest(t *testing.T) {
	f := build(t, 3, nil)
	o, _ := f.store.Get(bucket, f.digests[2])
	moved := f.trail.DigestKey(hour0.Add(4 * time.Hour))
	f.store.Delete(bucket, f.digests[2])
	f.store.Put(bucket, moved, o.Body, o.Meta)
	o1, _ := f.store.Get(bucket, f.digests[1])
	f.store.Put(bucket, f.digests[1], o1.Body, nil)
	r := run(t, f, nil)
	want(t, r, false, line(digest.InvalidDigest, digest.SeverityError, f.digests[1]),
		line(digest.InvalidDigest, digest.SeverityError, moved),
		line(digest.BrokenChain, digest.SeverityError, moved))
	details := map[string]string{}
	for _, p := range r.Groups[0].Problems {
		details[base(p.Key)+" "+string(p.Kind)] = p.Detail
	}
	if d := details[base(f.digests[1])+" invalid-digest"]; d != "no x-amz-meta-signature metadata" {
		t.Fatalf("unsigned: %q", d)
	}
	if d := details[base(moved)+" invalid-digest"]; !strings.Contains(d, "moved from its original location") {
		t.Fatalf("moved: %q", d)
	}
}

func TestVerifyRange(t *testing.T) {
	f := build(t, 6, nil)
	f.store.Delete(bucket, f.digests[0]) // before the range: not reported
	// An unlisted log file before the range is not reported either.
	early := f.trail.LogFile(hour0.Add(10 * time.Minute))
	from, to := hour0.Add(2*time.Hour), hour0.Add(4*time.Hour)
	r := run(t, f, func(o *digest.Options) { o.From, o.To = from, to })
	want(t, r, true)
	g := r.Groups[0]
	// Digests ending in [from, to+2h]: hours 2 to 6.
	if g.Digests != 5 || g.LogFiles != 10 {
		t.Fatalf("in range: %+v", g)
	}
	// Without the range, both show.
	want(t, run(t, f, nil), false, line(digest.MissingDigest, digest.SeverityError, f.digests[0]),
		line(digest.UnlistedLog, digest.SeverityError, f.logs[0][0]),
		line(digest.UnlistedLog, digest.SeverityError, f.logs[0][1]),
		line(digest.UnlistedLog, digest.SeverityError, early))
}

func TestVerifyPendingLogs(t *testing.T) {
	f := build(t, 2, nil)
	last := hour0.Add(2 * time.Hour)
	fresh := f.trail.LogFile(last.Add(10 * time.Minute))
	r := run(t, f, func(o *digest.Options) { o.Now = func() time.Time { return last.Add(30 * time.Minute) } })
	want(t, r, true)
	if r.Groups[0].Pending != 1 {
		t.Fatalf("pending %d", r.Groups[0].Pending)
	}
	// Hours later with still no digest: unlisted.
	want(t, run(t, f, nil), false, line(digest.UnlistedLog, digest.SeverityError, fresh))
}

func TestVerifyGroupsAccountsRegionsOrgTrails(t *testing.T) {
	a, _ := keys(t)
	store := digesttest.NewStore()
	mk := func(org, acct, reg, prefix string) *digesttest.Trail {
		return &digesttest.Trail{Bucket: bucket, Prefix: prefix, Org: org, Account: acct, Region: reg, Name: "org_trail",
			Key: a, Put: store.Putter(bucket)}
	}
	trails := []*digesttest.Trail{mk("o-abcdefghij", "111111111111", "us-east-1", "logs/"),
		mk("o-abcdefghij", "222222222222", "eu-west-1", "logs/"), mk("", "333333333333", "us-east-1", "logs/")}
	for _, tr := range trails {
		for i := range 3 {
			end := hour0.Add(time.Duration(i+1) * time.Hour)
			tr.Digest(end, nil, tr.LogFile(end.Add(-30*time.Minute)))
		}
	}
	// A region with log files and no digests at all.
	bare := mk("", "333333333333", "ap-south-1", "logs/")
	bareLog := bare.LogFile(hour0)
	// Outside the prefix: ignored.
	mk("", "444444444444", "us-east-1", "").LogFile(hour0)
	var seen []string
	keySrc := keySourceFunc(func(region string) []digest.PublicKey {
		seen = append(seen, region)
		return []digest.PublicKey{a.Public()}
	})
	r := run(t, &fixture{store: store}, func(o *digest.Options) { o.Prefix, o.Keys = "logs/", keySrc })
	var got []string
	for _, g := range r.Groups {
		got = append(got, fmt.Sprintf("%s|%s|%s|%s|%v|%d/%d|%d/%d", g.Base, g.Org, g.Account, g.Region, g.Trails,
			g.ValidDigests, g.Digests, g.ValidLogFiles, g.LogFiles))
	}
	wantGroups := []string{
		"logs/||333333333333|ap-south-1|[]|0/0|0/0",
		"logs/||333333333333|us-east-1|[org_trail]|3/3|3/3",
		"logs/|o-abcdefghij|111111111111|us-east-1|[org_trail]|3/3|3/3",
		"logs/|o-abcdefghij|222222222222|eu-west-1|[org_trail]|3/3|3/3",
	}
	if !slices.Equal(got, wantGroups) {
		t.Fatalf("groups:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantGroups, "\n"))
	}
	if r.OK || len(r.Groups[0].Problems) != 1 || r.Groups[0].Problems[0].Key != bareLog ||
		!strings.Contains(r.Groups[0].Problems[0].Detail, "no digest files") {
		t.Fatalf("bare region: %+v", r.Groups[0])
	}
	slices.Sort(seen)
	if !slices.Equal(seen, []string{"eu-west-1", "us-east-1"}) {
		t.Fatalf("keys asked for regions %v, want each digest region once", seen)
	}
}

type keySourceFunc func(region string) []digest.PublicKey

func (f keySourceFunc) PublicKeys(_ context.Context, region string, _, _ time.Time) ([]digest.PublicKey, error) {
	return f(region), nil
}

// A log file delivered in the minute --from falls in may be listed by a
// digest that ends seconds before --from: that digest is read too.
func TestVerifyRangeMinuteEdge(t *testing.T) {
	a, _ := keys(t)
	store := digesttest.NewStore()
	tr := &digesttest.Trail{Bucket: bucket, Account: account, Region: region, Name: "main", Key: a, Put: store.Putter(bucket)}
	end := time.Date(2024, 3, 1, 14, 1, 31, 0, time.UTC)
	l := tr.LogFile(time.Date(2024, 3, 1, 14, 1, 10, 0, time.UTC))
	tr.Digest(end, nil, l)
	tr.Digest(end.Add(time.Hour), nil)
	r := run(t, &fixture{store: store}, func(o *digest.Options) { o.From = end.Add(14 * time.Second) })
	want(t, r, true)
	if g := r.Groups[0]; g.Digests != 2 || g.ValidLogFiles != 1 {
		t.Fatalf("counts %+v", g)
	}
}

func TestVerifyCanceled(t *testing.T) {
	f := build(t, 2, nil)
	a, _ := keys(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := digest.Verify(ctx, digest.Options{Bucket: bucket, Store: f.store, Keys: digest.Keys{a.Public()}}); err == nil {
		t.Fatal("a canceled verification returned a report")
	}
}
