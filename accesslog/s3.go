package accesslog

import (
	"context"
	"errors"
	"io"
	"strings"

	"github.com/cairn-sec/cairn"
)

// SourceS3 is the source of S3 server access log events.
const SourceS3 = "aws.s3access"

// S3Decoder decodes S3 server access logs.
type S3Decoder struct {
	MaxLineBytes int // 0 means DefaultMaxLineBytes
}

// Decode reads one S3 server access log object and emits an event per line.
func (d S3Decoder) Decode(ctx context.Context, r io.Reader, ref cairn.ObjectRef, out cairn.Emitter) error {
	return decode(ctx, r, ref, out, d.MaxLineBytes, format{name: "S3 server access log", minFields: 18, normalize: normalizeS3})
}

// S3 server access log fields, in order.
const (
	s3Owner = iota
	s3Bucket
	s3Time
	s3RemoteIP
	s3Requester
	s3RequestID
	s3Operation
	s3Key
	s3RequestURI
	s3HTTPStatus
	s3ErrorCode
	s3BytesSent
	s3ObjectSize
	s3TotalTime
	s3TurnAround
	s3Referer
	s3UserAgent
	s3VersionID
)

func normalizeS3(f []string, ev *cairn.Event) error {
	t, err := logTime("02/Jan/2006:15:04:05 -0700", f[s3Time])
	if err != nil {
		return err
	}
	if !strings.Contains(f[s3Operation], ".") {
		return errors.New("operation " + f[s3Operation] + " is not like REST.GET.OBJECT")
	}
	ev.Time = t
	ev.Source = SourceS3
	ev.EventName = f[s3Operation]
	ev.EventSource = "s3.amazonaws.com"
	ev.EventType = "AwsS3AccessLog"
	ev.SourceIP = opt(f, s3RemoteIP)
	if req := opt(f, s3Requester); strings.HasPrefix(req, "arn:") {
		ev.UserARN = req
		ev.UserName = req[strings.LastIndexAny(req, "/:")+1:]
	} else {
		ev.UserPrincipalID = req
	}
	ev.HTTPMethod, ev.URL = request(opt(f, s3RequestURI))
	if ev.HTTPStatus, err = num(f[s3HTTPStatus]); err != nil {
		return errors.New("http status: " + err.Error())
	}
	if ev.Bytes, err = num(f[s3BytesSent]); err != nil {
		return errors.New("bytes sent: " + err.Error())
	}
	ev.ErrorCode = opt(f, s3ErrorCode)
	ev.UserAgent = opt(f, s3UserAgent)
	ev.ClassUID = 6003
	switch op := ev.EventName; {
	case strings.Contains(op, ".GET.") || strings.Contains(op, ".HEAD."):
		ev.ActivityID, ev.ReadOnly = 2, cairn.True
	case strings.Contains(op, ".PUT.") || strings.Contains(op, ".POST.") || strings.Contains(op, ".COPY."):
		ev.ActivityID, ev.ReadOnly = 1, cairn.False
	case strings.Contains(op, ".DELETE."):
		ev.ActivityID, ev.ReadOnly = 4, cairn.False
	default:
		ev.ActivityID = 99
	}
	ev.TypeUID = ev.ClassUID*100 + ev.ActivityID
	ev.Status, ev.Level = "Success", "INFO"
	if ev.HTTPStatus.Valid && ev.HTTPStatus.V >= 400 {
		ev.Status = "Failure"
	}
	if ev.ErrorCode != "" {
		ev.Level = "ERROR"
	}
	return nil
}
