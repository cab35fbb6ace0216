package route53resolver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// record is one query log line.
type record struct {
	Version            string          `json:"version"`
	AccountID          string          `json:"account_id"`
	Region             string          `json:"region"`
	VPCID              string          `json:"vpc_id"`
	QueryTimestamp     string          `json:"query_timestamp"`
	QueryName          *string         `json:"query_name"`
	QueryType          string          `json:"query_type"`
	QueryClass         string          `json:"query_class"`
	RCode              string          `json:"rcode"`
	Answers            json.RawMessage `json:"answers"`
	SrcAddr            string          `json:"srcaddr"`
	SrcPort            json.RawMessage `json:"srcport"` // a string in AWS's logs, a number in some copies
	Transport          string          `json:"transport"`
	FirewallRuleAction string          `json:"firewall_rule_action"`
	SrcIDs             struct {
		Instance         string `json:"instance"`
		ResolverEndpoint string `json:"resolver_endpoint"`
	} `json:"srcids"`
}

var errNotQuery = errors.New("not a Route 53 Resolver query log record: no query_name")

// parseTime reads query_timestamp. The zero time (0001-01-01 00:00:00
// UTC) is refused: no resolver logged a query then, and it is the value
// every consumer reads as "no time".
func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil && !t.IsZero() {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("query_timestamp %q is not a timestamp", s)
}

// port reads srcport, a JSON string or number; empty is no port.
func port(raw json.RawMessage) (int64, bool, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return 0, false, nil
	}
	s := string(raw)
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, false, err
		}
		if s == "" || s == "-" {
			return 0, false, nil
		}
	}
	p, err := strconv.ParseInt(s, 10, 32)
	if err != nil || p < 0 || p > 65535 {
		return 0, false, fmt.Errorf("srcport %s is not a port", raw)
	}
	return p, true, nil
}

// answers normalizes the answers member to a JSON array (nil when absent).
func answers(raw json.RawMessage) []byte {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return nil
	case raw[0] == '[':
		return bytes.Clone(raw)
	default:
		return append(append([]byte{'['}, raw...), ']')
	}
}
