package watch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// checkQueues checks the DLQ, then the queue: existence, redrive policy,
// and that the policy lets the trail's topic send.
func (c *checker) checkQueues(ctx context.Context) {
	if c.s.QueueURL == "" {
		return
	}
	sq := c.o.SQS
	dlqARN := ""
	if c.s.DLQURL != "" {
		d, err := sq.Queue(ctx, c.s.DLQURL)
		switch {
		case errors.Is(err, ErrNotFound):
			c.found(ctx, Finding{Code: "dlq-deleted", Severity: "high", Resource: c.s.DLQURL,
				Message: "dead-letter queue " + c.s.DLQURL + " does not exist: poison messages would be retried forever",
				Action:  "CreateQueue " + shortName(c.s.DLQURL) + " (14-day retention)"}, func(ctx context.Context) error {
				if _, err := sq.CreateQueue(ctx, shortName(c.s.DLQURL), map[string]string{"MessageRetentionPeriod": "1209600"}); err != nil {
					return err
				}
				d, err = sq.Queue(ctx, c.s.DLQURL)
				dlqARN = d.ARN
				return err
			})
		case err != nil:
			c.failed(c.s.DLQURL, err)
		default:
			dlqARN = d.ARN
		}
	}
	redrive := ""
	if dlqARN != "" {
		b, _ := json.Marshal(map[string]string{"deadLetterTargetArn": dlqARN, "maxReceiveCount": strconv.Itoa(c.s.MaxReceiveCount)})
		redrive = string(b)
	}
	q, err := sq.Queue(ctx, c.s.QueueURL)
	if errors.Is(err, ErrNotFound) {
		f := Finding{Code: "queue-deleted", Severity: "critical", Resource: c.s.QueueURL,
			Message: "queue " + c.s.QueueURL + " does not exist: nothing is collected",
			Action:  "CreateQueue " + shortName(c.s.QueueURL) + " with the redrive policy to the DLQ and the topic's send permission"}
		c.found(ctx, f, func(ctx context.Context) error {
			attrs := map[string]string{"VisibilityTimeout": "300"}
			if redrive != "" {
				attrs["RedrivePolicy"] = redrive
			}
			if _, err := sq.CreateQueue(ctx, shortName(c.s.QueueURL), attrs); err != nil {
				return err
			}
			nq, err := sq.Queue(ctx, c.s.QueueURL)
			if err != nil {
				return fmt.Errorf("re-created queue: %w", err)
			}
			q = nq
			return nil
		})
		if q.ARN == "" {
			return
		}
	} else if err != nil {
		c.failed(c.s.QueueURL, err)
		return
	}
	if redrive != "" && !redrivesTo(q.RedrivePolicy, dlqARN) {
		c.found(ctx, Finding{Code: "queue-redrive-missing", Severity: "high", Resource: c.s.QueueURL,
			Message: "queue " + c.s.QueueURL + " has no redrive policy to " + dlqARN,
			Action:  "SetQueueAttributes RedrivePolicy=" + redrive}, func(ctx context.Context) error {
			return sq.SetAttributes(ctx, c.s.QueueURL, map[string]string{"RedrivePolicy": redrive})
		})
	}
	if c.s.TopicARN == "" {
		return
	}
	want := statement{Sid: "AllowTrailTopic", Effect: "Allow", Principal: map[string]any{"Service": "sns.amazonaws.com"},
		Action: "sqs:SendMessage", Resource: q.ARN, Condition: map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": c.s.TopicARN}}}
	if !allows(q.Policy, "sns.amazonaws.com", "sqs:SendMessage", c.s.TopicARN) {
		merged, err := withStatement(q.Policy, want)
		f := Finding{Code: "queue-policy", Severity: "high", Resource: c.s.QueueURL,
			Message: "queue policy of " + c.s.QueueURL + " does not let topic " + c.s.TopicARN + " send",
			Action:  "re-apply statement AllowTrailTopic (other statements kept)"}
		c.found(ctx, f, func(ctx context.Context) error {
			if err != nil {
				return err
			}
			return sq.SetAttributes(ctx, c.s.QueueURL, map[string]string{"Policy": merged})
		})
	}
	c.queueARN = q.ARN
}

// redrivesTo reports whether a RedrivePolicy sends to dlqARN.
func redrivesTo(policy, dlqARN string) bool {
	var p struct {
		DeadLetterTargetArn string `json:"deadLetterTargetArn"`
	}
	return json.Unmarshal([]byte(policy), &p) == nil && p.DeadLetterTargetArn == dlqARN
}

// checkTopic checks the trail's topic: it exists, lets CloudTrail publish,
// and the queue is subscribed.
func (c *checker) checkTopic(ctx context.Context) {
	topic := c.s.TopicARN
	if topic == "" {
		return
	}
	sn := c.o.SNS
	policy, err := sn.TopicPolicy(ctx, topic)
	if errors.Is(err, ErrNotFound) {
		created := false
		c.found(ctx, Finding{Code: "topic-deleted", Severity: "critical", Resource: topic,
			Message: "topic " + topic + " does not exist: CloudTrail cannot notify",
			Action:  "CreateTopic " + shortName(topic)}, func(ctx context.Context) error {
			arn, err := sn.CreateTopic(ctx, shortName(topic))
			if err == nil && arn != topic {
				err = fmt.Errorf("re-created topic has ARN %s, not %s", arn, topic)
			}
			created = err == nil
			return err
		})
		if !created {
			return
		}
		policy = ""
	} else if err != nil {
		c.failed(topic, err)
		return
	}
	trailARN := ""
	if c.o.Account != "" {
		trailARN = "arn:aws:cloudtrail:" + c.o.Region + ":" + c.o.Account + ":trail/" + c.s.Trail
	}
	if !allows(policy, "cloudtrail.amazonaws.com", "sns:Publish", "") {
		want := statement{Sid: "AWSCloudTrailSNSPolicy", Effect: "Allow", Principal: map[string]any{"Service": "cloudtrail.amazonaws.com"},
			Action: "sns:Publish", Resource: topic}
		if trailARN != "" {
			want.Condition = map[string]any{"StringEquals": map[string]any{"aws:SourceArn": trailARN}}
		}
		merged, merr := withStatement(policy, want)
		c.found(ctx, Finding{Code: "topic-policy", Severity: "high", Resource: topic,
			Message: "topic policy of " + topic + " does not let CloudTrail publish",
			Action:  "re-apply statement AWSCloudTrailSNSPolicy (other statements kept)"}, func(ctx context.Context) error {
			if merr != nil {
				return merr
			}
			return sn.SetTopicPolicy(ctx, topic, merged)
		})
	}
	if c.queueARN == "" {
		return
	}
	ok, err := sn.Subscribed(ctx, topic, c.queueARN)
	if err != nil {
		c.failed(topic, err)
		return
	}
	if !ok {
		// The subscription is the queue's: Cairn owns it when it owns the
		// queue, whoever owns the topic.
		f := Finding{Code: "queue-unsubscribed", Severity: "critical", Resource: c.s.QueueURL,
			Message: "queue " + c.s.QueueURL + " is not subscribed to topic " + topic,
			Action:  "Subscribe " + c.queueARN + " to " + topic}
		c.found(ctx, f, func(ctx context.Context) error { return sn.Subscribe(ctx, topic, c.queueARN) })
	}
}
