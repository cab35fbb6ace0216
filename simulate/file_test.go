package simulate

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"testing"
	"time"
)

var (
	logKeyRE     = regexp.MustCompile(`^(?:([\w./-]+)/)?AWSLogs/(?:(o-[a-z0-9]{10,32})/)?(\d{12})/CloudTrail/([a-z]{2}-[a-z]+-\d)/(\d{4})/(\d{2})/(\d{2})/(\d{12})_CloudTrail_([a-z]{2}-[a-z]+-\d)_(\d{8}T\d{4}Z)_[A-Za-z0-9]{16}\.json\.gz$`)
	insightKeyRE = regexp.MustCompile(`^(?:[\w./-]+/)?AWSLogs/(?:o-[a-z0-9]{10,32}/)?(\d{12})/CloudTrail-Insight/([a-z]{2}-[a-z]+-\d)/\d{4}/\d{2}/\d{2}/(\d{12})_CloudTrail-Insight_([a-z]{2}-[a-z]+-\d)_\d{8}T\d{4}Z_[A-Za-z0-9]{16}\.json\.gz$`)
	digestKeyRE  = regexp.MustCompile(`^(?:[\w./-]+/)?AWSLogs/(?:o-[a-z0-9]{10,32}/)?(\d{12})/CloudTrail-Digest/([a-z]{2}-[a-z]+-\d)/\d{4}/\d{2}/\d{2}/(\d{12})_CloudTrail-Digest_([a-z]{2}-[a-z]+-\d)_[\w.-]+_[a-z]{2}-[a-z]+-\d_\d{8}T\d{6}Z\.json\.gz$`)
)

type logFile struct {
	Records []map[string]any
}

