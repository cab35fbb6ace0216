package vpcflow

import "strings"

// field identifies a flow log field the normalizer reads. Fields it does not
// read (ECS metadata, az-id, sublocation, tcp-flags...) are kept in raw.
type field uint8

const (
	fOther field = iota
	fVersion
	fAccountID
	fInterfaceID
	fSrcAddr
	fDstAddr
	fSrcPort
	fDstPort
	fProtocol
	fPackets
	fBytes
	fStart
	fEnd
	fAction
	fLogStatus
	fVPCID
	fSubnetID
	fInstanceID
	fPktSrcAddr
	fPktDstAddr
	fRegion
	fFlowDirection
	fTrafficPath
	nFields
)

// knownFields are the fields of flow log versions 2 to 8.
var knownFields = map[string]field{
	// version 2 (the default format)
	"version": fVersion, "account-id": fAccountID, "interface-id": fInterfaceID,
	"srcaddr": fSrcAddr, "dstaddr": fDstAddr, "srcport": fSrcPort, "dstport": fDstPort,
	"protocol": fProtocol, "packets": fPackets, "bytes": fBytes, "start": fStart, "end": fEnd,
	"action": fAction, "log-status": fLogStatus,
	// version 3
	"vpc-id": fVPCID, "subnet-id": fSubnetID, "instance-id": fInstanceID, "tcp-flags": fOther,
	"type": fOther, "pkt-srcaddr": fPktSrcAddr, "pkt-dstaddr": fPktDstAddr,
	// version 4
	"region": fRegion, "az-id": fOther, "sublocation-type": fOther, "sublocation-id": fOther,
	// version 5
	"pkt-src-aws-service": fOther, "pkt-dst-aws-service": fOther,
	"flow-direction": fFlowDirection, "traffic-path": fTrafficPath,
	// versions 6 and 7 (ECS)
	"ecs-cluster-arn": fOther, "ecs-cluster-name": fOther, "ecs-container-instance-arn": fOther,
	"ecs-container-instance-id": fOther, "ecs-container-id": fOther, "ecs-second-container-id": fOther,
	"ecs-service-name": fOther, "ecs-task-definition-arn": fOther, "ecs-task-arn": fOther,
	"ecs-task-id": fOther,
	// version 8
	"reject-reason": fOther,
}

// header is the parsed first line of a flow log file.
type header struct {
	names []string // as spelled in the file
	kinds []field  // per column
	col   [nFields]int
}

// parseHeader reads a header line. Every name must be a known field: an
// unknown one means the file is not a flow log this decoder understands.
func parseHeader(line string) (*header, bool) {
	names := strings.Fields(line)
	if len(names) < 2 {
		return nil, false
	}
	h := &header{names: names, kinds: make([]field, len(names))}
	for i := range h.col {
		h.col[i] = -1
	}
	seen := map[string]bool{}
	for i, n := range names {
		k, ok := knownFields[n]
		if !ok || seen[n] {
			return nil, false
		}
		seen[n] = true
		h.kinds[i] = k
		if k != fOther {
			h.col[k] = i
		}
	}
	return h, true
}

// IsHeader reports whether line is a flow log header line.
func IsHeader(line []byte) bool {
	_, ok := parseHeader(strings.TrimRight(string(line), "\r\n"))
	return ok
}
