package cairn

import "time"

// Event is one normalized record, ready for the events table. String fields
// that are empty are stored as NULL. JSON fields hold raw JSON text (nil when
// absent).
type Event struct {
	Time   time.Time
	Source string // e.g. "aws.cloudtrail"
	// Prepared is detection's work done on the event ahead of its commit,
	// by the worker that decoded it (see ingest.Preparer); nil when none.
	// It is not stored. It sits beside the fields the commit's dedup
	// reads, so detection finds it in memory the dedup just touched.
	Prepared    any
	EventID     string
	EventName   string
	EventSource string
	EventType   string
	ReadOnly    Tristate
	AccountID   string
	Region      string

	UserType         string
	UserARN          string
	UserName         string
	UserPrincipalID  string
	AccessKeyID      string
	SessionIssuerARN string
	SessionMFA       Tristate
	InvokedBy        string

	SourceIP     string
	UserAgent    string
	ErrorCode    string
	ErrorMessage string
	Status       string // Success | Failure
	Level        string // INFO | WARN | ERROR

	ClassUID   int32 // OCSF class, 6003 API Activity for CloudTrail
	ActivityID int32 // OCSF activity: 1 Create, 2 Read, 3 Update, 4 Delete, 99 Other
	TypeUID    int32 // ClassUID*100 + ActivityID

	RequestParameters   []byte
	ResponseElements    []byte
	AdditionalEventData []byte
	Resources           []byte
	Raw                 []byte // the whole record as received

	// Provenance.
	Bucket string
	Key    string
	Index  int64 // record index within the object

	// Network and DNS activity (VPC Flow Logs, Route 53 Resolver), stored
	// in the columns migration 2 appends. SourceIP above is the source
	// endpoint of a flow or the client of a DNS query.
	DstIP       string
	SrcPort     NullInt
	DstPort     NullInt
	Protocol    NullInt // IANA protocol number
	Bytes       NullInt
	Packets     NullInt
	Action      string // flow: ACCEPT | REJECT; DNS: firewall rule action
	Direction   string // ingress | egress
	TrafficPath NullInt
	VPCID       string
	SubnetID    string
	InstanceID  string
	InterfaceID string
	LogStatus   string // flow: OK | NODATA | SKIPDATA
	StartTime   time.Time
	EndTime     time.Time
	QueryName   string
	QueryType   string
	QueryClass  string
	RCode       string
	Answers     []byte // JSON array

	// Logs: CloudWatch Logs, EKS control plane, Kubernetes audit,
	// application logs, HTTP access logs; stored in the columns of
	// migration 3.
	Cluster    string // EKS cluster
	Namespace  string // Kubernetes namespace
	Component  string // EKS control-plane component (kube-apiserver, authenticator, ...)
	LogGroup   string // CloudWatch Logs log group
	LogStream  string // CloudWatch Logs log stream
	Service    string // application service or app name
	TraceID    string
	Pod        string
	Container  string
	Host       string
	Message    string // the log message lifted out of a structured record
	HTTPMethod string
	URL        string
	HTTPStatus NullInt

	// Pushed events (migration 4): the organization a forwarder named in
	// X-Organization-Id.
	OrganizationID string
}

// NullInt is a nullable integer.
type NullInt struct {
	V     int64
	Valid bool
}

// Int returns a valid NullInt.
func Int(v int64) NullInt { return NullInt{V: v, Valid: true} }

// Value returns nil or the integer for storage.
func (n NullInt) Value() any {
	if !n.Valid {
		return nil
	}
	return n.V
}

// Tristate is a nullable boolean.
type Tristate int8

// Tristate values.
const (
	Unknown Tristate = iota
	False
	True
)

// Bool converts a Go bool.
func Bool(b bool) Tristate {
	if b {
		return True
	}
	return False
}

// Value returns nil, false or true for storage.
func (t Tristate) Value() any {
	switch t {
	case True:
		return true
	case False:
		return false
	}
	return nil
}

// Size is the approximate memory an event holds, used for byte budgets.
func (e *Event) Size() int {
	return len(e.Raw) + len(e.RequestParameters) + len(e.ResponseElements) +
		len(e.AdditionalEventData) + len(e.Resources) + len(e.Answers) + len(e.Message) + 512
}

// Emitter receives what a decoder produces from one object: events, and the
// records it had to reject. Returning an error stops the decoder.
type Emitter interface {
	Emit(ev *Event) error
	Reject(e IngestError) error
}
