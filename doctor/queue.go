package doctor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-sec/cairn"
)

func (r *run) checkCredentials(ctx context.Context) bool {
	c, err := call(ctx, r, r.o.Identity.CallerIdentity)
	if err != nil {
		fix := "give cairn credentials: AWS_PROFILE or --profile, environment keys, an instance/container role, or --role-arn"
		if strings.Contains(err.Error(), "AssumeRole") {
			fix = "the role's trust policy must let the source identity assume it (sts:AssumeRole), with the same --external-id; check --role-arn"
		}
		r.add("credentials", Fail, "the credentials do not work: "+oneLine(err), fix)
		return false
	}
	r.caller = c
	r.add("credentials", OK, fmt.Sprintf("working; calls are made as %s (account %s)", c.ARN, c.Account), "")
	return true
}

func (r *run) checkQueue(ctx context.Context) bool {
	url := r.o.Source.QueueURL
	attrs, err := call(ctx, r, func(ctx context.Context) (map[string]string, error) { return r.o.Queues.QueueAttributes(ctx, url) })
	switch {
	case errors.Is(err, cairn.ErrNotFound):
		r.add("queue", Fail, "queue "+url+" does not exist (or is in another region or account than the URL says)",
			"check the queue URL; it must be the full https://sqs.<region>.amazonaws.com/<account>/<name>")
		return false
	case denied(err):
		r.add("queue", Fail, "not allowed to read queue "+url+": "+oneLine(err),
			fmt.Sprintf("allow sqs:GetQueueAttributes, sqs:ReceiveMessage, sqs:DeleteMessage and sqs:ChangeMessageVisibility on the queue to %s", r.who()))
		return false
	case err != nil:
		r.add("queue", Fail, "cannot read queue "+url+": "+oneLine(err), "check the queue URL, the region and the network path to SQS")
		return false
	}
	r.attrs = attrs
	r.queue = attrs["QueueArn"]
	r.region = arnPart(r.queue, 3)
	visible, inflight := attrs["ApproximateNumberOfMessages"], attrs["ApproximateNumberOfMessagesNotVisible"]
	r.add("queue", OK, fmt.Sprintf("%s exists in %s: %s messages waiting, %s in flight", r.queue, r.region, visible, inflight), "")
	return true
}

func (r *run) checkQueueSettings(ctx context.Context) {
	a := r.attrs
	// Receive: only on an empty queue, where it cannot add to any
	// message's receive count (and so push it toward the DLQ).
	if n, _ := strconv.Atoi(a["ApproximateNumberOfMessages"]); n == 0 {
		_, err := call(ctx, r, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, r.o.Queues.ProbeReceive(ctx, r.o.Source.QueueURL)
		})
		switch {
		case denied(err):
			r.add("queue.receive", Fail, "not allowed to receive from the queue: "+oneLine(err),
				fmt.Sprintf("allow sqs:ReceiveMessage, sqs:DeleteMessage and sqs:ChangeMessageVisibility on %s to %s; if the queue is SSE-KMS encrypted with a customer key, also kms:Decrypt on that key", r.queue, r.who()))
		case err != nil:
			r.add("queue.receive", Fail, "receiving failed: "+oneLine(err), "")
		default:
			r.add("queue.receive", OK, "ReceiveMessage works (tried on the empty queue)", "")
		}
	} else {
		r.add("queue.receive", OK, fmt.Sprintf("not tried: the queue holds %d messages and a receive would count against their maxReceiveCount", n), "")
	}

	// Dead-letter queue.
	if rp := a["RedrivePolicy"]; rp == "" {
		r.add("queue.dlq", Fail, "no dead-letter queue: a message cairn cannot process is retried until the queue's retention ("+
			retention(a["MessageRetentionPeriod"])+") deletes it",
			fmt.Sprintf(`create a DLQ and set RedrivePolicy {"deadLetterTargetArn":"<dlq-arn>","maxReceiveCount":"5"} on the queue `+
				`(aws sqs set-queue-attributes --queue-url %s --attributes RedrivePolicy=...)`, r.o.Source.QueueURL))
	} else {
		var p struct {
			DeadLetterTargetArn string          `json:"deadLetterTargetArn"`
			MaxReceiveCount     json.RawMessage `json:"maxReceiveCount"`
		}
		if err := json.Unmarshal([]byte(rp), &p); err != nil || p.DeadLetterTargetArn == "" {
			r.add("queue.dlq", Fail, "the RedrivePolicy is not valid: "+rp, `set RedrivePolicy to {"deadLetterTargetArn":"<dlq-arn>","maxReceiveCount":"5"}`)
		} else {
			n, _ := strconv.Atoi(strings.Trim(string(p.MaxReceiveCount), `"`))
			if n > 0 && n < 3 {
				r.add("queue.dlq", Warn, fmt.Sprintf("dead-letter queue %s after only %d receives: one slow or throttled attempt sends a message there", p.DeadLetterTargetArn, n),
					"raise maxReceiveCount to 5 or more")
			} else {
				r.checkDLQ(ctx, p.DeadLetterTargetArn, n)
			}
		}
	}

	// Visibility timeout.
	vt, err := strconv.Atoi(a["VisibilityTimeout"])
	switch {
	case err != nil:
		r.add("queue.visibility", Warn, "the queue reports no VisibilityTimeout", "")
	case time.Duration(vt)*time.Second < r.o.MinVisibility:
		r.add("queue.visibility", Warn, fmt.Sprintf("visibility timeout is %ds: a consumer that does not ask for its own (cairn does) sees messages again before it can process a large log file", vt),
			fmt.Sprintf("set VisibilityTimeout to 300 (at least %ds): aws sqs set-queue-attributes --queue-url %s --attributes VisibilityTimeout=300", int(r.o.MinVisibility/time.Second), r.o.Source.QueueURL))
	default:
		r.add("queue.visibility", OK, fmt.Sprintf("visibility timeout %ds", vt), "")
	}

	// Depth.
	visible, _ := strconv.Atoi(a["ApproximateNumberOfMessages"])
	inflight, _ := strconv.Atoi(a["ApproximateNumberOfMessagesNotVisible"])
	if visible > r.o.MaxBacklog {
		r.add("queue.depth", Warn, fmt.Sprintf("%d messages waiting (%d in flight): cairn is behind or not running", visible, inflight),
			"start cairn collect, or add --workers / more collectors")
	} else {
		r.add("queue.depth", OK, fmt.Sprintf("%d messages waiting, %d in flight", visible, inflight), "")
	}
}

