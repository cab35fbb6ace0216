package rulepack

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/cloudtrail"
	"github.com/cairn-sec/cairn/route53resolver"
	"github.com/cairn-sec/cairn/sigma"
	"github.com/cairn-sec/cairn/vpcflow"
)

// collect is a cairn.Emitter keeping what a decoder emits.
type collect struct {
	events  []*cairn.Event
	rejects []cairn.IngestError
}

func (c *collect) Emit(ev *cairn.Event) error {
	cp := *ev
	cp.Raw = append([]byte(nil), ev.Raw...)
	c.events = append(c.events, &cp)
	return nil
}

func (c *collect) Reject(e cairn.IngestError) error { c.rejects = append(c.rejects, e); return nil }

// fired runs decoded events through the shipped pack as an engine would
// (source → logsource, RuleSet, Correlator at the event's time) and counts
// firings per rule name.
func fired(t *testing.T, events []*cairn.Event) map[string]int {
	t.Helper()
	rules, errs := Load(Options{})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	rs := sigma.NewRuleSet(rules)
	corr, err := sigma.NewCorrelator(rules, sigma.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, ev := range events {
		ls, ok := LogSource(ev.Source)
		if !ok {
			t.Fatalf("no logsource for source %q", ev.Source)
		}
		e, err := sigma.ParseEvent(ev.Raw)
		if err != nil {
			t.Fatalf("raw of %s is not JSON: %v", ev.Source, err)
		}
		if rt, ok := EventTime(ls, e); !ok || !rt.Equal(ev.Time) {
			t.Errorf("EventTime %v %v, decoder's time %v", rt, ok, ev.Time)
		}
		matched := rs.Eval(ls, e, nil)
		for _, r := range matched {
			out[r.Name]++
		}
		for _, m := range corr.Observe(e, ev.Time, matched) {
			out[m.Rule.Name]++
		}
	}
	return out
}

// TestRulesOnDecodedRecords: the rules match the raw records Cairn's own
// decoders store, not only the hand-written test records.
func TestRulesOnDecodedRecords(t *testing.T) {
	ctx := context.Background()
	var all []*cairn.Event

	var flow strings.Builder
	flow.WriteString("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n")
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&flow, "2 111122223333 eni-0a1b2c3d4e5f60718 203.0.113.%d 10.0.1.25 %d 3389 6 1 44 %d %d REJECT OK\n", i%5+1, 40000+i, 1762077600+i*10, 1762077660+i*10)
	}
	flow.WriteString("2 111122223333 eni-0a1b2c3d4e5f60718 - - - - - - - 1762077600 1762077660 - NODATA\n")
	c := &collect{}
	if err := (vpcflow.Decoder{}).Decode(ctx, strings.NewReader(flow.String()), cairn.ObjectRef{Bucket: "b", Key: "AWSLogs/111122223333/vpcflowlogs/us-east-1/2025/11/02/x.log"}, c); err != nil {
		t.Fatal(err)
	}
	all = append(all, c.events...)

	dns := `{"version":"1.100000","account_id":"111122223333","region":"us-east-1","vpc_id":"vpc-0a1b2c3d","query_timestamp":"2026-11-02T10:15:03Z","query_name":"pool.supportxmr.com.","query_type":"A","query_class":"IN","rcode":"NOERROR","answers":[{"Rdata":"203.0.113.9","Type":"A","Class":"IN"}],"srcaddr":"10.0.1.25","srcport":"43521","transport":"UDP","srcids":{"instance":"i-0a1b2c3d4e5f60718"}}
{"version":"1.100000","account_id":"111122223333","region":"us-east-1","vpc_id":"vpc-0a1b2c3d","query_timestamp":"2026-11-02T10:15:04Z","query_name":"deb.debian.org.","query_type":"A","query_class":"IN","rcode":"NOERROR","answers":[],"srcaddr":"10.0.1.25","srcport":"43522","transport":"UDP","srcids":{"instance":"i-0a1b2c3d4e5f60718"}}
`
	c = &collect{}
	if err := (route53resolver.Decoder{}).Decode(ctx, strings.NewReader(dns), cairn.ObjectRef{Bucket: "b", Key: "AWSLogs/111122223333/vpcdnsquerylogs/vpc-0a1b2c3d/2026/11/02/x.log"}, c); err != nil {
		t.Fatal(err)
	}
	all = append(all, c.events...)

	trail := `{"Records":[{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::111122223333:user/mallory","accountId":"111122223333","accessKeyId":"AKIAEXAMPLE","userName":"mallory"},"eventTime":"2026-11-02T10:15:03Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.77","userAgent":"aws-cli/2.15.30","requestParameters":{"name":"org-trail"},"responseElements":null,"requestID":"5f0c8d1e-7a6b-4c3d-9e2f-1a2b3c4d5e6f","eventID":"0b8e4c3a-1f2d-4e5c-8a9b-7c6d5e4f3a21","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"}]}`
	c = &collect{}
	if err := (cloudtrail.Decoder{}).Decode(ctx, strings.NewReader(trail), cairn.ObjectRef{Bucket: "b", Key: "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/02/x.json.gz"}, c); err != nil {
		t.Fatal(err)
	}
	all = append(all, c.events...)

	got := fired(t, all)
	for name, want := range map[string]int{
		"vpcflow_rejected":            20, // the NODATA record is not a rejection
		"vpcflow_rejected_port_burst": 1,
		"dns_crypto_mining_pool":      1,
		"cloudtrail_logging_stopped":  1,
	} {
		if got[name] != want {
			t.Errorf("%s fired %d times, want %d (all: %v)", name, got[name], want, got)
		}
	}
}
