package search

import (
	"fmt"
	"strings"
	"testing"
)

// rows renders a result as "a=1 b=x; ..." lines, columns in order.
func rows(t *testing.T, q string) string {
	t.Helper()
	res := search(t, fixtureDB(t), q, Options{Now: goldenNow})
	var out []string
	for _, row := range res.Rows {
		var cells []string
		for i, v := range row {
			if v == nil {
				v = "NULL"
			}
			cells = append(cells, res.Columns[i]+"="+fmt.Sprint(v))
		}
		out = append(out, strings.Join(cells, " "))
	}
	return strings.Join(out, "\n")
}

// Every stage, run on the fixture store.
func TestStageResults(t *testing.T) {
	for _, tc := range []struct{ query, want string }{
		{`event_name:ConsoleLogin AND status:Failure | stats count() as fails, dcount(user_name) as users by source_ip | where fails > 0 | sort -fails, source_ip`,
			"source_ip=203.0.113.50 fails=1 users=1\nsource_ip=203.0.113.51 fails=1 users=1"},
		{`event_name:ConsoleLogin | summarize fails=countif(status == "failure"), n=count() by user_name | where fails * 2 >= n | order by user_name asc`,
			"user_name=alice fails=1 n=2\nuser_name=bob fails=1 n=1"},
		{`| stats count by event_source | sort -count, event_source | head 3`,
			"event_source=iam.amazonaws.com count=5\nevent_source=signin.amazonaws.com count=5\nevent_source=s3.amazonaws.com count=4"},
		{`user_name:alice | stats min(time) as first, max(time) as last, values(aws_region) as regions, top(event_name, 1) as top by user_name`,
			"user_name=alice first=2024-05-01T08:00:00Z last=2024-05-03T02:00:00Z regions=[eu-west-1 us-east-1] top=[ConsoleLogin]"},
		{`event_source:ec2.amazonaws.com | stats avg(activity_id) as a, sum(activity_id) as s, earliest(event_name) as e, latest(event_name) as l`,
			"a=2 s=6 e=DescribeInstances l=AuthorizeSecurityGroupIngress"},
		{`time:2024-05-01 | timechart span=4h count() as n`,
			"time=2024-05-01T08:00:00Z n=10\ntime=2024-05-01T12:00:00Z n=5"},
		{`event_name:ConsoleLogin | bin time span=1d | stats count() by time`,
			"time=2024-05-01T00:00:00Z count=4\ntime=2024-05-03T00:00:00Z count=1"},
		{`event_name:ConsoleLogin | bin span=1d time as day | stats count() as n, dcount(user_name) as u by day`,
			"day=2024-05-01T00:00:00Z n=4 u=3\nday=2024-05-03T00:00:00Z n=1 u=1"},
		{`event_name:ConsoleLogin | sort time | head 2 | fields event_id, eventTime`,
			"event_id=e01 time=2024-05-01T08:00:00Z\nevent_id=e02 time=2024-05-01T08:05:00Z"},
		{`event_name:ConsoleLogin | sort by time | take 1 | project event_id`, "event_id=e19"},
		{`event_name:ConsoleLogin | sort 1 -time | fields event_id`, "event_id=e19"},
		{`event_source:sts.amazonaws.com | fields event_id, requestParameters.roleSessionName, userIdentity.invokedBy`,
			"event_id=e18 requestParameters.roleSessionName=NULL invoked_by=NULL\nevent_id=e15 requestParameters.roleSessionName=i-0abc invoked_by=ec2.amazonaws.com"},
		{`event_id:e07 | project event_id, who = upper(user_name), n = len(event_name) + 1`, "event_id=e07 who=ALICE n=17"},
		{`event_id:e07 | fields - raw, request_parameters, response_elements, additional_event_data, resources, s3_bucket, s3_key, record_index, ingested_at, source, event_type, account_id, user_principal_id, access_key_id, session_issuer_arn, invoked_by, user_agent, error_message, class_uid, type_uid, user_arn, user_type, level, dst_ip, src_port, dst_port, protocol, bytes, packets, action, direction, traffic_path, vpc_id, subnet_id, instance_id, interface_id, log_status, start_time, end_time, query_name, query_type, query_class, rcode, answers, cluster, namespace, component, log_group, log_stream, service, trace_id, pod, container, host, message, http_method, url, http_status, organization_id | project-away session_mfa, read_only, error_code`,
			"time=2024-05-01T10:01:00Z event_id=e07 event_name=AttachUserPolicy event_source=iam.amazonaws.com aws_region=us-east-1 user_name=alice source_ip=198.51.100.7 status=Success activity_id=3"},
		{`event_id:e07 | eval who = user_name, user_name = upper(user_name), target = requestParameters.userName | fields who, user_name, target`,
			"who=alice user_name=ALICE target=mallory"},
		{`event_id:(e05 OR e06) | extend mine = user_name = responseElements.accessKey.userName | fields event_id, mine`,
			"event_id=e06 mine=NULL\nevent_id=e05 mine=false"},
		{`event_id:e07 | rename event_name as op, user_name as who | fields op, who`, "op=AttachUserPolicy who=alice"},
		{`event_id:e07 | project-rename op = event_name | fields op`, "op=AttachUserPolicy"},
		{`user_name:(alice OR bob) | dedup user_name | fields user_name, event_id`, "user_name=alice event_id=e20\nuser_name=bob event_id=e16"},
		{`user_name:alice | dedup 2 user_name | fields event_id`, "event_id=e20\nevent_id=e17"},
		{`event_name:ConsoleLogin | distinct user_name`, "user_name=alice\nuser_name=bob\nuser_name=carol\nuser_name=root"},
		{`| top 2 event_source`, "event_source=iam.amazonaws.com count=5 percent=22.73\nevent_source=signin.amazonaws.com count=5 percent=22.73"},
		{`event_name:ConsoleLogin | top 1 status by user_name`,
			"user_name=alice status=Failure count=1 percent=50\nuser_name=bob status=Failure count=1 percent=100\nuser_name=carol status=Success count=1 percent=100\nuser_name=root status=Success count=1 percent=100"},
		{`| rare 2 aws_region`, "aws_region=ap-southeast-2 count=1 percent=4.55\naws_region=eu-west-1 count=1 percent=4.55"},
		{`error_code:* | count`, "count=4"},
		{`| where event_name = "consolelogin" and time >= "2024-05-03" | fields event_id`, "event_id=e19"},
		{`| filter event_name in ("CreateUser", "deleteuser") | fields event_id`, "event_id=e20\nevent_id=e06"},
		{`| where event_name !in ("ConsoleLogin") and user_name == "carol" | fields event_id`, "event_id=e18"},
		{`| where cidrmatch("2001:db8::/32", source_ip) | fields event_id`, "event_id=e16\nevent_id=e05\nevent_id=e04"},
		{`| where ipv4_is_in_range(source_ip, "10.1.0.0/16") | fields event_id`, "event_id=e12\nevent_id=e11"},
		{`| where user_agent contains "python" or user_agent startswith "terraform" | fields event_id`, "event_id=e18\nevent_id=e14"},
		{`| where event_name like "%Trail" | fields event_id`, "event_id=e13"},
		{`| where time > ago(3650d) and time < now() | count`, "count=22"},
		{`| where isnotempty(error_code) and not isnull(error_message) | count`, "count=4"},
		{`| where match(user_name, "^svc_") | fields user_name`, "user_name=svc_%admin"},
		{`user_name:alice | stats count() as n by hour = hour(time) | sort hour`,
			"hour=2 n=1\nhour=8 n=2\nhour=10 n=4\nhour=13 n=1"},
		{`| stats min(time) as first, max(time) as last, count() as n by user_name | where n > 4 | eval hours = (epoch(last) - epoch(first)) / 3600 | fields user_name, hours`,
			"user_name=alice hours=42"},
		{`event_name:ConsoleLogin
| stats count() by user_name
| sort -count, user_name
| head 1`, "user_name=alice count=2"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			if got := rows(t, tc.query); got != tc.want {
				t.Errorf("%s\n got:\n%s\nwant:\n%s", tc.query, got, tc.want)
			}
		})
	}
}
