package simulate

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Format is a kind of log file the generator writes, each under its real
// S3 key layout.
type Format string

// Formats.
const (
	FormatCloudTrail      Format = "cloudtrail"      // AWSLogs/<acct>/CloudTrail/<region>/... .json.gz
	FormatVPCFlow         Format = "vpcflow"         // AWSLogs/<acct>/vpcflowlogs/<region>/... .log.gz, default format with header
	FormatRoute53Resolver Format = "route53resolver" // AWSLogs/<acct>/vpcdnsquerylogs/<vpc>/... .log.gz, JSON lines
	FormatCWLogsEKS       Format = "cwlogs-eks"      // Firehose to S3: gzip members of CloudWatch Logs messages, EKS audit and authenticator
	FormatCWLogs          Format = "cwlogs"          // the same for a Lambda log group
	FormatApplication     Format = "application"     // fluent-bit-logs/<tag>/YYYY/MM/DD/HH/MM/SS-object…: Fluent Bit JSON lines, gzip
	FormatS3Access        Format = "s3access"        // s3-access-logs/YYYY-mm-DD-HH-MM-SS-<hex>: plain text
	FormatALB             Format = "alb"             // AWSLogs/<acct>/elasticloadbalancing/<region>/... .log.gz
)

// AllFormats lists every format, CloudTrail first.
var AllFormats = []Format{FormatCloudTrail, FormatVPCFlow, FormatRoute53Resolver, FormatCWLogsEKS, FormatCWLogs,
	FormatApplication, FormatS3Access, FormatALB}

// ParseFormats parses a comma-separated list of formats; "all" is every one.
func ParseFormats(s string) ([]Format, error) {
	var out []Format
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		if name == "all" {
			out = append(out, AllFormats...)
			continue
		}
		ok := false
		for _, f := range AllFormats {
			if string(f) == name {
				out, ok = append(out, f), true
			}
		}
		if !ok {
			return nil, fmt.Errorf("unknown format %q (known: all, %s)", name, strings.Join(formatNames(), ", "))
		}
	}
	return out, nil
}

func formatNames() []string {
	n := make([]string, len(AllFormats))
	for i, f := range AllFormats {
		n[i] = string(f)
	}
	return n
}

func (g *Generator) nextFormat() Format {
	if len(g.opts.Formats) == 0 {
		return FormatCloudTrail
	}
	f := g.opts.Formats[g.fseq%len(g.opts.Formats)]
	g.fseq++
	return f
}

// nextOther writes the next file of a format other than CloudTrail.
func (g *Generator) nextOther(f Format) (File, error) {
	acct, region, t := g.nextSlot()
	n := g.opts.EventsPerFile
	var raw []byte
	var key string
	var body []byte
	var err error
	stamp := t.Format("20060102T1504Z")
	day := t.Format("2006/01/02/")
	switch f {
	case FormatVPCFlow:
		raw = g.flowLog(acct, t, n)
		key = g.prefixed("AWSLogs/" + acct + "/vpcflowlogs/" + region + "/" + day + acct + "_vpcflowlogs_" + region + "_fl-" + g.rs(hexChars, 17) + "_" + stamp + "_" + g.rs(hexChars, 8) + ".log.gz")
	case FormatRoute53Resolver:
		vpc := "vpc-" + g.rs(hexChars, 17)
		raw = g.resolverLog(acct, region, vpc, t, n)
		key = g.prefixed("AWSLogs/" + acct + "/vpcdnsquerylogs/" + vpc + "/" + day + acct + "_vpcdnsquerylogs_" + vpc + "_" + stamp + "_" + g.rs(hexChars, 8) + ".log.gz")
	case FormatCWLogsEKS, FormatCWLogs:
		body, raw, err = g.cwlObject(f, acct, t, n)
		key = g.prefixed("firehose/" + string(f) + "/" + t.Format("2006/01/02/15/") + "cairn-" + string(f) + "-1-" + t.Format("2006-01-02-15-04-05-") + g.uuid())
	case FormatApplication:
		raw = g.appLog(t, n)
		key = g.prefixed("fluent-bit-logs/kube.var.log.containers.payments-api/" + t.Format("2006/01/02/15/04/05") + "-object" + g.rs(alnumChars, 8))
	case FormatS3Access:
		raw = g.s3AccessLog(t, n)
		key = g.prefixed("s3-access-logs/" + t.Format("2006-01-02-15-04-05-") + g.rs("0123456789ABCDEF", 16))
		body = append([]byte(nil), raw...) // S3 writes access logs uncompressed
	case FormatALB:
		raw = g.albLog(t, n)
		lb := "my-alb." + g.rs(hexChars, 16)
		key = g.prefixed("AWSLogs/" + acct + "/elasticloadbalancing/" + region + "/" + day + acct + "_elasticloadbalancing_" + region + "_app." + lb + "_" + stamp + "_" + g.publicIPv4() + "_" + g.rs(alnumChars, 8) + ".log.gz")
	default:
		return File{}, fmt.Errorf("simulate: unknown format %q", f)
	}
	if err == nil && body == nil {
		body, err = g.compress(raw)
	}
	if err != nil {
		return File{}, err
	}
	return File{Key: key, Account: acct, Region: region, Events: n, Body: body, RawBytes: int64(len(raw)), Time: t, Format: f}, nil
}

