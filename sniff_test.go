package cairn

import (
	"bytes"
	"compress/gzip"
	"testing"
)

func gzipped(b string) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(b))
	zw.Close()
	return buf.Bytes()
}

func TestSniffKind(t *testing.T) {
	for _, tc := range []struct {
		name, head string
		want       ObjectKind
		ok         bool
	}{
		{"empty", "", KindCloudTrail, true},
		{"cloudtrail", `{"Records":[{"eventVersion":"1.08"}]}`, KindCloudTrail, true},
		{"resolver", `{"version":"1.1","query_name":"example.com."}` + "\n", KindRoute53Resolver, true},
		{"flow", "version account-id interface-id srcaddr dstaddr\n2 1 eni-1 1.2.3.4 5.6.7.8\n", KindVPCFlow, true},
		{"cwlogs", `{"messageType":"DATA_MESSAGE","owner":"1","logGroup":"g","logStream":"s","logEvents":[]}`, KindCWLogs, true},
		{"cwlogs owner first", `{"owner":"1","logGroup":"g","logStream":"s","messageType":"DATA_MESSAGE"}`, KindCWLogs, true},
		{"awslogs envelope", `{"awslogs":{"data":"H4sI"}}`, KindCWLogs, true},
		{"base64 gzip", "H4sIAAAAAAAAA", KindCWLogs, true},
		{"gzip again", string(gzipped(`{"messageType":"DATA_MESSAGE"}`)), KindCWLogs, true},
		{"fluent bit", `{"date":"2026-11-20T10:00:00Z","log":"hello","kubernetes":{"pod_name":"p"}}` + "\n", KindApplication, true},
		{"json log", `{"level":"info","msg":"started","ts":1700000000.5}` + "\n", KindApplication, true},
		{"json long first line", `{"level":"info","msg":"` + string(bytes.Repeat([]byte("x"), 70000)), KindApplication, true},
		{"other json", `{"hello":"world"}`, KindCloudTrail, true},
		{"s3 access", "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be awsexamplebucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 79a59df9 3E57427F3EXAMPLE REST.GET.VERSIONING - \"GET /awsexamplebucket1?versioning HTTP/1.1\" 200 - 113 - 7 - \"-\" \"S3Console/0.4\" -\n", KindS3Access, true},
		{"alb", `http 2018-07-02T22:22:48.364000Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2018-07-02T22:22:48.364000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-"` + "\n", KindALB, true},
		{"text", "2026-11-20 10:00:00 INFO started\n", "", false},
		{"binary", "PAR1\x00\x01", "", false},
	} {
		got, ok := SniffKind([]byte(tc.head))
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: SniffKind = %q, %v; want %q, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

func TestKindOfKey(t *testing.T) {
	for key, want := range map[string]ObjectKind{
		"AWSLogs/123456789012/elasticloadbalancing/us-east-2/2026/11/20/123456789012_elasticloadbalancing_us-east-2_app.my-lb.50dc6c495c0c9188_20261120T1000Z_192.0.2.1_abc.log.gz": KindALB,
		"fluent-bit-logs/kube.var.log.containers.web/2026/11/20/10/00/00": KindApplication,
		"logs/fluent-bit-logs/app/2026/11/20/10/00/00-object1a2b":         KindApplication,
	} {
		if got, known := KindOfKey(key); got != want || !known {
			t.Errorf("KindOfKey(%q) = %q, %v; want %q", key, got, known, want)
		}
	}
}

// FuzzSniffKind checks that no input panics and that an accepted kind is
// one Cairn has a decoder for.
func FuzzSniffKind(f *testing.F) {
	for _, s := range []string{`{"Records":[]}`, `{"messageType":"DATA_MESSAGE","logGroup":"g"}`, "H4sI", "version srcaddr dstaddr\n", `{"msg":"x"}`, "\x1f\x8b\x08"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, head []byte) {
		kind, ok := SniffKind(head)
		if ok {
			if _, err := ParseFormat(string(kind)); err != nil {
				t.Fatalf("SniffKind(%q) = %q: %v", head, kind, err)
			}
		}
	})
}
