package vpcflow

import (
	"encoding/json"
	"path"
	"strings"
	"time"
)

// keyRegion reads the region from AWSLogs/<account>/vpcflowlogs/<region>/...
func keyRegion(key string) string {
	_, rest, ok := strings.Cut(key, "/vpcflowlogs/")
	if !ok {
		return ""
	}
	region, _, ok := strings.Cut(rest, "/")
	if !ok {
		return ""
	}
	return region
}

// keyTime reads the delivery time from a file name such as
// 123456789012_vpcflowlogs_us-east-1_fl-1234abcd_20180620T1620Z_fe123456.log.gz.
func keyTime(key string) time.Time {
	base := path.Base(key)
	if !strings.Contains(base, "_vpcflowlogs_") {
		return time.Time{}
	}
	for part := range strings.SplitSeq(base, "_") {
		if len(part) == len("20060102T1504Z") && part[8] == 'T' && part[13] == 'Z' {
			if t, err := time.Parse("20060102T1504Z", part); err == nil {
				return t.UTC()
			}
		}
	}
	return time.Time{}
}

// appendJSONString appends v as a JSON string.
func appendJSONString(b []byte, v string) []byte {
	j, _ := json.Marshal(v)
	return append(b, j...)
}
