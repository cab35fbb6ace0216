package ioc

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cairn-sec/cairn"
)

func BenchmarkParsePlain(b *testing.B) {
	var sb strings.Builder
	for i := range 100000 {
		fmt.Fprintf(&sb, "100.%d.%d.%d\n", i>>16&255, i>>8&255, i&255)
	}
	in := sb.String()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		res, err := ParsePlain(strings.NewReader(in), "b", "b")
		if err != nil || len(res.Indicators) != 100000 {
			b.Fatal(err, len(res.Indicators))
		}
	}
}

// BenchmarkDetectorAlerts is the detector's cost per batch of 1,000
// CloudTrail-like events, 1% of which match, against 10k indicators of
// every type.
func BenchmarkDetectorAlerts(b *testing.B) {
	var sb strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&sb, "100.64.%d.%d\n20.%d.%d.0/24\nhost%d.bad.example\narn:aws:iam::999988887777:user/u%d\n%012d\n", i>>8, i&255, i>>8, i&255, i, i, 500000000000+i)
	}
	res, err := ParsePlain(strings.NewReader(sb.String()), "bench", "bench")
	if err != nil || res.Skips != 0 {
		b.Fatal(err, res.Skipped)
	}
	set := NewSet(res.Indicators)
	d := NewDetector(DetectorOptions{Sets: fixedSet{set}})
	evs := make([]*cairn.Event, 1000)
	for i := range evs {
		ip := fmt.Sprintf("198.18.%d.%d", i>>8, i&255)
		if i%100 == 0 {
			ip = fmt.Sprintf("100.64.0.%d", i%256)
		}
		evs[i] = &cairn.Event{EventID: fmt.Sprint(i), SourceIP: ip, AccessKeyID: "ASIAY34FZKBOKMUTVV7A",
			UserARN: "arn:aws:sts::123456789012:assumed-role/Admin/alice", UserAgent: "aws-cli/2.15.0",
			Resources: []byte(`[{"ARN":"arn:aws:s3:::bucket","accountId":"123456789012"}]`)}
	}
	b.ReportAllocs()
	for b.Loop() {
		if n := len(d.Alerts(set, evs)); n != 10 {
			b.Fatalf("%d alerts", n)
		}
	}
}
