package accesslog

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-sec/cairn"
)

// SourceALB is the source of Application Load Balancer access log events.
const SourceALB = "aws.alb"

// ALBDecoder decodes Application Load Balancer access logs.
type ALBDecoder struct {
	MaxLineBytes int // 0 means DefaultMaxLineBytes
}

// Decode reads one ALB access log object and emits an event per line.
func (d ALBDecoder) Decode(ctx context.Context, r io.Reader, ref cairn.ObjectRef, out cairn.Emitter) error {
	return decode(ctx, r, ref, out, d.MaxLineBytes, format{name: "Application Load Balancer access log", minFields: 14, normalize: normalizeALB})
}

// ALB access log fields, in order.
const (
	albType = iota
	albTime
	albELB
	albClient
	albTarget
	albRequestProcessing
	albTargetProcessing
	albResponseProcessing
	albELBStatus
	albTargetStatus
	albReceivedBytes
	albSentBytes
	albRequest
	albUserAgent
	albSSLCipher
	albSSLProtocol
	albTargetGroup
	albTraceID
	albDomain
	albCert
	albRulePriority
	albCreationTime
	albActions
	albRedirectURL
	albErrorReason
)

var httpActivity = map[string]int32{"CONNECT": 1, "DELETE": 2, "GET": 3, "HEAD": 4, "OPTIONS": 5, "POST": 6, "PUT": 7, "TRACE": 8}

func normalizeALB(f []string, ev *cairn.Event) error {
	switch f[albType] {
	case "http", "https", "h2", "grpcs", "ws", "wss":
	default:
		return errors.New("type " + strconv.Quote(f[albType]) + " is not http, https, h2, grpcs, ws or wss")
	}
	t, err := logTime(time.RFC3339Nano, f[albTime])
	if err != nil {
		return err
	}
	ev.Time = t
	ev.Source = SourceALB
	ev.EventSource = f[albELB]
	ev.EventType = f[albType]
	var port string
	if ev.SourceIP, port = hostPort(f[albClient]); port != "" {
		if ev.SrcPort, err = num(port); err != nil {
			return errors.New("client port: " + err.Error())
		}
	}
	if ev.DstIP, port = hostPort(f[albTarget]); port != "" {
		if ev.DstPort, err = num(port); err != nil {
			return errors.New("target port: " + err.Error())
		}
	}
	if ev.HTTPStatus, err = num(f[albELBStatus]); err != nil {
		return errors.New("elb status code: " + err.Error())
	}
	rb, err1 := num(f[albReceivedBytes])
	sb, err2 := num(f[albSentBytes])
	if err := errors.Join(err1, err2); err != nil {
		return errors.New("bytes: " + err.Error())
	}
	if rb.Valid || sb.Valid {
		ev.Bytes = cairn.Int(rb.V + sb.V)
	}
	ev.HTTPMethod, ev.URL = request(f[albRequest])
	ev.EventName = ev.HTTPMethod
	ev.UserAgent = opt(f, albUserAgent)
	ev.TraceID = opt(f, albTraceID)
	ev.Action = opt(f, albActions)
	ev.Direction = "ingress"
	ev.ClassUID = 4002
	ev.ActivityID = 99
	if a, ok := httpActivity[strings.ToUpper(ev.HTTPMethod)]; ok {
		ev.ActivityID = a
	}
	ev.TypeUID = ev.ClassUID*100 + ev.ActivityID
	ev.Status, ev.Level = "Success", "INFO"
	ev.ErrorCode = opt(f, albErrorReason)
	if s := ev.HTTPStatus; s.Valid && s.V >= 400 {
		ev.Status, ev.Level = "Failure", "WARN"
		if s.V >= 500 {
			ev.Level = "ERROR"
		}
		if ev.ErrorCode == "" {
			ev.ErrorCode = strconv.FormatInt(s.V, 10)
		}
	}
	return nil
}
