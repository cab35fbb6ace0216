package applog

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/cairn-sec/cairn/internal/benchrate"
)

// BenchmarkDecode measures lines decoded per second: Fluent Bit JSON
// lines with Kubernetes metadata, and text lines.
func BenchmarkDecode(b *testing.B) {
	var fluent, text bytes.Buffer
	for i := range 10_000 {
		fmt.Fprintf(&fluent, `{"date":1763632800.%06d,"log":"{\"level\":\"info\",\"msg\":\"request %d served\",\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e%04d\"}","stream":"stdout","kubernetes":{"pod_name":"payments-api-7d9f8c6b5-x2k4q","namespace_name":"payments","container_name":"api","host":"ip-10-0-12-7.ec2.internal","labels":{"app":"payments-api"}}}`+"\n", i, i, i%10000)
		fmt.Fprintf(&text, "2026-11-20T10:00:%02dZ INFO request %d served in 12ms\n", i%60, i)
	}
	benchrate.Run(b, goldenRef, Decoder{}.Decode, map[string][]byte{"fluentbit_json": fluent.Bytes(), "text": text.Bytes()})
}
