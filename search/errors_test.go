package search

import (
	"errors"
	"strings"
	"testing"
)

// Mistakes are reported with what was expected and where.
func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		query string
		col   int
		msg   string
	}{
		{`event_name:`, 12, `expected a value after "event_name:", got end of query`},
		{`(event_name:A`, 14, `expected ')' to close the '(' at column 1`},
		{`event_name:A)`, 13, `expected AND, OR, '|' or the end of the query, got ')'`},
		{`evnt_name:A`, 1, `unknown field "evnt_name"; did you mean event_name?`},
		{`time:[2024-05-01 2024-05-02]`, 18, `expected TO in the range`},
		{`time:[2024-05-01 TO 2024-05-02`, 31, `expected ']' or '}' to close the range`},
		{`time:[* TO *]`, 6, `expected at least one bound`},
		{`time:yesterday`, 6, `time "yesterday": want RFC 3339`},
		{`time:2024*`, 6, `wildcards do not apply to time`},
		{`read_only:maybe`, 11, `expected true or false for read_only`},
		{`class_uid:abc`, 11, `expected a whole number for class_uid`},
		{`activity_id:>x`, 14, `expected a number for activity_id`},
		{`user_name:/a(/`, 11, `bad regular expression`},
		{`"unterminated`, 1, `unterminated string`},
		{`/unterminated`, 1, `unterminated regular expression`},
		{`user_name:alice~2`, 16, `fuzzy (~) operators are not supported`},
		{`trailing\`, 9, `expected a character after '\'`},
		{`*:alice`, 1, `expected *:* (all events)`},
		{`user*:x`, 1, `wildcards in field names are not supported`},
		{`| stats`, 8, `expected an aggregation such as count()`},
		{`| stats frob(x)`, 9, `unknown aggregation frob()`},
		{`| stats count() by`, 17, `expected fields after by`},
		{`| stats count() as 1x`, 20, `expected a number or a duration`},
		{`| stats count() as (x)`, 20, `expected a column name after as`},
		{`| stats count() as "a b"`, 9, `expected a column name of letters`},
		{`| stats count(), count()`, 18, `two columns are named "count"`},
		{`| stats count() by user_name | where event_name = "x"`, 38, `field "event_name" (event_name) is not available here (columns: user_name, count)`},
		{`| stats count() by user_name | where time > "2024-05-01"`, 38, `field "time" (time) is not available here`},
		{`| fields user_name | where requestParameters.x = "a"`, 28, `reads the raw record, which this stage no longer has`},
		{`| frobnicate`, 3, `expected a stage name (where, stats (summarize)`},
		{`| where`, 8, `expected a value, a field name, a function call or '(', got end of query`},
		{`| where (a = 1`, 15, `expected ')' to close the '(' at column 9`},
		{`| where frob(user_name)`, 9, `unknown function frob()`},
		{`| where lower()`, 9, `lower() takes 1 argument`},
		{`| where x = 1 y`, 15, `expected '|' or the end of the query, got "y"`},
		{`| where user_name = "a" | sort len(user_name)`, 32, `expected a column to sort by`},
		{`| sort`, 7, `expected a field to sort by`},
		{`| order time`, 9, `expected by after order`},
		{`| head x`, 8, `expected '|' or the end of the query, got "x"`},
		{`| bin time`, 3, `expected span= in bin`},
		{`| bin user_name span=1h`, 7, `bin needs a time column, and user_name is not one`},
		{`| timechart span=0s`, 18, `expected a span of at least 1s`},
		{`| timechart span=xyz`, 18, `expected a duration after span=`},
		{`| eval 1 = 2`, 8, `expected name = expression`},
		{`| where ago(x)`, 9, `expected ago(DURATION)`},
		{`| where cidrmatch("nope", source_ip)`, 19, `expected a CIDR block`},
		{`| fields - raw, time, source, event_id, event_name, event_source, event_type, read_only, account_id, aws_region, user_type, user_arn, user_name, user_principal_id, access_key_id, session_issuer_arn, session_mfa, invoked_by, source_ip, user_agent, error_code, error_message, status, level, class_uid, activity_id, type_uid, request_parameters, response_elements, additional_event_data, resources, s3_bucket, s3_key, record_index, ingested_at, dst_ip, src_port, dst_port, protocol, bytes, packets, action, direction, traffic_path, vpc_id, subnet_id, instance_id, interface_id, log_status, start_time, end_time, query_name, query_type, query_class, rcode, answers, cluster, namespace, component, log_group, log_stream, service, trace_id, pod, container, host, message, http_method, url, http_status, organization_id`, 3, `this would remove every column`},
		{`| where 99999999999999999999 > 1`, 9, `number 99999999999999999999 is too large`},
		{"event_name:A\n| stats frob()", 9, `unknown aggregation`},
	} {
		t.Run(tc.query, func(t *testing.T) {
			_, err := Compile(tc.query, Options{Now: goldenNow})
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Compile(%q) = %v, want *Error", tc.query, err)
			}
			if !strings.Contains(e.Msg, tc.msg) {
				t.Errorf("message %q does not contain %q", e.Msg, tc.msg)
			}
			if col := runeCol(e.Query, e.Pos); col != tc.col {
				t.Errorf("%q: column %d, want %d\n%s", tc.query, col, tc.col, e.Error())
			}
		})
	}
}

// Error renders the message, the query and a caret under the mistake.
func TestErrorRendering(t *testing.T) {
	_, err := Compile(`event_name:ConsoleLogin AND evnt:x`, Options{})
	want := "search: unknown field \"evnt\" (dotted paths such as requestParameters.bucketName read the raw record) at column 29\n" +
		"  event_name:ConsoleLogin AND evnt:x\n" +
		"                              ^"
	if err == nil || err.Error() != want {
		t.Errorf("got:\n%v\nwant:\n%s", err, want)
	}
	_, err = Compile("event_name:ConsoleLogin\n| sort", Options{})
	want = "search: expected a field to sort by, got end of query at line 2, column 7\n  | sort\n        ^"
	if err == nil || err.Error() != want {
		t.Errorf("got:\n%v\nwant:\n%s", err, want)
	}
	// Columns count characters, not bytes.
	_, err = Compile(`"ünï" evnt:x`, Options{})
	if err == nil || !strings.Contains(err.Error(), "at column 7\n") || !strings.HasSuffix(err.Error(), "\n        ^") {
		t.Errorf("got:\n%v", err)
	}
}