const hexChars = "0123456789abcdef"

func (g *Generator) prefixed(key string) string {
	if g.opts.Prefix == "" {
		return key
	}
	return g.opts.Prefix + "/" + key
}

func (g *Generator) privateIP() string {
	return "10." + strconv.Itoa(g.r.IntN(256)) + "." + strconv.Itoa(g.r.IntN(256)) + "." + strconv.Itoa(1+g.r.IntN(254))
}

func (g *Generator) flowLog(acct string, t time.Time, n int) []byte {
	b := []byte("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n")
	eni := "eni-" + g.rs(hexChars, 17)
	for i := 0; i < n; i++ {
		start := g.eventTime(t).Unix()
		action := "ACCEPT"
		if g.r.IntN(10) == 0 {
			action = "REJECT"
		}
		b = fmt.Appendf(b, "2 %s %s %s %s %d %d 6 %d %d %d %d %s OK\n", acct, eni, g.privateIP(), g.privateIP(),
			1024+g.r.IntN(60000), []int{443, 22, 80, 5432, 3389}[g.r.IntN(5)], 1+g.r.IntN(90), 40+g.r.IntN(90000), start, start+60, action)
	}
	return b
}

func (g *Generator) resolverLog(acct, region, vpc string, t time.Time, n int) []byte {
	var b []byte
	names := []string{"s3.amazonaws.com.", "sts.amazonaws.com.", "db.internal.example.", "api.github.com.", "evil-c2.example.net."}
	for i := 0; i < n; i++ {
		name := names[g.r.IntN(len(names))]
		rcode := "NOERROR"
		if g.r.IntN(12) == 0 {
			rcode = "NXDOMAIN"
		}
		rec := map[string]any{"version": "1.100000", "account_id": acct, "region": region, "vpc_id": vpc,
			"query_timestamp": g.eventTime(t).Format("2006-01-02T15:04:05.000Z"), "query_name": name, "query_type": "A", "query_class": "IN",
			"rcode": rcode, "answers": []map[string]string{{"Rdata": g.publicIPv4(), "Type": "A", "Class": "IN"}},
			"srcaddr": g.privateIP(), "srcport": strconv.Itoa(1024 + g.r.IntN(60000)), "transport": "UDP",
			"srcids": map[string]string{"instance": "i-" + g.rs(hexChars, 17)}}
		line, _ := json.Marshal(rec)
		b = append(append(b, line...), '\n')
	}
	return b
}

