package route53resolver

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/cairn-sec/cairn/internal/benchrate"
)

// BenchmarkDecode measures queries decoded per second.
func BenchmarkDecode(b *testing.B) {
	var in bytes.Buffer
	for i := range 10_000 {
		fmt.Fprintf(&in, `{"version":"1.100000","account_id":"111122223333","region":"us-east-1","vpc_id":"vpc-7example","query_timestamp":"2021-02-04T17:51:55Z","query_name":"host%d.example.com.","query_type":"A","query_class":"IN","rcode":"NOERROR","answers":[{"Rdata":"203.0.113.%d","Type":"A","Class":"IN"}],"srcaddr":"10.0.0.5","srcport":"%d","transport":"UDP","srcids":{"instance":"i-0d15cd0d3example"}}`+"\n", i, i%250, 1024+i)
	}
	benchrate.Run(b, goldenRef, Decoder{}.Decode, map[string][]byte{"queries": in.Bytes()})
}
