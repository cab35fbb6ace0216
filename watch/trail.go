package watch

import (
	"context"
	"errors"
	"fmt"
)

func (c *checker) checkTrail(ctx context.Context) {
	ct := c.o.CloudTrail
	name := c.s.Trail
	t, err := ct.Trail(ctx, name)
	if errors.Is(err, ErrNotFound) {
		f := Finding{Code: "trail-deleted", Severity: "critical", Resource: name,
			Message: "trail " + name + " does not exist: no CloudTrail logs are delivered"}
		if c.s.Bucket == "" {
			c.found(ctx, f, nil) // nothing to re-create it with
			return
		}
		f.Action = fmt.Sprintf("CreateTrail %s (multi-region, log file validation, bucket %s, topic %s) and StartLogging", name, c.s.Bucket, c.s.TopicARN)
		c.found(ctx, f, func(ctx context.Context) error {
			nt, err := ct.CreateTrail(ctx, Trail{Name: name, Bucket: c.s.Bucket, TopicARN: c.s.TopicARN, MultiRegion: true, LogFileValidation: true})
			if err != nil {
				return err
			}
			t = nt
			return ct.StartLogging(ctx, name)
		})
		return
	}
	if err != nil {
		c.failed(name, err)
		return
	}
	if c.s.Bucket == "" {
		c.s.Bucket = t.Bucket
	} else if t.Bucket != c.s.Bucket {
		old := c.s.Bucket
		f := Finding{Code: "trail-bucket-changed", Severity: "high", Resource: name,
			Message: fmt.Sprintf("trail %s now delivers to bucket %s instead of %s", name, t.Bucket, old),
			Action:  "follow: read bucket " + t.Bucket + " from now on (the reader needs s3:GetObject on it)"}
		if c.found(ctx, f, func(context.Context) error { return nil }) {
			c.s.Bucket = t.Bucket
		}
	}
	switch {
	case t.TopicARN == "" && c.s.TopicARN != "":
		f := Finding{Code: "trail-topic-removed", Severity: "high", Resource: name,
			Message: "trail " + name + " no longer notifies an SNS topic: the queue receives nothing",
			Action:  "UpdateTrail SnsTopicName=" + c.s.TopicARN}
		c.found(ctx, f, func(ctx context.Context) error {
			return ct.UpdateTrail(ctx, name, TrailChange{TopicARN: &c.s.TopicARN})
		})
	case c.s.TopicARN == "":
		c.s.TopicARN = t.TopicARN
	case t.TopicARN != c.s.TopicARN:
		f := Finding{Code: "trail-topic-changed", Severity: "high", Resource: name,
			Message: fmt.Sprintf("trail %s now notifies topic %s instead of %s", name, t.TopicARN, c.s.TopicARN),
			Action:  "follow: subscribe the queue to " + t.TopicARN + " and allow it in the queue policy"}
		if c.found(ctx, f, func(context.Context) error { return nil }) {
			c.s.TopicARN = t.TopicARN
		}
	}
	on := true
	for _, x := range []struct {
		bad    bool
		f      Finding
		change TrailChange
	}{
		{!t.LogFileValidation, Finding{Code: "log-validation-off", Severity: "high",
			Message: "log file validation is off on trail " + name + ": digest files are not delivered, tampering goes unnoticed",
			Action:  "UpdateTrail EnableLogFileValidation=true"}, TrailChange{LogFileValidation: &on}},
		{!t.MultiRegion, Finding{Code: "trail-single-region", Severity: "medium",
			Message: "trail " + name + " is no longer multi-region: other regions' activity is not logged",
			Action:  "UpdateTrail IsMultiRegionTrail=true"}, TrailChange{MultiRegion: &on}},
	} {
		if x.bad {
			x.f.Resource = name
			c.found(ctx, x.f, func(ctx context.Context) error { return ct.UpdateTrail(ctx, name, x.change) })
		}
	}
	if !t.Logging {
		c.found(ctx, Finding{Code: "trail-stopped", Severity: "critical", Resource: name,
			Message: "trail " + name + " is not logging (StopLogging)",
			Action:  "StartLogging " + name}, func(ctx context.Context) error {
			return ct.StartLogging(ctx, name)
		})
	}
}

func (c *checker) checkBucket(ctx context.Context) {
	if c.s.Bucket == "" || c.o.Buckets == nil {
		return
	}
	ok, err := c.o.Buckets.BucketExists(ctx, c.s.Bucket)
	if err != nil {
		c.failed(c.s.Bucket, err)
		return
	}
	if !ok {
		// Never re-created: a bucket holds the log archive and its
		// policy; that is for a person to decide.
		c.found(ctx, Finding{Code: "bucket-missing", Severity: "critical", Resource: c.s.Bucket,
			Message: "bucket " + c.s.Bucket + " does not exist: CloudTrail cannot deliver"}, nil)
	}
}
