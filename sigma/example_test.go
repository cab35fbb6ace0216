package sigma_test

import (
	"fmt"

	"github.com/cairn-sec/cairn/sigma"
)

func Example() {
	rules, errs := sigma.Parse([]byte(`
title: Trail stopped
id: trail-stopped
logsource: {product: aws, service: cloudtrail}
detection:
    selection:
        eventSource: cloudtrail.amazonaws.com
        eventName: [StopLogging, DeleteTrail]
    filter_failed:
        errorCode|exists: true
    condition: selection and not filter_failed
level: high
`), "inline.yml", nil)
	if len(errs) > 0 {
		fmt.Println(errs)
		return
	}
	rs := sigma.NewRuleSet(rules)
	ids, err := rs.Match([]byte(`{"eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","eventTime":"2026-01-12T10:00:00Z"}`))
	fmt.Println(ids, err)

	_, errs = sigma.Parse([]byte("title: x\nlogsource: {}\ndetection:\n    sel:\n        a|foo: 1\n    condition: sel\n"), "rules/x.yml", nil)
	fmt.Println(errs[0])
	// Output:
	// [trail-stopped] <nil>
	// rules/x.yml:5: field "a|foo": unknown modifier "foo"
}

func ExampleCorrelator() {
	rules, _ := sigma.Parse([]byte(`
title: Failed console login
name: failed_login
logsource: {product: aws, service: cloudtrail}
detection:
    selection: {eventName: ConsoleLogin, errorMessage: Failed authentication}
    condition: selection
---
title: Console brute force
id: brute-force
correlation:
    type: event_count
    rules: [failed_login]
    group-by: [sourceIPAddress]
    timespan: 5m
    condition: {gte: 3}
level: medium
`), "brute.yml", nil)
	rs := sigma.NewRuleSet(rules)
	corr, err := sigma.NewCorrelator(rules, sigma.Limits{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := range 3 {
		raw := fmt.Sprintf(`{"eventName":"ConsoleLogin","errorMessage":"Failed authentication","sourceIPAddress":"198.51.100.7","eventID":"e%d","eventTime":"2026-01-12T10:0%d:00Z"}`, i, i)
		ev, _ := sigma.ParseEvent([]byte(raw))
		t, _ := sigma.EventTime(ev)
		for _, m := range corr.Observe(ev, t, rs.Eval(sigma.CloudTrail, ev, nil)) {
			fmt.Println(m.Rule.Key(), m.Group, m.Value, m.EventIDs)
		}
	}
	// Output:
	// brute-force map[sourceIPAddress:198.51.100.7] 3 [e0 e1 e2]
}
