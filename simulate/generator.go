package simulate

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"
)

// Options configures a Generator. The zero value is usable.
type Options struct {
	// Seed makes the output deterministic: two generators with the same
	// Options produce byte-identical files, keys and eventIDs. Runs that
	// write into the same store must use different seeds, or the collector
	// will see the same eventIDs twice.
	Seed int64
	// Accounts are the twelve-digit account IDs logs are generated for.
	// Default: three random accounts derived from Seed.
	Accounts []string
	// Regions the logs come from. Default: us-east-1, us-west-2,
	// eu-west-1, ap-southeast-2. Global services (IAM, Organizations) only
	// appear in us-east-1 files, as with a real multi-region trail.
	Regions []string
	// OrgID, when set (e.g. "o-a1b2c3d4e5"), switches keys to the
	// organization-trail layout AWSLogs/<o-id>/<acct>/CloudTrail/...
	OrgID string
	// Prefix is an optional key prefix placed before AWSLogs/.
	Prefix string
	// EventsPerFile is the number of records in each NextFile file.
	// Default 100.
	EventsPerFile int
	// Start is the time of the first file. Default time.Now().UTC().
	// Each file advances the clock by about Interval.
	Start time.Time
	// Interval is the delivery cadence and the width of the time window
	// a file's events fall in. Default 5m, as CloudTrail delivers.
	Interval time.Duration
	// Bucket is the bucket name written inside digest files
	// (digestS3Bucket, logFiles[].s3Bucket). Default "cairn-sim-cloudtrail".
	Bucket string
	// Formats NextFile writes, in turn (see Formats in formats.go).
	// Default: only FormatCloudTrail.
	Formats []Format
}

// defaultRegions are the regions used when Options.Regions is empty.
var defaultRegions = []string{"us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"}

// Generator produces CloudTrail records and log files. It is not safe for
// concurrent use; give each goroutine its own Generator (and Seed).
type Generator struct {
	opts     Options
	r        *rand.Rand
	accounts []string
	regions  []string
	window   time.Duration
	clock    time.Time
	seq      int
	accts    map[string]*acctState
	external []string // accounts outside the organization
	others   []string // source IPs of occasional callers
	attack   []string // source IPs of failed sign-ins and denied calls
	rc       rc
	raw      []byte
	zw       *gzip.Writer
	logs     map[string]logInfo // recent log files, for digests
	logOrder []string
	digests  map[string]prevDigest
	fseq     int   // files written, for the format rotation
	cwlID    int64 // CloudWatch Logs event ids
}

// logInfo is what a digest needs to know about a log file.
type logInfo struct {
	hash           string
	oldest, newest time.Time
}

const rememberedLogs = 4096

// NewGenerator returns a Generator for opts, filling in defaults.
func NewGenerator(opts Options) *Generator {
	seed := uint64(opts.Seed)
	g := &Generator{
		r:       rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		accts:   map[string]*acctState{},
		logs:    map[string]logInfo{},
		digests: map[string]prevDigest{},
	}
	if len(opts.Accounts) == 0 {
		for i := 0; i < 3; i++ {
			opts.Accounts = append(opts.Accounts, strconv.Itoa(1+g.r.IntN(9))+g.rs("0123456789", 11))
		}
	}
	if len(opts.Regions) == 0 {
		opts.Regions = defaultRegions
	}
	if opts.EventsPerFile <= 0 {
		opts.EventsPerFile = 100
	}
	if opts.Interval <= 0 {
		opts.Interval = 5 * time.Minute
	}
	if opts.Start.IsZero() {
		opts.Start = time.Now()
	}
	opts.Start = opts.Start.UTC()
	if opts.Bucket == "" {
		opts.Bucket = "cairn-sim-cloudtrail"
	}
	opts.Prefix = strings.Trim(opts.Prefix, "/")
	opts.Accounts = append([]string(nil), opts.Accounts...)
	opts.Regions = append([]string(nil), opts.Regions...)
	g.opts = opts
	g.accounts, g.regions = opts.Accounts, opts.Regions
	g.window, g.clock = opts.Interval, opts.Start
	for i := 0; i < 4; i++ {
		g.external = append(g.external, strconv.Itoa(1+g.r.IntN(9))+g.rs("0123456789", 11))
	}
	for i := 0; i < 24; i++ {
		if i%5 == 4 {
			g.others = append(g.others, g.publicIPv6())
		} else {
			g.others = append(g.others, g.publicIPv4())
		}
	}
	for i := 0; i < 8; i++ {
		g.attack = append(g.attack, g.publicIPv4())
	}
	for _, a := range g.accounts {
		g.acct(a)
	}
	g.rc.g = g
	return g
}

// File describes one generated object.
type File struct {
	// Key is the full S3 key, in CloudTrail's layout:
	// [prefix/]AWSLogs/[<o-id>/]<acct>/CloudTrail/<region>/YYYY/MM/DD/
	// <acct>_CloudTrail_<region>_YYYYMMDDTHHmmZ_<16 random alnum>.json.gz
	Key     string
	Account string
	Region  string
	// Events is the number of records in the file.
	Events int
	// EventIDs are the eventIDs written, in file order.
	EventIDs []string
	// Body is the gzip-compressed object.
	Body []byte
	// RawBytes is the uncompressed size of Body.
	RawBytes int64
	// Time is the delivery time in the key; events fall in the Interval
	// before it.
	Time time.Time
	// Format is what the file holds; EventIDs are only known for
	// CloudTrail (the other formats' IDs are derived by their decoders).
	Format Format
}

// Record returns one CloudTrail record as JSON (no trailing newline) for
// account, region and time t. Every call yields a new eventID (a version 4
// UUID drawn from the seeded RNG).
func (g *Generator) Record(account, region string, t time.Time) []byte {
	b, _ := g.appendRecord(nil, account, region, t)
	return b
}