// cwlObject is what Firehose writes to S3 for a CloudWatch Logs
// subscription: gzip members, one per record (a subscription message),
// back to back, with a control message first.
func (g *Generator) cwlObject(f Format, acct string, t time.Time, n int) (body, raw []byte, err error) {
	control := []byte(`{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"","subscriptionFilters":[],"logEvents":[{"id":"","timestamp":` +
		strconv.FormatInt(t.UnixMilli(), 10) + `,"message":"CWL CONTROL MESSAGE: Checking health of destination Firehose."}]}`)
	msgs := [][]byte{control}
	const perMessage = 25
	for done := 0; done < n; done += perMessage {
		k := min(perMessage, n-done)
		group, stream := "/aws/lambda/rotate-keys", t.Format("2006/01/02")+"/[$LATEST]"+g.rs(hexChars, 32)
		if f == FormatCWLogsEKS {
			group, stream = "/aws/eks/prod-east/cluster", "kube-apiserver-audit-"+g.rs(hexChars, 32)
			if done/perMessage%4 == 3 {
				stream = "authenticator-" + g.rs(hexChars, 32)
			}
		}
		type logEvent struct {
			ID        string `json:"id"`
			Timestamp int64  `json:"timestamp"`
			Message   string `json:"message"`
		}
		evs := make([]logEvent, k)
		for i := range evs {
			et := g.eventTime(t)
			g.cwlID++
			evs[i] = logEvent{ID: strconv.FormatInt(et.UnixMilli(), 10) + fmt.Sprintf("%020d", g.cwlID), Timestamp: et.UnixMilli(), Message: g.cwlMessage(group, stream, et)}
		}
		m, _ := json.Marshal(map[string]any{"messageType": "DATA_MESSAGE", "owner": acct, "logGroup": group, "logStream": stream,
			"subscriptionFilters": []string{"cairn"}, "logEvents": evs})
		msgs = append(msgs, m)
	}
	for _, m := range msgs {
		z, err := g.compress(m)
		if err != nil {
			return nil, nil, err
		}
		body = append(body, z...)
		raw = append(raw, m...)
	}
	return body, raw, nil
}

func (g *Generator) cwlMessage(group, stream string, t time.Time) string {
	switch {
	case strings.HasPrefix(stream, "kube-apiserver-audit-"):
		verbs := []string{"get", "list", "watch", "create", "update", "patch", "delete"}
		res := []string{"pods", "secrets", "configmaps", "deployments", "serviceaccounts", "clusterrolebindings"}
		users := []string{"kubernetes-admin", "system:serviceaccount:kube-system:coredns", "alice@example.com", "system:anonymous"}
		code := 200
		if g.r.IntN(10) == 0 {
			code = 403
		}
		ns := []string{"default", "payments", "kube-system"}[g.r.IntN(3)]
		r := res[g.r.IntN(len(res))]
		a := map[string]any{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": g.uuid(), "stage": "ResponseComplete",
			"requestURI": "/api/v1/namespaces/" + ns + "/" + r, "verb": verbs[g.r.IntN(len(verbs))],
			"user":      map[string]any{"username": users[g.r.IntN(len(users))], "groups": []string{"system:authenticated"}},
			"sourceIPs": []string{g.privateIP()}, "userAgent": "kubectl/v1.29.3 (linux/amd64) kubernetes/6813625",
			"objectRef":                map[string]any{"resource": r, "namespace": ns, "apiVersion": "v1"},
			"responseStatus":           map[string]any{"metadata": map[string]any{}, "code": code},
			"requestReceivedTimestamp": t.Format(time.RFC3339Nano), "stageTimestamp": t.Add(3 * time.Millisecond).Format(time.RFC3339Nano)}
		b, _ := json.Marshal(a)
		return string(b)
	case strings.HasPrefix(stream, "authenticator-"):
		return `time="` + t.Format(time.RFC3339) + `" level=info msg="access granted" arn="arn:aws:iam::111122223333:role/Admin" client="127.0.0.1:` + strconv.Itoa(40000+g.r.IntN(20000)) + `" method=POST path=/authenticate`
	}
	return []string{"START RequestId: " + g.uuid() + " Version: $LATEST", "[INFO] rotated key " + g.rs(alnumChars, 20),
		"[ERROR] rotation failed: AccessDenied", "END RequestId: " + g.uuid()}[g.r.IntN(4)]
}

