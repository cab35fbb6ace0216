package ingest_test

import (
	"testing"
	"time"

	"github.com/cairn-sec/cairn/ingest"
	"github.com/cairn-sec/cairn/simulate"
)

const (
	flowKey     = "AWSLogs/123456789010/vpcflowlogs/us-east-1/2019/08/26/123456789010_vpcflowlogs_us-east-1_fl-1234abcd_20190826T1930Z_fe123456.log.gz"
	resolverKey = "AWSLogs/111122223333/vpcdnsquerylogs/vpc-7example/2021/02/04/111122223333_vpcdnsquerylogs_vpc-7example_20210204T1750Z_1a2b3c4d.log.gz"
	flowLog     = `version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status
2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK
2 123456789010 eni-1235b8ca123456789 2001:db8::1 2001:db8::2 34892 3389 6 20 4249 1418530010 1418530070 REJECT OK
2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA
2 123456789010 eni-1235b8ca123456789 not enough fields
`
	resolverLog = `{"version":"1.100000","account_id":"111122223333","region":"us-east-1","vpc_id":"vpc-7example","query_timestamp":"2021-02-04T17:51:55Z","query_name":"15.3.4.32.in-addr.arpa.","query_type":"PTR","query_class":"IN","rcode":"NOERROR","answers":[{"Rdata":"203.0.113.9","Type":"PTR","Class":"IN"}],"srcaddr":"4.5.64.102","srcport":"56067","transport":"UDP","srcids":{"instance":"i-0d15cd0d3example"},"firewall_rule_action":"BLOCK"}
{"version":"1.100000","account_id":"111122223333","region":"us-east-1","vpc_id":"vpc-7example","query_timestamp":"2021-02-04T17:51:56Z","query_name":"example.com.","query_type":"A","query_class":"IN","rcode":"NXDOMAIN","answers":[],"srcaddr":"10.0.0.5","srcport":"5353","transport":"UDP","srcids":{"instance":"i-0d15cd0d3example"}}
`
)

// VPC flow logs and Route 53 Resolver query logs go through the same
// pipeline as CloudTrail: routed by key, or by their first bytes when the
// key does not say; their columns filled; a bad record rejected on its
// own; a re-delivered object stores nothing twice; an object of no known
// format refused, never parsed.
func TestCollectorNetworkFormats(t *testing.T) {
	e := newEnv(t, 2)
	now := time.Now().UTC()
	obj := func(key string, body []byte) {
		e.putBody(key, body)
		e.send(simulate.S3EventMessage(e.w.Bucket, "us-east-1", now, simulate.S3Object{Key: key, Size: int64(len(body))}))
	}
	obj(flowKey, gz([]byte(flowLog)))
	obj(resolverKey, gz([]byte(resolverLog)))
	obj("exports/flows/part-0001.txt", []byte(flowLog))            // sniffed: flow log header
	obj("exports/dns/part-0001.jsonl.gz", gz([]byte(resolverLog))) // sniffed: query_name
	obj("exports/other/access.log", []byte("79a5 awsexamplebucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 GET\n"))

	s := e.collect(ingest.CollectorOptions{RetryBackoff: time.Second})
	if n := e.count(`SELECT count(*) FROM events WHERE source = 'aws.vpcflow'`); n != 6 {
		t.Errorf("flow events %d, want 6 (3 per object); logs:\n%s", n, e.logs.String())
	}
	if n := e.count(`SELECT count(*) FROM events WHERE source = 'aws.route53resolver'`); n != 4 {
		t.Errorf("resolver events %d, want 4", n)
	}
	if n := e.count(`SELECT count(*) FROM events WHERE s3_key = ? AND source_ip = '172.31.16.139' AND dst_ip = '172.31.16.21'
		AND src_port = 20641 AND dst_port = 22 AND protocol = 6 AND bytes = 4249 AND packets = 20 AND action = 'ACCEPT'
		AND status = 'Success' AND interface_id = 'eni-1235b8ca123456789' AND account_id = '123456789010' AND aws_region = 'us-east-1'
		AND time = TIMESTAMP '2014-12-14 04:06:50' AND end_time = TIMESTAMP '2014-12-14 04:07:50' AND class_uid = 4001 AND type_uid = 400106`, flowKey); n != 1 {
		t.Errorf("flow columns: %d matching rows, want 1", n)
	}
	if n := e.count(`SELECT count(*) FROM events WHERE s3_key = ? AND log_status = 'NODATA' AND action IS NULL AND bytes IS NULL`, flowKey); n != 1 {
		t.Errorf("NODATA record: %d rows, want 1", n)
	}
	if n := e.count(`SELECT count(*) FROM events WHERE s3_key = ? AND query_name = '15.3.4.32.in-addr.arpa.' AND query_type = 'PTR'
		AND rcode = 'NOERROR' AND action = 'BLOCK' AND status = 'Failure' AND source_ip = '4.5.64.102' AND src_port = 56067
		AND vpc_id = 'vpc-7example' AND instance_id = 'i-0d15cd0d3example' AND json_extract_string(answers, '$[0].Rdata') = '203.0.113.9'
		AND class_uid = 4003`, resolverKey); n != 1 {
		t.Errorf("resolver columns: %d matching rows, want 1", n)
	}
	if n := e.count(`SELECT count(*) FROM ingest_errors WHERE key = ? AND reason = 'bad_record' AND record_index = 3`, flowKey); n != 1 {
		t.Errorf("bad flow record: %d errors, want 1", n)
	}
	if n := e.count(`SELECT count(*) FROM ingest_errors WHERE key = 'exports/other/access.log' AND record_index = -1 AND detail LIKE '%unsupported format%'`); n < 1 {
		t.Errorf("unknown format: no whole-object error; logs:\n%s", e.logs.String())
	}
	if n := e.count(`SELECT count(*) FROM objects WHERE key = 'exports/other/access.log'`); n != 0 {
		t.Errorf("unknown format object in the ledger")
	}
	if n := e.count(`SELECT count(*) FROM objects WHERE kind IN ('vpcflow', 'route53resolver')`); n != 4 {
		t.Errorf("%d flow/resolver objects in the ledger, want 4", n)
	}
	if s.Deleted != 4 {
		t.Errorf("deleted %d messages, want 4 (the unknown format's stays for the DLQ)", s.Deleted)
	}

	// The same objects written again (new ETag, same bytes): nothing twice.
	before := e.count(`SELECT count(*) FROM events`)
	obj(flowKey, gz([]byte(flowLog+"\n")))
	obj(resolverKey, gz([]byte(resolverLog+"\n")))
	e.collect(ingest.CollectorOptions{RetryBackoff: time.Second})
	if after := e.count(`SELECT count(*) FROM events`); after != before {
		t.Errorf("re-ingest stored %d more events", after-before)
	}
}