func retention(seconds string) string {
	s, err := strconv.Atoi(seconds)
	if err != nil {
		return "retention period"
	}
	return fmt.Sprintf("%d days", s/86400)
}

// checkQueuePolicy checks that each sender may SendMessage to the queue.
func (r *run) checkQueuePolicy() {
	if len(r.senders) == 0 {
		return
	}
	doc := r.attrs["Policy"]
	names := make([]string, len(r.senders))
	for i, s := range r.senders {
		names[i] = s.arn
	}
	fix := r.queuePolicyFix()
	if doc == "" {
		r.add("queue.policy", Fail, "the queue has no access policy, so "+strings.Join(names, " and ")+" cannot send to it", fix)
		return
	}
	p, err := ParsePolicy(doc)
	if err != nil {
		r.add("queue.policy", Fail, "the queue policy cannot be read: "+oneLine(err), fix)
		return
	}
	var notes []string
	for _, s := range r.senders {
		keys := map[string]string{"aws:sourcearn": s.arn}
		if acct := arnPart(s.arn, 4); acct != "" {
			keys["aws:sourceaccount"] = acct
		}
		v := evaluate(p, s.service, "sqs:SendMessage", r.queue, keys)
		switch {
		case v.denied:
			r.add("queue.policy", Fail, "the queue policy denies "+s.service+" sqs:SendMessage from "+s.arn+" (statement "+v.sid+")", fix)
			return
		case !v.allowed:
			r.add("queue.policy", Fail, "the queue policy does not let "+s.service+" send from "+s.arn+
				" (it needs Allow, Principal {\"Service\":\""+s.service+"\"}, Action sqs:SendMessage, Condition aws:SourceArn "+s.arn+")", fix)
			return
		case v.unknown != "":
			notes = append(notes, "condition "+v.unknown+" not evaluated")
		}
		if v.everyone {
			r.add("queue.policy", Warn, "the queue policy lets anyone send to the queue (Principal \"*\" without an aws:SourceArn condition)",
				"restrict the statement to "+s.service+" with Condition ArnEquals aws:SourceArn "+s.arn)
			return
		}
	}
	detail := "the queue policy lets " + strings.Join(names, " and ") + " send (sqs:SendMessage, aws:SourceArn)"
	if len(notes) > 0 {
		detail += "; " + strings.Join(notes, ", ")
	}
	r.add("queue.policy", OK, detail, "")
}

