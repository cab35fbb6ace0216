package route53resolver

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/cairn-sec/cairn"
)

// Source is the events' source column.
const Source = "aws.route53resolver"

// OCSF DNS Activity.
const (
	classDNSActivity = 4003
	activityTraffic  = 6
)

// Normalize fills ev from one query log line. key and index make the
// event ID; line must not change while ev is in use.
func Normalize(line []byte, key string, index int64, ev *cairn.Event) error {
	if len(line) == 0 || line[0] != '{' {
		return fmt.Errorf("record is not a JSON object")
	}
	var r record
	if err := json.Unmarshal(line, &r); err != nil {
		return fmt.Errorf("record is not valid JSON: %v", err)
	}
	if r.QueryName == nil {
		return errNotQuery
	}
	t, err := parseTime(r.QueryTimestamp)
	if err != nil {
		return err
	}
	p, ok, err := port(r.SrcPort)
	if err != nil {
		return err
	}
	if ok {
		ev.SrcPort = cairn.Int(p)
	}
	ev.Time = t
	ev.Source = Source
	ev.EventName = "Query"
	ev.EventType = "DNS"
	ev.EventSource = "route53resolver.amazonaws.com"
	ev.AccountID = r.AccountID
	ev.Region = r.Region
	ev.VPCID = r.VPCID
	ev.InstanceID = r.SrcIDs.Instance
	if ev.InstanceID == "" {
		// Queries forwarded by an inbound Resolver endpoint name it
		// instead of an instance.
		ev.InterfaceID = r.SrcIDs.ResolverEndpoint
	}
	ev.SourceIP = r.SrcAddr
	ev.QueryName = *r.QueryName
	ev.QueryType = r.QueryType
	ev.QueryClass = r.QueryClass
	ev.RCode = r.RCode
	ev.Answers = answers(r.Answers)
	ev.Action = r.FirewallRuleAction
	switch r.Transport {
	case "UDP":
		ev.Protocol = cairn.Int(17)
	case "TCP":
		ev.Protocol = cairn.Int(6)
	}
	ev.Level = "INFO"
	switch {
	case r.RCode == "NOERROR" && r.FirewallRuleAction != "BLOCK":
		ev.Status = "Success"
	case r.RCode != "" || r.FirewallRuleAction == "BLOCK":
		ev.Status = "Failure"
	}
	if r.FirewallRuleAction == "BLOCK" || r.FirewallRuleAction == "ALERT" {
		ev.Level = "WARN"
	}
	ev.ClassUID, ev.ActivityID = classDNSActivity, activityTraffic
	ev.TypeUID = ev.ClassUID*100 + ev.ActivityID
	ev.EventID = eventID(key, index, line)
	ev.Raw = bytes.Clone(line)
	return nil
}

// eventID is stable across deliveries of the same object and distinct per
// record.
func eventID(key string, index int64, line []byte) string {
	h := sha256.New()
	h.Write([]byte(key))
	var b [24]byte
	h.Write(strconv.AppendInt(append(b[:0], 0), index, 10))
	h.Write([]byte{0})
	h.Write(line)
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0])[:16])
}
