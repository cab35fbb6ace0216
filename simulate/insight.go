package simulate

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// Calls Insights reports unusual rates of.
var insightTargets = []struct{ source, name, agent string }{
	{"ec2.amazonaws.com", "DescribeInstances", "aws-cli/2.15.30"},
	{"iam.amazonaws.com", "GetUser", "Boto3/1.34.69"},
	{"ssm.amazonaws.com", "UpdateInstanceInformation", "aws-sdk-go/1.44.299"},
	{"secretsmanager.amazonaws.com", "GetSecretValue", "aws-sdk-go-v2/1.30.3"},
	{"s3.amazonaws.com", "ListBuckets", "S3 Browser 11.5.7 https://s3browser.com"},
}

// InsightFile generates a CloudTrail Insights file for a random account
// and region at the current clock: a key under CloudTrail-Insight/ and a
// body with a Start and an End record (eventType "AwsCloudTrailInsight",
// eventCategory "Insight") sharing a sharedEventID. It does not advance
// the clock.
func (g *Generator) InsightFile() (File, error) {
	acct := pick(g, g.accounts)
	region := pick(g, g.regions)
	t := g.clock
	a := g.acct(acct)
	target := pick(g, insightTargets)
	errorRate := g.r.IntN(3) == 0
	shared := g.uuid()
	baseline := float64(1+g.r.IntN(900)) / 100
	burst := baseline * float64(8+g.r.IntN(60))
	dur := int64(1 + g.r.IntN(20))
	arn := "arn:aws:sts::" + acct + ":assumed-role/" + pick(g, a.roles).name + "/" + pick(g, userNames)

	var w jw
	w.b = append(w.b, `{"Records":[`...)
	var ids []string
	for i, state := range []string{"Start", "End"} {
		et := t.Add(-time.Duration(dur+1)*time.Minute + time.Duration(i)*time.Duration(dur)*time.Minute).Truncate(time.Minute)
		w.obj()
		w.kstr("eventVersion", "1.08")
		w.ktime("eventTime", et, "2006-01-02T15:04:05Z")
		w.kstr("awsRegion", region)
		w.key("eventID")
		at := len(w.b) + 1
		w.str(g.uuid())
		ids = append(ids, string(w.b[at:at+36]))
		w.kstr("eventType", "AwsCloudTrailInsight")
		w.kstr("recipientAccountId", acct)
		w.kstr("sharedEventID", shared)
		w.kobj("insightDetails")
		w.kstr("state", state)
		w.kstr("eventSource", target.source)
		w.kstr("eventName", target.name)
		if errorRate {
			w.kstr("insightType", "ApiErrorRateInsight")
			w.kstr("errorCode", "AccessDenied")
		} else {
			w.kstr("insightType", "ApiCallRateInsight")
		}
		w.kobj("insightContext")
		w.kobj("statistics")
		w.kobj("baseline")
		w.kfloat("average", baseline)
		w.end()
		w.kobj("insight")
		w.kfloat("average", burst)
		w.end()
		if state == "End" {
			w.kint("insightDuration", dur)
			w.kint("baselineDuration", 10080)
		}
		w.end()
		w.karr("attributions")
		attribution(&w, "userIdentityArn", arn, burst*0.9, baseline)
		attribution(&w, "userAgent", target.agent, burst, baseline)
		code := "null"
		if errorRate {
			code = "AccessDenied"
		}
		attribution(&w, "errorCode", code, burst, baseline)
		w.endA()
		w.end()
		w.end()
		w.kstr("eventCategory", "Insight")
		w.end()
	}
	w.b = append(w.b, "]}"...)
	body, err := g.compress(w.b)
	if err != nil {
		return File{}, err
	}
	key := g.objectKey(acct, region, "CloudTrail-Insight", t, "_"+g.rs(alnumChars, 16))
	return File{Key: key, Account: acct, Region: region, Events: len(ids), EventIDs: ids,
		Body: body, RawBytes: int64(len(w.b)), Time: t}, nil
}

func attribution(w *jw, attr, value string, insight, baseline float64) {
	w.obj()
	w.kstr("attribute", attr)
	w.karr("insight")
	w.obj()
	w.kstr("value", value)
	w.kfloat("average", insight)
	w.end()
	w.endA()
	w.karr("baseline")
	w.obj()
	w.kstr("value", value)
	w.kfloat("average", baseline)
	w.end()
	w.endA()
	w.end()
}

// prevDigest links a digest to the one before it.
type prevDigest struct{ key, hash, signature string }