func (r *run) queuePolicyFix() string {
	var stmts []string
	for _, s := range r.senders {
		stmts = append(stmts, fmt.Sprintf(`{"Effect":"Allow","Principal":{"Service":"%s"},"Action":"sqs:SendMessage","Resource":"%s","Condition":{"ArnEquals":{"aws:SourceArn":"%s"}}}`,
			s.service, r.queue, s.arn))
	}
	return "add to the queue policy: " + strings.Join(stmts, ", ")
}

// verdict is how a policy treats one request.
type verdict struct {
	allowed, denied, everyone bool
	sid, unknown              string
}

// evaluate applies a resource policy to a service principal's request.
func evaluate(p Policy, service, action, resource string, keys map[string]string) verdict {
	var v verdict
	for _, s := range p.Statements {
		if !s.allowsAction(action) || !s.coversResource(resource) ||
			!s.hasPrincipal("Service", func(p string) bool { return strings.EqualFold(p, service) }) {
			continue
		}
		ok, unknown := s.conditionAllows(keys)
		if unknown != "" {
			v.unknown = unknown
			ok = true
		}
		if !ok {
			continue
		}
		if strings.EqualFold(s.Effect, "Deny") {
			v.denied, v.sid = true, s.Sid
			return v
		}
		if strings.EqualFold(s.Effect, "Allow") {
			v.allowed = true
			if s.everyone() && len(s.Conditions) == 0 {
				v.everyone = true
			}
		}
	}
	return v
}

func (r *run) checkLedger(ctx context.Context) {
	if r.o.Ledger == nil {
		return
	}
	t, err := call(ctx, r, func(ctx context.Context) (time.Time, error) {
		t, ok, err := r.o.Ledger.NewestObject(ctx)
		if err == nil && !ok {
			return time.Time{}, nil
		}
		return t, err
	})
	switch {
	case err != nil:
		r.add("store.recent", Warn, "could not read the store's ledger: "+oneLine(err), "")
	case t.IsZero():
		r.add("store.recent", Warn, "the store holds no objects yet", "run cairn collect with this queue")
	case r.o.Now().Sub(t) > r.o.MaxObjectAge:
		r.add("store.recent", Warn, fmt.Sprintf("the newest object was stored %s ago (%s)", age(r.o.Now().Sub(t)), t.UTC().Format(time.RFC3339)),
			"check that cairn collect is running and that new notifications reach the queue")
	default:
		r.add("store.recent", OK, fmt.Sprintf("the newest object was stored %s ago", age(r.o.Now().Sub(t))), "")
	}
}

func age(d time.Duration) string {
	switch {
	case d < time.Minute:
		return d.Round(time.Second).String()
	case d < 48*time.Hour:
		return d.Round(time.Minute).String()
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

// checkDLQ looks into the dead-letter queue when its URL follows from the
// main queue's (same account and region): it must exist, and messages in
// it are notifications cairn gave up on.
func (r *run) checkDLQ(ctx context.Context, dlqARN string, maxReceive int) {
	ok := fmt.Sprintf("dead-letter queue %s after %d receives", dlqARN, maxReceive)
	url := r.o.Source.QueueURL
	i := strings.LastIndex(url, "/")
	if i < 0 || arnPart(dlqARN, 3) != r.region || arnPart(dlqARN, 4) != arnPart(r.queue, 4) {
		r.add("queue.dlq", OK, ok, "")
		return
	}
	url = url[:i+1] + arnPart(dlqARN, 5)
	attrs, err := call(ctx, r, func(ctx context.Context) (map[string]string, error) { return r.o.Queues.QueueAttributes(ctx, url) })
	switch {
	case errors.Is(err, cairn.ErrNotFound):
		r.add("queue.dlq", Fail, "the redrive policy names dead-letter queue "+dlqARN+", which does not exist: failing messages cannot be moved there",
			"create the queue "+arnPart(dlqARN, 5)+" (message retention 14 days) or point the RedrivePolicy at an existing one")
	case err != nil:
		r.cannotCheck("queue.dlq", "the dead-letter queue", err, "sqs:GetQueueAttributes", dlqARN)
	case attrs["ApproximateNumberOfMessages"] != "" && attrs["ApproximateNumberOfMessages"] != "0":
		r.add("queue.dlq", Warn, fmt.Sprintf("%s holds %s messages: notifications cairn could not process (see ingest_errors)", dlqARN, attrs["ApproximateNumberOfMessages"]),
			"fix the cause, then move them back: aws sqs start-message-move-task --source-arn "+dlqARN)
	default:
		r.add("queue.dlq", OK, ok+"; it is empty", "")
	}
}
