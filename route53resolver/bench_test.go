package route53resolver

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/cairn-sec/cairn"
)

type discard struct{ n int }

func (d *discard) Emit(*cairn.Event) error        { d.n++; return nil }
func (d *discard) Reject(cairn.IngestError) error { return nil }

// BenchmarkDecode measures queries decoded per second.
func BenchmarkDecode(b *testing.B) {
	var in bytes.Buffer
	for i := range 10_000 {
		fmt.Fprintf(&in, `{"version":"1.100000","account_id":"111122223333","region":"us-east-1","vpc_id":"vpc-7example","query_timestamp":"2021-02-04T17:51:55Z","query_name":"host%d.example.com.","query_type":"A","query_class":"IN","rcode":"NOERROR","answers":[{"Rdata":"203.0.113.%d","Type":"A","Class":"IN"}],"srcaddr":"10.0.0.5","srcport":"%d","transport":"UDP","srcids":{"instance":"i-0d15cd0d3example"}}`+"\n", i, i%250, 1024+i)
	}
	b.SetBytes(int64(in.Len()))
	b.ReportAllocs()
	var d discard
	for b.Loop() {
		if err := (Decoder{}).Decode(context.Background(), bytes.NewReader(in.Bytes()), goldenRef, &d); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(d.n)/b.Elapsed().Seconds(), "records/s")
}
