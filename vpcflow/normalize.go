package vpcflow

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"github.com/cairn-sec/cairn"
)

// OCSF Network Activity.
const (
	classNetworkActivity = 4001
	activityTraffic      = 6
	activityOther        = 99
)

// Source is the events' source column.
const Source = "aws.vpcflow"

// normalizer turns the records of one file into events.
type normalizer struct {
	h        *header
	ref      cairn.ObjectRef
	fallback time.Time // when the format has neither start nor end
	region   string    // from the key, when the format has no region
	vals     []string
	raw      []byte
}

func newNormalizer(h *header, ref cairn.ObjectRef) *normalizer {
	n := &normalizer{h: h, ref: ref, vals: make([]string, len(h.names)), fallback: keyTime(ref.Key)}
	if n.fallback.IsZero() {
		n.fallback = ref.EventTime.UTC()
	}
	if n.fallback.IsZero() {
		n.fallback = time.Unix(0, 0).UTC()
	}
	n.region = keyRegion(ref.Key)
	return n
}

// normalize fills ev from one record line.
func (n *normalizer) normalize(line []byte, index int64, ev *cairn.Event) error {
	s := string(line) // one copy; every column is a substring of it
	k := 0
	// Fields are separated by spaces (tabs accepted): an ASCII scan, far
	// cheaper than strings.Fields' Unicode handling on the hot path.
	for i := 0; i < len(s); {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i == len(s) {
			break
		}
		j := i
		for j < len(s) && s[j] != ' ' && s[j] != '\t' {
			j++
		}
		if k == len(n.vals) {
			return fmt.Errorf("more fields than the %d the header names", len(n.vals))
		}
		n.vals[k] = s[i:j]
		k++
		i = j
	}
	if k != len(n.vals) {
		return fmt.Errorf("%d fields, the header names %d", k, len(n.vals))
	}
	get := func(f field) string {
		if c := n.h.col[f]; c >= 0 && n.vals[c] != "-" {
			return n.vals[c]
		}
		return ""
	}
	var err error
	num := func(f field, bits int) cairn.NullInt {
		v := get(f)
		if v == "" || err != nil {
			return cairn.NullInt{}
		}
		i, e := strconv.ParseInt(v, 10, bits)
		if e != nil || i < 0 {
			err = fmt.Errorf("field %s: %q is not a non-negative integer", n.h.names[n.h.col[f]], v)
			return cairn.NullInt{}
		}
		return cairn.Int(i)
	}
	ev.Source = Source
	ev.EventType = "FlowLog"
	ev.ClassUID = classNetworkActivity
	ev.AccountID = get(fAccountID)
	ev.Region = get(fRegion)
	if ev.Region == "" {
		ev.Region = n.region
	}
	ev.InterfaceID = get(fInterfaceID)
	ev.VPCID = get(fVPCID)
	ev.SubnetID = get(fSubnetID)
	ev.InstanceID = get(fInstanceID)
	ev.SourceIP, ev.DstIP = get(fSrcAddr), get(fDstAddr)
	if p := get(fPktSrcAddr); p != "" {
		ev.SourceIP = p
	}
	if p := get(fPktDstAddr); p != "" {
		ev.DstIP = p
	}
	ev.SrcPort = num(fSrcPort, 32)
	ev.DstPort = num(fDstPort, 32)
	ev.Protocol = num(fProtocol, 32)
	ev.Packets = num(fPackets, 64)
	ev.Bytes = num(fBytes, 64)
	ev.TrafficPath = num(fTrafficPath, 32)
	start, end := num(fStart, 64), num(fEnd, 64)
	if err != nil {
		return err
	}
	if start.Valid {
		ev.StartTime = time.Unix(start.V, 0).UTC()
	}
	if end.Valid {
		ev.EndTime = time.Unix(end.V, 0).UTC()
	}
	switch {
	case !ev.StartTime.IsZero():
		ev.Time = ev.StartTime
	case !ev.EndTime.IsZero():
		ev.Time = ev.EndTime
	default:
		ev.Time = n.fallback
	}
	ev.Action = get(fAction)
	ev.LogStatus = get(fLogStatus)
	ev.Direction = get(fFlowDirection)
	ev.Level = "INFO"
	switch ev.Action {
	case "ACCEPT":
		ev.Status, ev.ActivityID, ev.EventName = "Success", activityTraffic, "ACCEPT"
	case "REJECT":
		ev.Status, ev.ActivityID, ev.EventName = "Failure", activityTraffic, "REJECT"
	default:
		ev.ActivityID, ev.EventName = activityOther, ev.LogStatus
		if ev.Action != "" {
			ev.ActivityID, ev.EventName = activityTraffic, ev.Action
		}
	}
	if ev.LogStatus == "SKIPDATA" {
		ev.Level = "WARN"
	}
	ev.TypeUID = ev.ClassUID*100 + ev.ActivityID
	ev.EventID = eventID(n.ref.Key, index, line)
	ev.Raw = n.rawJSON()
	ev.Bucket, ev.Key, ev.Index = n.ref.Bucket, n.ref.Key, index
	return nil
}

// rawJSON renders the record as a JSON object of the header's fields.
// Values are flow log tokens: no quotes or backslashes need escaping except
// in malformed input, which strconv.AppendQuote handles.
func (n *normalizer) rawJSON() []byte {
	b := n.raw[:0]
	b = append(b, '{')
	for i, name := range n.h.names {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, '"', ':')
		v := n.vals[i]
		if v == "-" {
			b = append(b, "null"...)
		} else if plain(v) {
			b = append(b, '"')
			b = append(b, v...)
			b = append(b, '"')
		} else {
			b = appendJSONString(b, v)
		}
	}
	b = append(b, '}')
	n.raw = b
	out := make([]byte, len(b))
	copy(out, b)
	return out
}

// plain reports whether v needs no JSON escaping.
func plain(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			return false
		}
	}
	return true
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