func gunzip(t testing.TB, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestNextFile(t *testing.T) {
	g := NewGenerator(Options{Seed: 7, Start: t0, EventsPerFile: 50})
	pairs := map[string]bool{}
	prev := time.Time{}
	for i := 0; i < 24; i++ {
		f, err := g.NextFile()
		if err != nil {
			t.Fatal(err)
		}
		m := logKeyRE.FindStringSubmatch(f.Key)
		if m == nil {
			t.Fatalf("key %q does not match the CloudTrail layout", f.Key)
		}
		if m[1] != "" || m[2] != "" || m[3] != f.Account || m[8] != f.Account || m[4] != f.Region || m[9] != f.Region {
			t.Errorf("key %q disagrees with account %s region %s", f.Key, f.Account, f.Region)
		}
		if m[5]+m[6]+m[7] != f.Time.Format("20060102") || m[10] != f.Time.Format("20060102T1504Z") {
			t.Errorf("key %q disagrees with time %v", f.Key, f.Time)
		}
		if i == 0 && !f.Time.Equal(t0) {
			t.Errorf("first file at %v, want %v", f.Time, t0)
		}
		if i > 0 {
			if d := f.Time.Sub(prev); d < 4*time.Minute || d > 6*time.Minute {
				t.Errorf("clock advanced by %v, want about 5m", d)
			}
		}
		prev = f.Time
		pairs[f.Account+f.Region] = true

		raw := gunzip(t, f.Body)
		if int64(len(raw)) != f.RawBytes {
			t.Errorf("RawBytes %d, body %d", f.RawBytes, len(raw))
		}
		var lf logFile
		if err := json.Unmarshal(raw, &lf); err != nil {
			t.Fatal(err)
		}
		if len(lf.Records) != 50 || f.Events != 50 || len(f.EventIDs) != 50 {
			t.Fatalf("records %d, Events %d, EventIDs %d; want 50", len(lf.Records), f.Events, len(f.EventIDs))
		}
		for j, r := range lf.Records {
			if r["eventID"] != f.EventIDs[j] {
				t.Fatalf("EventIDs[%d] = %s, record has %v", j, f.EventIDs[j], r["eventID"])
			}
			if r["recipientAccountId"] != f.Account || r["awsRegion"] != f.Region {
				t.Errorf("record for %v/%v in file of %s/%s", r["recipientAccountId"], r["awsRegion"], f.Account, f.Region)
			}
			et, _ := time.Parse(time.RFC3339, r["eventTime"].(string))
			if et.After(f.Time) || !et.After(f.Time.Add(-5*time.Minute-time.Second)) {
				t.Errorf("eventTime %v outside the window before %v", et, f.Time)
			}
		}
	}
	if len(pairs) != 12 {
		t.Errorf("visited %d account/region pairs, want 12", len(pairs))
	}
}

func TestOrgTrailAndPrefixKeys(t *testing.T) {
	g := NewGenerator(Options{Seed: 8, OrgID: "o-a1b2c3d4e5", Prefix: "/central/logs/", Accounts: []string{"123456789012"}, Regions: []string{"eu-west-1"}})
	f, err := g.NextFile()
	if err != nil {
		t.Fatal(err)
	}
	m := logKeyRE.FindStringSubmatch(f.Key)
	if m == nil || m[1] != "central/logs" || m[2] != "o-a1b2c3d4e5" || m[3] != "123456789012" || m[4] != "eu-west-1" {
		t.Fatalf("org-trail key %q (%q)", f.Key, m)
	}
	in, err := g.InsightFile()
	if err != nil {
		t.Fatal(err)
	}
	if !insightKeyRE.MatchString(in.Key) || in.Key[:len("central/logs/AWSLogs/o-a1b2c3d4e5/")] != "central/logs/AWSLogs/o-a1b2c3d4e5/" {
		t.Errorf("insight key %q", in.Key)
	}
	d, err := g.DigestFile([]string{f.Key})
	if err != nil {
		t.Fatal(err)
	}
	if !digestKeyRE.MatchString(d.Key) {
		t.Errorf("digest key %q", d.Key)
	}
}

func TestWriteLog(t *testing.T) {
	g := NewGenerator(Options{Seed: 9})
	var buf bytes.Buffer
	n, err := g.WriteLog(&buf, "123456789012", "us-west-2", t0, 777)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(buf.Len()) {
		t.Errorf("reported %d bytes, wrote %d", n, buf.Len())
	}
	var lf logFile
	if err := json.Unmarshal(buf.Bytes(), &lf); err != nil {
		t.Fatal(err)
	}
	if len(lf.Records) != 777 {
		t.Fatalf("%d records, want 777", len(lf.Records))
	}
	buf.Reset()
	if _, err := g.WriteLog(&buf, "123456789012", "us-west-2", t0, 0); err != nil || buf.String() != `{"Records":[]}` {
		t.Errorf("empty log %q, %v", buf.String(), err)
	}
	boom := errors.New("boom")
	if _, err := g.WriteLog(&failWriter{after: 3, err: boom}, "123456789012", "us-west-2", t0, 10); !errors.Is(err, boom) {
		t.Errorf("write error %v, want %v", err, boom)
	}
}

type failWriter struct {
	after int
	err   error
}

func (w *failWriter) Write(p []byte) (int, error) {
	if w.after--; w.after < 0 {
		return 0, w.err
	}
	return len(p), nil
}

func TestInsightFile(t *testing.T) {
	g := NewGenerator(Options{Seed: 10, Start: t0})
	for i := 0; i < 5; i++ {
		f, err := g.InsightFile()
		if err != nil {
			t.Fatal(err)
		}
		if m := insightKeyRE.FindStringSubmatch(f.Key); m == nil || m[1] != f.Account || m[2] != f.Region {
			t.Fatalf("insight key %q", f.Key)
		}
		var lf logFile
		if err := json.Unmarshal(gunzip(t, f.Body), &lf); err != nil {
			t.Fatal(err)
		}
		if len(lf.Records) != 2 || f.Events != 2 {
			t.Fatalf("%d insight records", len(lf.Records))
		}
		for j, r := range lf.Records {
			d := r["insightDetails"].(map[string]any)
			if r["eventType"] != "AwsCloudTrailInsight" || r["eventCategory"] != "Insight" || d["state"] != []string{"Start", "End"}[j] ||
				r["eventID"] != f.EventIDs[j] || r["sharedEventID"] != lf.Records[0]["sharedEventID"] {
				t.Errorf("insight record %v", r)
			}
			if d["insightType"] != "ApiCallRateInsight" && d["insightType"] != "ApiErrorRateInsight" {
				t.Errorf("insightType %v", d["insightType"])
			}
		}
	}
}

func TestDigestFile(t *testing.T) {
	g := NewGenerator(Options{Seed: 11, Start: t0, Accounts: []string{"111122223333"}, Regions: []string{"us-east-1"}, Bucket: "trail-bucket"})
	var keys []string
	raws := map[string][]byte{}
	for i := 0; i < 3; i++ {
		f, err := g.NextFile()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, f.Key)
		raws[f.Key] = gunzip(t, f.Body)
	}
	first, err := g.DigestFile(keys)
	if err != nil {
		t.Fatal(err)
	}
	if !digestKeyRE.MatchString(first.Key) {
		t.Fatalf("digest key %q", first.Key)
	}
	var d struct {
		AWSAccountID        string  `json:"awsAccountId"`
		DigestS3Bucket      string  `json:"digestS3Bucket"`
		DigestS3Object      string  `json:"digestS3Object"`
		DigestEndTime       string  `json:"digestEndTime"`
		DigestSignatureAlgo string  `json:"digestSignatureAlgorithm"`
		PrevObject          *string `json:"previousDigestS3Object"`
		PrevHash            *string `json:"previousDigestHashValue"`
		NewestEventTime     *string `json:"newestEventTime"`
		LogFiles            []struct {
			S3Bucket, S3Object, HashValue, HashAlgorithm string
		} `json:"logFiles"`
	}
	firstRaw := gunzip(t, first.Body)
	if err := json.Unmarshal(firstRaw, &d); err != nil {
		t.Fatal(err)
	}
	if d.AWSAccountID != "111122223333" || d.DigestS3Bucket != "trail-bucket" || d.DigestS3Object != first.Key ||
		d.DigestSignatureAlgo != "SHA256withRSA" || d.PrevObject != nil || d.NewestEventTime == nil || len(d.LogFiles) != 3 {
		t.Fatalf("starting digest %s", firstRaw)
	}
	for _, lf := range d.LogFiles {
		sum := sha256.Sum256(raws[lf.S3Object])
		if lf.HashValue != hex.EncodeToString(sum[:]) || lf.HashAlgorithm != "SHA-256" || lf.S3Bucket != "trail-bucket" {
			t.Errorf("log file entry %+v", lf)
		}
	}
	g.advance()
	next, err := g.DigestFile(nil)
	if err != nil {
		t.Fatal(err)
	}
	d.PrevObject, d.NewestEventTime = nil, nil
	if err := json.Unmarshal(gunzip(t, next.Body), &d); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(firstRaw)
	if d.PrevObject == nil || *d.PrevObject != first.Key || *d.PrevHash != hex.EncodeToString(sum[:]) || d.NewestEventTime != nil || len(d.LogFiles) != 0 {
		t.Errorf("chained empty digest %s", gunzip(t, next.Body))
	}
}

func BenchmarkNextFile(b *testing.B) {
	g := NewGenerator(Options{Seed: 1})
	var bytes int64
	for b.Loop() {
		f, err := g.NextFile()
		if err != nil {
			b.Fatal(err)
		}
		bytes += f.RawBytes
	}
	b.SetBytes(bytes / int64(b.N))
}

func BenchmarkWriteLog(b *testing.B) {
	g := NewGenerator(Options{Seed: 1})
	for b.Loop() {
		n, err := g.WriteLog(io.Discard, "123456789012", "us-east-1", t0, 1000)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(n)
	}
}