func (g *Generator) appLog(t time.Time, n int) []byte {
	var b []byte
	for i := 0; i < n; i++ {
		et := g.eventTime(t)
		level := []string{"info", "info", "info", "warn", "error"}[g.r.IntN(5)]
		inner, _ := json.Marshal(map[string]any{"level": level, "ts": et.Format(time.RFC3339Nano), "msg": []string{"request served", "charge failed", "slow query"}[g.r.IntN(3)],
			"trace_id": g.rs(hexChars, 32), "method": "POST", "path": "/v1/charges", "status": []int{200, 201, 502}[g.r.IntN(3)]})
		rec, _ := json.Marshal(map[string]any{"date": float64(et.UnixMicro()) / 1e6, "log": string(inner), "stream": "stdout",
			"kubernetes": map[string]any{"pod_name": "payments-api-7d9f8c6b5-" + g.rs("abcdefghijklmnopqrstuvwxyz0123456789", 5), "namespace_name": "payments",
				"container_name": "api", "host": "ip-" + strings.ReplaceAll(g.privateIP(), ".", "-") + ".ec2.internal", "labels": map[string]string{"app": "payments-api"}}})
		b = append(append(b, rec...), '\n')
	}
	return b
}

func (g *Generator) s3AccessLog(t time.Time, n int) []byte {
	var b []byte
	owner := g.rs(hexChars, 64)
	for i := 0; i < n; i++ {
		et := g.eventTime(t)
		op, method, status, errc := "REST.GET.OBJECT", "GET", "200", "-"
		switch g.r.IntN(6) {
		case 0:
			op, method = "REST.PUT.OBJECT", "PUT"
		case 1:
			status, errc = "403", "AccessDenied"
		}
		obj := "reports/" + g.rs(alnumChars, 10) + ".csv"
		b = fmt.Appendf(b, "%s cairn-sim-data [%s] %s arn:aws:sts::%s:assumed-role/Reader/%s %s %s %s \"%s /cairn-sim-data/%s HTTP/1.1\" %s %s %d %d %d %d \"-\" \"aws-cli/2.15.0\" - %s SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader cairn-sim-data.s3.amazonaws.com TLSv1.3 - -\n",
			owner, et.Format("02/Jan/2006:15:04:05 -0700"), g.publicIPv4(), g.accounts[0], g.rs(alnumChars, 8), g.rs("0123456789ABCDEF", 16), op, obj, method, obj,
			status, errc, g.r.IntN(1<<20), g.r.IntN(1<<20), 1+g.r.IntN(200), 1+g.r.IntN(100), g.rs(alnumChars, 40))
	}
	return b
}

func (g *Generator) albLog(t time.Time, n int) []byte {
	var b []byte
	for i := 0; i < n; i++ {
		et := g.eventTime(t)
		status := []int{200, 200, 200, 301, 404, 502}[g.r.IntN(6)]
		b = fmt.Appendf(b, "https %s app/my-alb/50dc6c495c0c9188 %s:%d %s:8080 0.000 0.00%d 0.000 %d %d %d %d \"%s https://shop.example.com:443/%s HTTP/1.1\" \"Mozilla/5.0\" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-1:%s:targetgroup/web/73e2d6bc24d8a067 \"Root=1-%x-%s\" \"shop.example.com\" \"-\" 1 %s \"forward\" \"-\" \"-\" \"-\" \"-\" \"-\" \"-\" -\n",
			et.Format("2006-01-02T15:04:05.000000Z"), g.publicIPv4(), 1024+g.r.IntN(60000), g.privateIP(), g.r.IntN(10), status, status,
			100+g.r.IntN(2000), 200+g.r.IntN(90000), []string{"GET", "POST"}[g.r.IntN(2)], g.rs(alnumChars, 8), g.accounts[0],
			et.Unix(), g.rs(hexChars, 24), et.Add(-5*time.Millisecond).Format("2006-01-02T15:04:05.000000Z"))
	}
	return b
}
