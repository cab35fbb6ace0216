package doctor

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/cairn-sec/cairn"
)

// findTrail finds the trail feeding the source: the one named, else the
// one writing to the named bucket, else the only trail, else the one whose
// topic the queue is subscribed to. It sets the bucket and log prefix.
func (r *run) findTrail(ctx context.Context) {
	src := r.o.Source
	r.bucket = src.Bucket
	defer func() {
		prefix := src.Prefix
		if prefix == "" && r.trail != nil && (src.Bucket == "" || src.Bucket == r.trail.Bucket) {
			prefix = r.trail.Prefix
		}
		r.prefix = logPrefix(prefix)
	}()
	if r.o.Trails == nil {
		return
	}
	var names []string
	if src.Trail != "" {
		names = []string{src.Trail}
	}
	trails, err := call(ctx, r, func(ctx context.Context) ([]Trail, error) { return r.o.Trails.Trails(ctx, names) })
	if err != nil {
		r.cannotCheck("trail", "the trail", err, "cloudtrail:DescribeTrails", "*")
		return
	}
	if src.Trail != "" {
		if len(trails) == 0 {
			r.add("trail", Fail, "trail "+src.Trail+" not found from "+r.region,
				"check --trail; a trail of another region is found by its ARN (arn:aws:cloudtrail:<region>:<account>:trail/<name>)")
			return
		}
		r.trail = &trails[0]
	} else {
		var match []Trail
		for _, t := range trails {
			if src.Bucket == "" || t.Bucket == src.Bucket {
				match = append(match, t)
			}
		}
		if len(match) > 1 && r.o.Topics != nil {
			var fed []Trail
			for _, t := range match {
				if t.TopicARN == "" {
					continue
				}
				subs, err := call(ctx, r, func(ctx context.Context) ([]Subscription, error) { return r.o.Topics.Subscriptions(ctx, t.TopicARN) })
				if err == nil && subscribed(subs, r.queue) != nil {
					fed = append(fed, t)
				}
			}
			if len(fed) > 0 {
				match = fed
			}
		}
		if len(match) != 1 {
			detail := "no trail found"
			if src.Bucket != "" {
				detail += " writing to bucket " + src.Bucket
			}
			if len(match) > 1 {
				detail = fmt.Sprintf("%d trails could feed this queue; not sure which", len(match))
			}
			r.add("trail", Warn, detail+": trail checks skipped", "name the trail with --trail NAME")
			return
		}
		r.trail = &match[0]
	}
	if r.bucket == "" {
		r.bucket = r.trail.Bucket
	}
}

// logPrefix is where CloudTrail writes under a trail's S3 key prefix.
func logPrefix(prefix string) string {
	prefix = strings.Trim(prefix, "/")
	if prefix == "" {
		return "AWSLogs/"
	}
	if strings.HasSuffix(prefix, "AWSLogs") {
		return prefix + "/"
	}
	return prefix + "/AWSLogs/"
}

func (r *run) checkTrail(ctx context.Context) {
	t := r.trail
	if t == nil {
		return
	}
	where := "s3://" + t.Bucket + "/" + strings.TrimPrefix(t.Prefix+"/", "/")
	r.add("trail", OK, fmt.Sprintf("trail %s (home %s) writes to %s", t.ARN, t.HomeRegion, where), "")
	st, err := call(ctx, r, func(ctx context.Context) (TrailStatus, error) { return r.o.Trails.TrailStatus(ctx, t.ARN) })
	switch {
	case errors.Is(err, cairn.ErrNotFound):
		r.add("trail.logging", Fail, "GetTrailStatus does not find "+t.ARN, "")
	case err != nil:
		r.cannotCheck("trail.logging", "whether the trail is logging", err, "cloudtrail:GetTrailStatus", t.ARN)
	case !st.Logging:
		r.add("trail.logging", Fail, "trail "+t.Name+" is not logging: no new log files are written",
			fmt.Sprintf("aws cloudtrail start-logging --name %s --region %s", t.ARN, t.HomeRegion))
	case st.LatestDeliveryError != "":
		r.add("trail.logging", Fail, "trail "+t.Name+" is logging but its last delivery failed: "+st.LatestDeliveryError,
			"the bucket policy must allow cloudtrail.amazonaws.com s3:PutObject (and the KMS key policy kms:GenerateDataKey*)")
	default:
		d := "trail " + t.Name + " is logging"
		if !st.LatestDeliveryTime.IsZero() {
			d += fmt.Sprintf("; last delivery %s ago", age(r.o.Now().Sub(st.LatestDeliveryTime)))
		}
		r.add("trail.logging", OK, d, "")
	}
	if t.MultiRegion {
		r.add("trail.multi-region", OK, "the trail records every region", "")
	} else {
		r.add("trail.multi-region", Warn, "the trail records only "+t.HomeRegion+": activity in other regions is not logged",
			fmt.Sprintf("aws cloudtrail update-trail --name %s --is-multi-region-trail --region %s", t.ARN, t.HomeRegion))
	}
	if t.Validation {
		r.add("trail.validation", OK, "log file validation is on (cairn verify can prove files unchanged)", "")
	} else {
		r.add("trail.validation", Warn, "log file validation is off: no digest files, so tampering with log files cannot be detected",
			fmt.Sprintf("aws cloudtrail update-trail --name %s --enable-log-file-validation --region %s", t.ARN, t.HomeRegion))
	}
}
