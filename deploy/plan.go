package deploy

// plan is a normalized set of options and the documents derived from them.
type plan struct {
	o   Options
	tok map[string]token
}

func newPlan(o Options) (*plan, error) {
	if err := o.Normalize(); err != nil {
		return nil, err
	}
	p := &plan{o: o}
	p.tok = p.tokens()
	return p, nil
}

func (p *plan) automated() bool { return p.o.Mode == Automated }
func (p *plan) org() bool       { return p.o.Scope != ScopeAccount }

// hasKey reports whether log objects are SSE-KMS encrypted with a key the
// reader must be allowed to use.
func (p *plan) hasKey() bool { return p.automated() || p.o.KMSKeyARN != "" }

// viaTopic reports whether the queue is fed by an SNS topic (CloudTrail's
// own notifications) rather than by an S3 event notification.
func (p *plan) viaTopic() bool { return p.automated() || p.o.TopicARN != "" }

// keyArn is the key ARN as a value: the created key or the given literal.
func (p *plan) keyArn() any {
	if p.automated() {
		return Sub("${KeyArn}")
	}
	return p.o.KMSKeyARN
}

// Names and ARNs every renderer shares.
const (
	subBucketArn  = Sub("arn:${Partition}:s3:::${Bucket}")
	subLogsArn    = Sub("arn:${Partition}:s3:::${Bucket}/AWSLogs/*")
	subObjectsArn = Sub("arn:${Partition}:s3:::${Bucket}/*")
	subTrailName  = Sub("${Prefix}-trail")
	subTrailArn   = Sub("arn:${Partition}:cloudtrail:${Region}:${AccountId}:trail/${Prefix}-trail")
	subAnyTrail   = Sub("arn:${Partition}:cloudtrail:*:${AccountId}:trail/*")
	subRoleName   = Sub("${Prefix}-reader")
	subCleanName  = Sub("${Prefix}-bucket-cleanup")
	subCleanLogs  = Sub("arn:${Partition}:logs:${Region}:${AccountId}:log-group:/aws/lambda/${Prefix}-bucket-cleanup:*")
	subRootArn    = Sub("arn:${Partition}:iam::${AccountId}:root")
)

// outputs are the values the collector's configuration needs.
func (p *plan) outputs() Obj {
	out := obj(
		"QueueUrl", Sub("${QueueUrl}"),
		"QueueArn", Sub("${QueueArn}"),
		"BucketName", Sub("${Bucket}"),
		"ReaderArn", Sub("${ReaderArn}"),
	)
	if p.automated() {
		out = append(out, KV{"TrailArn", subTrailArn}, KV{"KeyArn", Sub("${KeyArn}")}, KV{"TopicArn", Sub("${TopicArn}")})
	}
	if p.with(WithFirehose) {
		out = append(out, KV{"FirehoseAccessKeySecretArn", Sub("${FirehoseSecret}")})
	}
	return out
}