// DigestFile generates a digest file covering logKeys at the current
// clock (digestEndTime; the digest covers the hour before it). Account
// and region come from the first key (the next account and region when
// logKeys is empty: an empty digest). The key follows the digest layout
// <acct>_CloudTrail-Digest_<region>_<trail>_<home-region>_<YYYYMMDDTHHmmssZ>.json.gz
// under CloudTrail-Digest/. Successive digests of an account and region
// chain through previousDigest*; the first has them null. hashValue is
// the SHA-256 of the uncompressed log file for keys this generator made
// recently (its last 4096 files), otherwise a stand-in derived from the
// key. Signatures are random hex: they do not verify against any key.
func (g *Generator) DigestFile(logKeys []string) (File, error) {
	acct, region := pick(g, g.accounts), pick(g, g.regions)
	if len(logKeys) > 0 {
		if a, r, ok := keyAccountRegion(logKeys[0]); ok {
			acct, region = a, r
		}
	}
	end := g.clock.Truncate(time.Second)
	start := end.Add(-time.Hour)
	a := g.acct(acct)
	home := g.regions[0]
	key := g.objectKey(acct, region, "CloudTrail-Digest", end,
		a.trail+"_"+home+"_"+end.Format("20060102T150405Z"))
	bucket := g.opts.Bucket
	prev, chained := g.digests[acct+"/"+region]

	var w jw
	w.obj()
	w.kstr("awsAccountId", acct)
	w.ktime("digestStartTime", start, "2006-01-02T15:04:05Z")
	w.ktime("digestEndTime", end, "2006-01-02T15:04:05Z")
	w.kstr("digestS3Bucket", bucket)
	w.kstr("digestS3Object", key)
	w.kstr("digestPublicKeyFingerprint", g.rs(hexDigits, 32))
	w.kstr("digestSignatureAlgorithm", "SHA256withRSA")
	var oldest, newest time.Time
	infos := make([]logInfo, len(logKeys))
	for i, k := range logKeys {
		info, ok := g.logs[k]
		if !ok {
			sum := sha256.Sum256([]byte(k))
			info = logInfo{hash: hex.EncodeToString(sum[:]), oldest: start, newest: end}
		}
		infos[i] = info
		if oldest.IsZero() || info.oldest.Before(oldest) {
			oldest = info.oldest
		}
		newest = maxTime(newest, info.newest)
	}
	if len(logKeys) == 0 {
		w.knull("newestEventTime")
		w.knull("oldestEventTime")
	} else {
		w.ktime("newestEventTime", newest, "2006-01-02T15:04:05Z")
		w.ktime("oldestEventTime", oldest, "2006-01-02T15:04:05Z")
	}
	if chained {
		w.kstr("previousDigestS3Bucket", bucket)
		w.kstr("previousDigestS3Object", prev.key)
		w.kstr("previousDigestHashValue", prev.hash)
		w.kstr("previousDigestHashAlgorithm", "SHA-256")
		w.kstr("previousDigestSignature", prev.signature)
	} else {
		for _, f := range []string{"previousDigestS3Bucket", "previousDigestS3Object", "previousDigestHashValue",
			"previousDigestHashAlgorithm", "previousDigestSignature"} {
			w.knull(f)
		}
	}
	w.karr("logFiles")
	for i, k := range logKeys {
		w.obj()
		w.kstr("s3Bucket", bucket)
		w.kstr("s3Object", k)
		w.kstr("hashValue", infos[i].hash)
		w.kstr("hashAlgorithm", "SHA-256")
		w.ktime("newestEventTime", infos[i].newest, "2006-01-02T15:04:05Z")
		w.ktime("oldestEventTime", infos[i].oldest, "2006-01-02T15:04:05Z")
		w.end()
	}
	w.endA()
	w.end()

	sum := sha256.Sum256(w.b)
	g.digests[acct+"/"+region] = prevDigest{key: key, hash: hex.EncodeToString(sum[:]), signature: g.rs(hexDigits, 512)}
	body, err := g.compress(w.b)
	if err != nil {
		return File{}, err
	}
	return File{Key: key, Account: acct, Region: region, Body: body, RawBytes: int64(len(w.b)), Time: end}, nil
}

// keyAccountRegion extracts the account and region from a CloudTrail key.
func keyAccountRegion(key string) (acct, region string, ok bool) {
	parts := strings.Split(key, "/")
	for i, p := range parts {
		if (p == "CloudTrail" || p == "CloudTrail-Insight") && i > 0 && i+1 < len(parts) {
			return parts[i-1], parts[i+1], true
		}
	}
	return "", "", false
}
