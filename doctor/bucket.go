package doctor

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/cairn-sec/cairn"
)

func (r *run) checkBucket(ctx context.Context) {
	if r.o.Buckets == nil {
		return
	}
	if r.bucket == "" {
		r.add("bucket", Warn, "no bucket to check: the trail is unknown and no --bucket given", "give --bucket or --trail")
		return
	}
	b := r.bucket
	where := "s3://" + b + "/" + r.prefix

	// Region.
	region, err := call(ctx, r, func(ctx context.Context) (string, error) { return r.o.Buckets.BucketRegion(ctx, b) })
	direct := slices.ContainsFunc(r.senders, func(s sender) bool { return s.service == "s3.amazonaws.com" })
	switch {
	case errors.Is(err, cairn.ErrNotFound):
		r.add("bucket.region", Fail, "bucket "+b+" does not exist", "check --bucket or the trail's S3 bucket")
		return
	case err != nil:
		r.cannotCheck("bucket.region", "the bucket's region", err, "s3:GetBucketLocation", "arn:aws:s3:::"+b)
	case region == r.region:
		r.add("bucket.region", OK, "bucket "+b+" and the queue are both in "+region, "")
	case direct:
		r.add("bucket.region", Fail, fmt.Sprintf("bucket %s is in %s but the queue in %s: S3 can only notify a queue in the bucket's region", b, region, r.region),
			"create the queue in "+region+" (or notify an SNS topic in "+region+" and subscribe this queue)")
	default:
		r.add("bucket.region", Warn, fmt.Sprintf("bucket %s is in %s, the queue in %s: cairn reads it, but every object crosses regions (latency, transfer cost)", b, region, r.region),
			"run the queue (and cairn) in "+region)
	}

	// Read: list the newest log files, then read the newest.
	newest, found, err := r.newest(ctx, b, r.prefix)
	switch {
	case denied(err):
		r.add("bucket.read", Fail, "not allowed to list "+where+": "+oneLine(err),
			fmt.Sprintf("allow s3:ListBucket on arn:aws:s3:::%s to %s", b, r.who()))
	case err != nil:
		r.add("bucket.read", Fail, "cannot list "+where+": "+oneLine(err), "")
	case !found:
		r.add("bucket.read", Warn, "listing works, but there is no object under "+where+" to try GetObject on", "")
		r.add("bucket.recent", Fail, "no log files under "+where, "check that the trail is logging to this bucket and prefix (--prefix)")
	default:
		r.readObject(ctx, b, newest)
		old := r.o.Now().Sub(newest.LastModified)
		if old > r.o.MaxObjectAge {
			r.add("bucket.recent", Warn, fmt.Sprintf("the newest log file is %s old (s3://%s/%s)", age(old), b, newest.Key),
				"CloudTrail delivers about every 5 minutes while there is activity: check that the trail is logging to this bucket and prefix")
		} else {
			r.add("bucket.recent", OK, fmt.Sprintf("the newest log file is %s old", age(old)), "")
		}
	}
	r.checkRetention(ctx)
}

func (r *run) readObject(ctx context.Context, b string, o Object) {
	_, err := call(ctx, r, func(ctx context.Context) (struct{}, error) { return struct{}{}, r.o.Buckets.ReadObject(ctx, b, o.Key) })
	obj := "s3://" + b + "/" + o.Key
	key := "the bucket's KMS key"
	if r.trail != nil && r.trail.KMSKeyID != "" {
		key = r.trail.KMSKeyID
	}
	switch {
	case errors.Is(err, cairn.ErrKMSAccessDenied):
		r.add("bucket.read", Fail, "S3 allowed the read of "+obj+" but KMS refused to decrypt it: "+oneLine(err),
			fmt.Sprintf("allow kms:Decrypt on %s to %s, in its IAM policy and in the key policy", key, r.who()))
	case errors.Is(err, cairn.ErrAccessDenied):
		r.add("bucket.read", Fail, "S3 refused GetObject on "+obj+": "+oneLine(err),
			fmt.Sprintf("allow s3:GetObject on arn:aws:s3:::%s/%s* to %s (and check the bucket policy)", b, r.prefix, r.who()))
	case err != nil:
		r.add("bucket.read", Fail, "cannot read "+obj+": "+oneLine(err), "")
	default:
		r.add("bucket.read", OK, "listed "+"s3://"+b+"/"+r.prefix+" and read "+o.Key, "")
	}
}

var dateLike = regexp.MustCompile(`^\d+/$`)

// maxLists bounds the listings one newest-object search makes.
const maxLists = 60

// newest finds the newest object under prefix without listing the whole
// bucket: CloudTrail keys are date-partitioned (…/YYYY/MM/DD/), so at a
// level whose sub-prefixes are all numbers only the largest is followed;
// other levels (accounts, regions) are all followed, within maxLists.
func (r *run) newest(ctx context.Context, bucket, prefix string) (Object, bool, error) {
	var best Object
	found := false
	queue := []string{prefix}
	for lists := 0; len(queue) > 0 && lists < maxLists; lists++ {
		p := queue[0]
		queue = queue[1:]
		l, err := call(ctx, r, func(ctx context.Context) (Listing, error) { return r.o.Buckets.List(ctx, bucket, p) })
		if err != nil {
			if found {
				break
			}
			return Object{}, false, err
		}
		for _, o := range l.Objects {
			if !found || o.LastModified.After(best.LastModified) {
				best, found = o, true
			}
		}
		dates := len(l.Prefixes) > 0
		for _, sub := range l.Prefixes {
			if !dateLike.MatchString(strings.TrimPrefix(sub, p)) {
				dates = false
			}
		}
		if dates {
			queue = append(queue, slices.MaxFunc(l.Prefixes, func(a, b string) int {
				// numeric order: longer is larger, then lexicographic
				if len(a) != len(b) {
					return len(a) - len(b)
				}
				return strings.Compare(a, b)
			}))
		} else {
			for _, sub := range l.Prefixes {
				if !strings.Contains(strings.TrimPrefix(sub, p), "Digest") {
					queue = append(queue, sub)
				}
			}
		}
	}
	return best, found, nil
}

func (r *run) checkRetention(ctx context.Context) {
	b := r.bucket
	rules, err := call(ctx, r, func(ctx context.Context) ([]LifecycleRule, error) { return r.o.Buckets.BucketLifecycle(ctx, b) })
	if err != nil {
		r.cannotCheck("bucket.retention", "the bucket's lifecycle", err, "s3:GetLifecycleConfiguration", "arn:aws:s3:::"+b)
		return
	}
	shortest, rule := 0, ""
	for _, l := range rules {
		if !l.Enabled || l.ExpirationDays <= 0 || !(strings.HasPrefix(r.prefix, l.Prefix) || strings.HasPrefix(l.Prefix, r.prefix)) {
			continue
		}
		if shortest == 0 || l.ExpirationDays < shortest {
			shortest, rule = l.ExpirationDays, l.ID
		}
	}
	switch {
	case shortest == 0:
		r.add("bucket.retention", OK, "no lifecycle expiration covers the log files: they are kept", "")
	case shortest < r.o.MinRetentionDays:
		r.add("bucket.retention", Fail, fmt.Sprintf("lifecycle rule %q deletes log files after %d day(s): after an outage longer than that, logs are gone before cairn reads them", rule, shortest),
			fmt.Sprintf("set the rule's expiration to at least %d days (90 or more is usual for audit logs)", r.o.MinRetentionDays))
	default:
		r.add("bucket.retention", OK, fmt.Sprintf("log files are kept %d days (lifecycle rule %q)", shortest, rule), "")
	}
}
