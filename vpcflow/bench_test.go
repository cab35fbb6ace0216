package vpcflow

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/cairn-sec/cairn/internal/benchrate"
)

func benchInput(records int, header string, line func(i int) string) []byte {
	var b bytes.Buffer
	b.WriteString(header + "\n")
	for i := range records {
		b.WriteString(line(i))
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// BenchmarkDecode measures flow records decoded per second (records/s) on
// the default format and on a version 5 custom format.
func BenchmarkDecode(b *testing.B) {
	const n = 10_000
	cases := map[string][]byte{
		"v2_default": benchInput(n, "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status",
			func(i int) string {
				return fmt.Sprintf("2 123456789010 eni-1235b8ca123456789 172.31.%d.%d 10.0.%d.%d %d 443 6 %d %d 1418530010 1418530070 ACCEPT OK",
					i%250, i%200, i%100, i%50, 1024+i%60000, 1+i%90, 40+i%9000)
			}),
		"v5_custom": benchInput(n, "version srcaddr dstaddr srcport dstport protocol start end type packets bytes account-id vpc-id subnet-id instance-id interface-id region az-id sublocation-type sublocation-id action tcp-flags pkt-srcaddr pkt-dstaddr pkt-src-aws-service pkt-dst-aws-service traffic-path flow-direction log-status",
			func(i int) string {
				return fmt.Sprintf("5 52.95.128.%d 10.0.0.%d 80 %d 6 1616729292 1616729349 IPv4 14 %d 123456789012 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 19 52.95.128.179 10.0.0.71 S3 - - ingress OK",
					i%250, i%200, 1024+i%60000, 100+i)
			}),
	}
	benchrate.Run(b, goldenRef, Decoder{}.Decode, cases)
}
