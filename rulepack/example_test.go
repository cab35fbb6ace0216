package rulepack_test

import (
	"fmt"

	"github.com/cairn-sec/cairn/rulepack"
	"github.com/cairn-sec/cairn/sigma"
)

// Evaluating records against the pack the way an engine does: the record's
// Cairn source picks the logsource, the RuleSet finds the detections, the
// Correlator the correlations (Standalone says which detections alert on
// their own), and FirstSeen the rules with a cairn.new_value attribute.
func Example() {
	rules, errs := rulepack.Load(rulepack.Options{})
	if len(errs) > 0 {
		panic(errs[0])
	}
	set := sigma.NewRuleSet(rules)
	corr, err := sigma.NewCorrelator(rules, sigma.Limits{})
	if err != nil {
		panic(err)
	}
	specs, _ := rulepack.NewValues(rules)
	seen := rulepack.NewFirstSeen(specs, 0)

	ls, _ := rulepack.LogSource("aws.cloudtrail")
	for _, raw := range []string{
		`{"eventTime":"2026-11-02T10:00:00Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","awsRegion":"us-east-1","readOnly":false,"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/mallory","userName":"mallory"},"requestParameters":{"name":"org-trail"}}`,
	} {
		e, err := sigma.ParseEvent([]byte(raw))
		if err != nil {
			panic(err)
		}
		t, _ := rulepack.EventTime(ls, e)
		matched := set.Eval(ls, e, nil)
		for _, r := range matched {
			if seen.Observe(r, e, t) {
				fmt.Println("new value:", r.Title)
			}
			if corr.Standalone(r) {
				fmt.Printf("alert: %s (%s)\n", r.Title, r.Level)
			}
		}
		for _, m := range corr.Observe(e, t, matched) {
			fmt.Printf("alert: %s (%s)\n", m.Rule.Title, m.Rule.Level)
		}
	}
	// Output:
	// alert: CloudTrail Logging Stopped Or Trail Deleted (high)
}
