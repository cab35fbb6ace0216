package cloudtrail

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
)

// benchRecord is a realistic ~1.2 KB record; the eventID's last 12 digits
// are replaced per record.
const benchRecord = `{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROAJ45Q7YFFAREXAMPLE:alice@example.com","arn":"arn:aws:sts::111122223333:assumed-role/AdminAccess/alice@example.com","accountId":"111122223333","accessKeyId":"ASIAIOSFODNN7EXAMPLE","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAJ45Q7YFFAREXAMPLE","arn":"arn:aws:iam::111122223333:role/AdminAccess","accountId":"111122223333","userName":"AdminAccess"},"webIdFederationData":{},"attributes":{"creationDate":"2024-03-01T11:02:17Z","mfaAuthenticated":"true"}}},"eventTime":"2024-03-01T11:05:09Z","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","awsRegion":"us-west-2","sourceIPAddress":"198.51.100.23","userAgent":"aws-cli/2.15.0 md/awscrt#0.19.17 ua/2.0 os/macos#23.3.0 md/arch#arm64 lang/python#3.11.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#ec2.describe-instances","requestParameters":{"instancesSet":{},"filterSet":{"items":[{"name":"instance-state-name","valueSet":{"items":[{"value":"running"}]}}]}},"responseElements":null,"requestID":"1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f","eventID":"9d8c7b6a-5f4e-4d3c-8b2a-000000000000","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"ec2.us-west-2.amazonaws.com"}}`

// genLog is a reader producing {"Records":[r0,r1,...]} on the fly, each
// record a copy of rec with its eventID's last 12 digits set to its index.
type genLog struct {
	pre, post []byte // rec around the 12 digits
	n, i      int
	buf       []byte
	state     int // 0 header, 1 records, 2 trailer, 3 done
}

func newGenLog(rec string, n int) *genLog {
	j := strings.Index(rec, `000000000000"`)
	return &genLog{pre: []byte(rec[:j]), post: []byte(rec[j+12:]), n: n}
}

func (g *genLog) Read(p []byte) (int, error) {
	for len(g.buf) == 0 {
		switch g.state {
		case 0:
			g.buf = append(g.buf[:0], `{"Records":[`...)
			g.state = 1
		case 1:
			if g.i == g.n {
				g.state = 2
				continue
			}
			// A batch of records per refill keeps the generator cheap.
			b := g.buf[:0]
			for k := 0; k < 64 && g.i < g.n; k++ {
				if g.i > 0 {
					b = append(b, ',', '\n')
				}
				b = append(b, g.pre...)
				s := strconv.Itoa(g.i)
				b = append(b, "000000000000"[len(s):]...)
				b = append(b, s...)
				b = append(b, g.post...)
				g.i++
			}
			g.buf = b
		case 2:
			g.buf = append(g.buf[:0], "]}\n"...)
			g.state = 3
		default:
			return 0, io.EOF
		}
	}
	n := copy(p, g.buf)
	g.buf = g.buf[n:]
	return n, nil
}

// counter counts events, samples the heap, and drops everything.
type counter struct {
	t         *testing.T
	events    int64
	rejects   int64
	every     int64
	maxHeap   uint64
	lastID    string
	checkSeen bool
}

func (c *counter) sample() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if ms.HeapInuse > c.maxHeap {
		c.maxHeap = ms.HeapInuse
	}
}

func (c *counter) Emit(ev *cairn.Event) error {
	if c.checkSeen && ev.EventID == c.lastID {
		c.t.Fatalf("event %d repeats eventID %s", c.events, ev.EventID)
	}
	c.lastID = ev.EventID
	c.events++
	if c.every > 0 && c.events%c.every == 0 {
		c.sample()
	}
	return nil
}

func (c *counter) Reject(cairn.IngestError) error {
	c.rejects++
	c.sample()
	return nil
}

const heapLimit = 64 << 20

// TestStreamingMemory decodes a 300 MB log generated on the fly: memory
// stays bounded by one record, not the file.
func TestStreamingMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("300 MB stream")
	}
	n := 300 << 20 / (len(benchRecord) + 2)
	c := &counter{t: t, every: 100_000, checkSeen: true}
	c.sample()
	start := time.Now()
	if err := (Decoder{}).Decode(context.Background(), newGenLog(benchRecord, n), cairn.ObjectRef{}, c); err != nil {
		t.Fatal(err)
	}
	c.sample()
	if c.events != int64(n) || c.rejects != 0 {
		t.Fatalf("events %d rejects %d, want %d events", c.events, c.rejects, n)
	}
	if c.maxHeap > heapLimit {
		t.Fatalf("HeapInuse reached %d MB", c.maxHeap>>20)
	}
	t.Logf("%d records (%d MB) in %v, max HeapInuse %d MB", n, n*(len(benchRecord)+2)>>20, time.Since(start), c.maxHeap>>20)
}

