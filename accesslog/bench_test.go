package accesslog

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/cairn-sec/cairn/internal/benchrate"
)

// BenchmarkDecode measures access log lines decoded per second.
func BenchmarkDecode(b *testing.B) {
	var s3, alb bytes.Buffer
	for i := range 10_000 {
		fmt.Fprintf(&s3, `79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be awsexamplebucket1 [06/Feb/2019:00:00:%02d +0000] 192.0.2.%d arn:aws:sts::123456789012:assumed-role/Reader/s1 3E57427F3E%06d REST.GET.OBJECT reports/%d.csv "GET /awsexamplebucket1/reports/%d.csv HTTP/1.1" 200 - 113 113 7 5 "-" "aws-cli/2.15.0" - aGVsbG8= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader awsexamplebucket1.s3.us-west-1.amazonaws.com TLSv1.3 - -`+"\n", i%60, i%250, i, i, i)
		fmt.Fprintf(&alb, `https 2018-07-02T22:23:%02d.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.%d:%d 10.0.0.1:80 0.086 0.048 0.037 200 200 0 57 "GET https://www.example.com:443/item/%d HTTP/1.1" "curl/7.46.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337281-1d84f3d73c47ec4e5857%04d" "www.example.com" "-" 1 2018-07-02T22:22:48.364000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-" TID_1`+"\n", i%60, i%250, 1024+i, i, i%10000)
	}
	benchrate.Run(b, goldenRef, S3Decoder{}.Decode, map[string][]byte{"s3access": s3.Bytes()})
	benchrate.Run(b, goldenRef, ALBDecoder{}.Decode, map[string][]byte{"alb": alb.Bytes()})
}
