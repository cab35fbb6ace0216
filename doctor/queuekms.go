package doctor

import (
	"context"
	"fmt"
	"strings"
)

// checkQueueEncryption checks an SSE-KMS queue's key (only when the queue
// has one): S3 and SNS must be able to encrypt to it, and the reader to
// decrypt from it. The AWS-managed alias/aws/sqs key allows neither
// service.
func (r *run) checkQueueEncryption(ctx context.Context) {
	id := r.attrs["KmsMasterKeyId"]
	if id == "" {
		return
	}
	services := "S3 and SNS"
	if len(r.senders) > 0 {
		var names []string
		for _, s := range r.senders {
			names = append(names, s.service)
		}
		services = strings.Join(names, " and ")
	}
	managedFix := "encrypt the queue with SSE-SQS (SqsManagedSseEnabled=true) or a customer-managed key whose policy allows " +
		services + " kms:GenerateDataKey* and kms:Decrypt"
	if id == "alias/aws/sqs" || strings.HasSuffix(id, ":alias/aws/sqs") {
		r.add("queue.encryption", Fail, "the queue is encrypted with the AWS-managed key alias/aws/sqs, which "+services+" cannot use: their notifications never arrive", managedFix)
		return
	}
	if r.o.Keys == nil {
		return
	}
	k, err := call(ctx, r, func(ctx context.Context) (Key, error) { return r.o.Keys.DescribeKey(ctx, id) })
	switch {
	case err != nil:
		r.cannotCheck("queue.encryption", "the queue's KMS key", err, "kms:DescribeKey", id)
		return
	case k.Manager != "CUSTOMER":
		r.add("queue.encryption", Fail, "the queue is encrypted with AWS-managed key "+k.ARN+", which "+services+" cannot use", managedFix)
		return
	case k.State != "Enabled":
		r.add("queue.encryption", Fail, "the queue's KMS key "+k.ARN+" is "+k.State+": nothing can be sent to or received from the queue",
			"enable the key (aws kms enable-key) or cancel its deletion")
		return
	}
	p, ok := r.keyPolicy(ctx, "queue.encryption", k.ARN)
	if !ok {
		return
	}
	for _, s := range r.senders {
		keys := map[string]string{"aws:sourcearn": s.arn, "aws:sourceaccount": arnPart(s.arn, 4)}
		gen := evaluate(p, s.service, "kms:GenerateDataKey", k.ARN, keys)
		dec := evaluate(p, s.service, "kms:Decrypt", k.ARN, keys)
		if !gen.allowed || gen.denied || !dec.allowed || dec.denied {
			r.add("queue.encryption", Fail, "the queue's key "+k.ARN+" does not let "+s.service+" encrypt messages for the queue: its notifications are refused",
				fmt.Sprintf(`add to the key policy: {"Effect":"Allow","Principal":{"Service":"%s"},"Action":["kms:GenerateDataKey*","kms:Decrypt"],"Resource":"*"}`, s.service))
			return
		}
	}
	if v := r.keyAllows(p, "kms:Decrypt"); !v.allowed || v.denied {
		r.add("queue.encryption", Fail, "the queue's key "+k.ARN+" does not let "+r.who()+" kms:Decrypt: receiving fails",
			fmt.Sprintf(`add to the key policy: {"Effect":"Allow","Principal":{"AWS":"%s"},"Action":"kms:Decrypt","Resource":"*"}`, r.who()))
		return
	}
	r.add("queue.encryption", OK, "the queue's customer-managed key "+k.ARN+" lets the senders encrypt and the reader decrypt", "")
}