// NextFile generates the next log file. Accounts and regions are visited
// round-robin; the file holds EventsPerFile records whose times fall in
// the Interval before File.Time, in no particular order, as CloudTrail
// writes them. The clock then advances by about Interval.
func (g *Generator) NextFile() (File, error) {
	if f := g.nextFormat(); f != FormatCloudTrail {
		return g.nextOther(f)
	}
	acct, region, t := g.nextSlot()

	n := g.opts.EventsPerFile
	raw := append(g.raw[:0], `{"Records":[`...)
	ids := make([]string, 0, n)
	oldest, newest := t, t.Add(-g.window)
	for i := 0; i < n; i++ {
		if i > 0 {
			raw = append(raw, ',')
		}
		et := g.eventTime(t)
		oldest, newest = minTime(oldest, et), maxTime(newest, et)
		var at int
		raw, at = g.appendRecord(raw, acct, region, et)
		ids = append(ids, string(raw[at:at+36]))
	}
	raw = append(raw, "]}"...)
	g.raw = raw
	body, err := g.compress(raw)
	if err != nil {
		return File{}, err
	}
	key := g.objectKey(acct, region, "CloudTrail", t, "_"+g.rs(alnumChars, 16))
	g.remember(key, raw, oldest.Truncate(time.Second), newest.Truncate(time.Second))
	return File{Key: key, Account: acct, Region: region, Events: n, EventIDs: ids,
		Body: body, RawBytes: int64(len(raw)), Time: t, Format: FormatCloudTrail}, nil
}

// WriteLog streams an uncompressed log file {"Records":[...]} with n
// records for account and region to w, one Write per record, so even a
// 1 GB object costs no memory. Event times fall in the Interval before t.
// It returns the number of bytes written.
func (g *Generator) WriteLog(w io.Writer, account, region string, t time.Time, n int) (int64, error) {
	var total int64
	write := func(b []byte) error {
		k, err := w.Write(b)
		total += int64(k)
		if err == nil && k < len(b) {
			err = io.ErrShortWrite
		}
		return err
	}
	if err := write([]byte(`{"Records":[`)); err != nil {
		return total, err
	}
	buf := make([]byte, 0, 4096)
	for i := 0; i < n; i++ {
		buf = buf[:0]
		if i > 0 {
			buf = append(buf, ',')
		}
		buf, _ = g.appendRecord(buf, account, region, g.eventTime(t))
		if err := write(buf); err != nil {
			return total, err
		}
	}
	return total, write([]byte("]}"))
}

// nextSlot picks the next file's account, region and delivery time, and
// moves the clock on.
func (g *Generator) nextSlot() (acct, region string, t time.Time) {
	acct = g.accounts[g.seq%len(g.accounts)]
	region = g.regions[(g.seq/len(g.accounts))%len(g.regions)]
	g.seq++
	t = g.clock
	g.advance()
	return acct, region, t
}

// eventTime returns a random time in the window ending at t.
func (g *Generator) eventTime(t time.Time) time.Time {
	return t.Add(-time.Duration(g.r.Int64N(int64(g.window))))
}

// advance moves the clock on by Interval with ±5% jitter.
func (g *Generator) advance() {
	d := g.opts.Interval
	if j := int64(d / 20); j > 0 {
		d += time.Duration(g.r.Int64N(2*j+1) - j)
	}
	g.clock = g.clock.Add(d)
}

// objectKey builds a key in CloudTrail's layout; kind is "CloudTrail",
// "CloudTrail-Insight" or "CloudTrail-Digest" and tail ends the file name
// before ".json.gz" (the file time has minute precision unless tail says
// otherwise).
func (g *Generator) objectKey(acct, region, kind string, t time.Time, tail string) string {
	t = t.UTC()
	b := make([]byte, 0, 160)
	if g.opts.Prefix != "" {
		b = append(b, g.opts.Prefix...)
		b = append(b, '/')
	}
	b = append(b, "AWSLogs/"...)
	if g.opts.OrgID != "" {
		b = append(b, g.opts.OrgID...)
		b = append(b, '/')
	}
	b = append(b, acct...)
	b = append(b, '/')
	b = append(b, kind...)
	b = append(b, '/')
	b = append(b, region...)
	b = t.AppendFormat(append(b, '/'), "2006/01/02/")
	b = append(b, acct...)
	b = append(b, '_')
	b = append(b, kind...)
	b = append(b, '_')
	b = append(b, region...)
	b = append(b, '_')
	if kind != "CloudTrail-Digest" {
		b = t.AppendFormat(b, "20060102T1504Z")
	}
	b = append(b, tail...)
	b = append(b, ".json.gz"...)
	return string(b)
}

// compress gzips raw into a new slice owned by the caller.
func (g *Generator) compress(raw []byte) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(raw)/6 + 64)
	if g.zw == nil {
		zw, err := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		g.zw = zw
	} else {
		g.zw.Reset(&buf)
	}
	if _, err := g.zw.Write(raw); err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	if err := g.zw.Close(); err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	return buf.Bytes(), nil
}

// remember records a log file's hash and event time range for DigestFile,
// keeping only the most recent files.
func (g *Generator) remember(key string, raw []byte, oldest, newest time.Time) {
	sum := sha256.Sum256(raw)
	if len(g.logOrder) >= rememberedLogs {
		delete(g.logs, g.logOrder[0])
		g.logOrder = g.logOrder[1:]
	}
	g.logs[key] = logInfo{hash: hex.EncodeToString(sum[:]), oldest: oldest, newest: newest}
	g.logOrder = append(g.logOrder, key)
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
