package doctor

import (
	"context"
	"fmt"
	"strings"
)

// subscribed returns the queue's subscription among subs, or nil.
func subscribed(subs []Subscription, queueARN string) *Subscription {
	for i, s := range subs {
		if strings.EqualFold(s.Protocol, "sqs") && s.Endpoint == queueARN {
			return &subs[i]
		}
	}
	return nil
}

func bucketARN(r *run, bucket string) string {
	return "arn:" + arnPart(r.queue, 1) + ":s3:::" + bucket
}

// checkDelivery checks that the trail's topic, or the bucket's event
// notification, delivers to the queue, and records who must be allowed to
// send for the queue policy check.
func (r *run) checkDelivery(ctx context.Context) {
	if r.trail != nil && r.trail.TopicARN != "" && r.o.Topics != nil {
		topic := r.trail.TopicARN
		r.senders = append(r.senders, sender{"sns.amazonaws.com", topic})
		subs, err := call(ctx, r, func(ctx context.Context) ([]Subscription, error) { return r.o.Topics.Subscriptions(ctx, topic) })
		if err != nil {
			r.cannotCheck("delivery", "the topic's subscriptions", err, "sns:ListSubscriptionsByTopic", topic)
			return
		}
		s := subscribed(subs, r.queue)
		switch {
		case s == nil:
			r.senders = r.senders[:len(r.senders)-1]
			if r.bucketNotifies(ctx) {
				return
			}
			r.senders = append(r.senders, sender{"sns.amazonaws.com", topic})
			r.add("delivery", Fail, "the trail notifies SNS topic "+topic+", but this queue is not subscribed to it: no notifications arrive",
				fmt.Sprintf("aws sns subscribe --topic-arn %s --protocol sqs --notification-endpoint %s", topic, r.queue))
		case s.ARN == "PendingConfirmation" || s.ARN == "":
			r.add("delivery", Fail, "the queue's subscription to "+topic+" is pending confirmation",
				"confirm it (the SubscriptionConfirmation message in the queue holds the SubscribeURL), or subscribe again from the topic owner's account")
		default:
			r.add("delivery", OK, "CloudTrail → SNS "+topic+" → this queue (subscribed)", "")
		}
		return
	}
	if r.bucket == "" || r.o.Buckets == nil {
		r.add("delivery", Warn, "not checked: no trail topic or bucket known", "give --trail or --bucket")
		return
	}
	if !r.bucketNotifies(ctx) {
		r.senders = append(r.senders, sender{"s3.amazonaws.com", bucketARN(r, r.bucket)})
		r.add("delivery", Fail, "bucket "+r.bucket+" does not notify this queue of new objects",
			fmt.Sprintf(`aws s3api put-bucket-notification-configuration --bucket %s --notification-configuration '{"QueueConfigurations":[{"QueueArn":"%s","Events":["s3:ObjectCreated:*"],"Filter":{"Key":{"FilterRules":[{"Name":"prefix","Value":"%s"}]}}}]}'`,
				r.bucket, r.queue, r.prefix))
	}
}

// bucketNotifies checks the bucket's notification configuration for the
// queue (directly or through a topic it is subscribed to) and reports
// whether it added a result.
func (r *run) bucketNotifies(ctx context.Context) bool {
	if r.bucket == "" || r.o.Buckets == nil {
		return false
	}
	n, err := call(ctx, r, func(ctx context.Context) (Notification, error) { return r.o.Buckets.BucketNotification(ctx, r.bucket) })
	if err != nil {
		r.cannotCheck("delivery", "the bucket's event notifications", err, "s3:GetBucketNotification", "arn:aws:s3:::"+r.bucket)
		return true
	}
	covers := func(t NotificationTarget) bool {
		created := false
		for _, e := range t.Events {
			if strings.HasPrefix(e, "s3:ObjectCreated:") {
				created = true
			}
		}
		return created && (strings.HasPrefix(r.prefix, t.Prefix) || strings.HasPrefix(t.Prefix, r.prefix))
	}
	for _, q := range n.Queues {
		if q.ARN == r.queue {
			r.senders = append(r.senders, sender{"s3.amazonaws.com", bucketARN(r, r.bucket)})
			if !covers(q) {
				r.add("delivery", Fail, fmt.Sprintf("bucket %s notifies this queue, but not of new objects under %s (events %v, prefix %q)", r.bucket, r.prefix, q.Events, q.Prefix),
					"notify s3:ObjectCreated:* with a prefix filter that covers "+r.prefix)
				return true
			}
			r.add("delivery", OK, "S3 "+r.bucket+" → this queue (event notification)", "")
			return true
		}
	}
	if r.o.Topics != nil {
		for _, t := range n.Topics {
			subs, err := call(ctx, r, func(ctx context.Context) ([]Subscription, error) { return r.o.Topics.Subscriptions(ctx, t.ARN) })
			if err == nil && subscribed(subs, r.queue) != nil && covers(t) {
				r.senders = append(r.senders, sender{"sns.amazonaws.com", t.ARN})
				r.add("delivery", OK, "S3 "+r.bucket+" → SNS "+t.ARN+" → this queue", "")
				return true
			}
		}
	}
	if n.EventBridge {
		r.add("delivery", Warn, "bucket "+r.bucket+" sends events to EventBridge; doctor cannot see whether a rule targets this queue",
			"check that an EventBridge rule for Object Created in "+r.bucket+" targets "+r.queue)
		return true
	}
	return false
}
