package ingest

import (
	"bufio"
	"errors"
	"io"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/accesslog"
	"github.com/cairn-sec/cairn/applog"
	"github.com/cairn-sec/cairn/cwlogs"
	"github.com/cairn-sec/cairn/route53resolver"
	"github.com/cairn-sec/cairn/vpcflow"
)

// sniffBytes is how much of a decompressed object the format sniffer
// reads: the first line of any supported format fits.
const sniffBytes = 64 << 10

// sniff decides the kind of an object whose key follows no known layout
// from its first decompressed bytes, and returns a reader that still yields
// them. A read error while sniffing leaves the object to the CloudTrail
// decoder, which reports the error as it always has. Bytes of no known
// format are refused as corrupt, never parsed.
func sniff(body io.Reader) (cairn.ObjectKind, io.Reader, error) {
	br := bufio.NewReaderSize(body, sniffBytes)
	head, err := br.Peek(sniffBytes)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return cairn.KindCloudTrail, br, nil
	}
	kind, ok := cairn.SniffKind(head)
	if !ok {
		if len(head) > 64 {
			head = head[:64]
		}
		return "", nil, cairn.Corruptf("unsupported format: not a CloudTrail log, VPC flow log, Route 53 Resolver query log, CloudWatch Logs payload, JSON application log, S3 server access log or ALB access log (first bytes %q); set its format in the configuration (formats) if it is one of these or a text application log", head)
	}
	return kind, br, nil
}

// withDefaultDecoders returns decoders with the vpcflow, route53resolver,
// cwlogs, application, S3 access log and ALB decoders added for the kinds it does not name.
// The caller's map is not changed.
func withDefaultDecoders(decs map[cairn.ObjectKind]Decoder, m *Metrics) map[cairn.ObjectKind]Decoder {
	out := make(map[cairn.ObjectKind]Decoder, len(decs)+4)
	for k, d := range decs {
		out[k] = d
	}
	if _, ok := out[cairn.KindVPCFlow]; !ok {
		out[cairn.KindVPCFlow] = vpcflow.Decoder{}
	}
	if _, ok := out[cairn.KindRoute53Resolver]; !ok {
		out[cairn.KindRoute53Resolver] = route53resolver.Decoder{}
	}
	if _, ok := out[cairn.KindCWLogs]; !ok {
		out[cairn.KindCWLogs] = cwlogs.Decoder{OnControl: func() { m.Skipped.WithLabelValues("cwlogs_control_message").Inc() }}
	}
	if _, ok := out[cairn.KindApplication]; !ok {
		out[cairn.KindApplication] = applog.Decoder{}
	}
	if _, ok := out[cairn.KindS3Access]; !ok {
		out[cairn.KindS3Access] = accesslog.S3Decoder{}
	}
	if _, ok := out[cairn.KindALB]; !ok {
		out[cairn.KindALB] = accesslog.ALBDecoder{}
	}
	return out
}