// repeatReader yields prefix, then n copies of fill, then suffix.
func repeatReader(prefix string, fill byte, n int, suffix string) io.Reader {
	chunk := bytes.Repeat([]byte{fill}, 64<<10)
	parts := []io.Reader{strings.NewReader(prefix)}
	for n > 0 {
		k := min(n, len(chunk))
		parts = append(parts, bytes.NewReader(chunk[:k]))
		n -= k
	}
	parts = append(parts, strings.NewReader(suffix))
	return io.MultiReader(parts...)
}

// TestWhitespaceBomb: a gzip bomb of whitespace inside the Records array
// decodes to nothing, quickly and without growing memory.
func TestWhitespaceBomb(t *testing.T) {
	if testing.Short() {
		t.Skip("200 MB stream")
	}
	const size = 200 << 20
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestSpeed)
	if _, err := io.Copy(zw, repeatReader(`{"Records":[`, ' ', size, "]}")); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	zr, err := gzip.NewReader(&gz)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	c := &counter{t: t}
	c.sample()
	base := c.maxHeap
	// Sample while decoding: the counter sees no event, so sample from a
	// reader wrapper instead.
	sampled := &sampleReader{r: zr, c: c}
	start := time.Now()
	if err := (Decoder{}).Decode(context.Background(), sampled, cairn.ObjectRef{}, c); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	if c.events != 0 || c.rejects != 0 {
		t.Fatalf("events %d rejects %d", c.events, c.rejects)
	}
	if c.maxHeap > heapLimit {
		t.Fatalf("HeapInuse reached %d MB (from %d MB)", c.maxHeap>>20, base>>20)
	}
	if took > 20*time.Second {
		t.Fatalf("took %v", took)
	}
	t.Logf("%d MB of whitespace (%d KB gzip) in %v, max HeapInuse %d MB", size>>20, gz.Cap()>>10, took, c.maxHeap>>20)
}

// TestHugeRecord: one 100 MB record is rejected as too large, keeping only
// the bounded head; the next record is still decoded.
func TestHugeRecord(t *testing.T) {
	if testing.Short() {
		t.Skip("100 MB stream")
	}
	c := &counter{t: t}
	in := io.MultiReader(repeatReader(`{"Records":[{"eventName":"`, 'x', 100<<20, `"},`), strings.NewReader(oneRecord+"]}"))
	if err := (Decoder{}).Decode(context.Background(), &sampleReader{r: in, c: c}, cairn.ObjectRef{}, c); err != nil {
		t.Fatal(err)
	}
	if c.events != 1 || c.rejects != 1 {
		t.Fatalf("events %d rejects %d", c.events, c.rejects)
	}
	if c.maxHeap > heapLimit {
		t.Fatalf("HeapInuse reached %d MB", c.maxHeap>>20)
	}
}

// sampleReader samples the heap every 16 MB read.
type sampleReader struct {
	r    io.Reader
	c    *counter
	read int
}

func (s *sampleReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if s.read/(16<<20) != (s.read+n)/(16<<20) {
		s.c.sample()
	}
	s.read += n
	return n, err
}

// BenchmarkDecode decodes a ~10 MB log of realistic ~1.2 KB records.
func BenchmarkDecode(b *testing.B) {
	n := 10 << 20 / (len(benchRecord) + 2)
	data, err := io.ReadAll(newGenLog(benchRecord, n))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		c := &counter{}
		if err := (Decoder{}).Decode(context.Background(), bytes.NewReader(data), cairn.ObjectRef{}, c); err != nil {
			b.Fatal(err)
		}
		if c.events != int64(n) {
			b.Fatalf("%d events", c.events)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/time.Since(start).Seconds(), "events/s")
}

// BenchmarkNormalize normalizes one record.
func BenchmarkNormalize(b *testing.B) {
	raw := []byte(benchRecord)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		var ev cairn.Event
		if err := Normalize(raw, &ev); err != nil {
			b.Fatal(err)
		}
	}
}
