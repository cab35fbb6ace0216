package search

import (
	"regexp"
	"slices"
	"strings"
)

// Field types.
const (
	TypeTime   = "timestamp"
	TypeString = "string"
	TypeIP     = "ip"
	TypeBool   = "boolean"
	TypeInt    = "integer"
	TypeJSON   = "json"
)

// Field is a searchable column of the events view and the names it is
// known by: CloudTrail's own, OCSF's, ECS's and other tools'.
type Field struct {
	Name    string   `json:"name"`
	Type    string   `json:"type"`
	Column  string   `json:"column"`
	Aliases []string `json:"aliases,omitempty"`
}

// fieldDef adds what the compiler needs to a Field.
type fieldDef struct {
	Field
	jsonKey string              // top-level key in the raw record, for JSON fields
	canon   func(string) string // rewrites a value before comparing (nil: none)
}

// registry lists the columns of the events view, in its order.
var registry = []fieldDef{
	{Field: Field{Name: "time", Type: TypeTime, Aliases: []string{"eventTime", "@timestamp", "timestamp", "_time"}}},
	{Field: Field{Name: "source", Type: TypeString, Aliases: []string{"event.dataset", "metadata.product.name", "dataset"}}, canon: canonSource},
	{Field: Field{Name: "event_id", Type: TypeString, Aliases: []string{"eventID", "metadata.uid", "event.id"}}},
	{Field: Field{Name: "event_name", Type: TypeString, Aliases: []string{"eventName", "api.operation", "event.action", "operation_name"}}},
	{Field: Field{Name: "event_source", Type: TypeString, Aliases: []string{"eventSource", "api.service.name", "event.provider"}}},
	{Field: Field{Name: "event_type", Type: TypeString, Aliases: []string{"eventType"}}},
	{Field: Field{Name: "read_only", Type: TypeBool, Aliases: []string{"readOnly"}}},
	{Field: Field{Name: "account_id", Type: TypeString, Aliases: []string{"recipientAccountId", "cloud.account.uid", "cloud.account.id", "account"}}},
	{Field: Field{Name: "aws_region", Type: TypeString, Aliases: []string{"awsRegion", "cloud.region", "region"}}},
	{Field: Field{Name: "user_type", Type: TypeString, Aliases: []string{"userIdentity.type", "actor.user.type", "user_identity.type", "aws.cloudtrail.user_identity.type"}}},
	{Field: Field{Name: "user_arn", Type: TypeString, Aliases: []string{"userIdentity.arn", "actor.user.uid", "user_identity", "user_identity.arn", "aws.cloudtrail.user_identity.arn"}}},
	{Field: Field{Name: "user_name", Type: TypeString, Aliases: []string{"userIdentity.userName", "actor.user.name", "user.name", "identity_name"}}},
	{Field: Field{Name: "user_principal_id", Type: TypeString, Aliases: []string{"userIdentity.principalId", "actor.user.uid_alt", "user.id"}}},
	{Field: Field{Name: "access_key_id", Type: TypeString, Aliases: []string{"userIdentity.accessKeyId", "actor.user.credential_uid", "aws.cloudtrail.user_identity.access_key_id"}}},
	{Field: Field{Name: "session_issuer_arn", Type: TypeString, Aliases: []string{"userIdentity.sessionContext.sessionIssuer.arn", "actor.session.issuer"}}},
	{Field: Field{Name: "session_mfa", Type: TypeBool, Aliases: []string{"userIdentity.sessionContext.attributes.mfaAuthenticated", "actor.session.is_mfa", "mfa"}}},
	{Field: Field{Name: "invoked_by", Type: TypeString, Aliases: []string{"userIdentity.invokedBy", "actor.invoked_by"}}},
	{Field: Field{Name: "source_ip", Type: TypeIP, Aliases: []string{"sourceIPAddress", "src_endpoint.ip", "source.ip", "source.address", "client.ip", "caller_ip", "src_ip"}}},
	{Field: Field{Name: "user_agent", Type: TypeString, Aliases: []string{"userAgent", "http_request.user_agent", "user_agent.original"}}},
	{Field: Field{Name: "error_code", Type: TypeString, Aliases: []string{"errorCode", "api.response.error", "error.code", "aws.cloudtrail.error_code"}}},
	{Field: Field{Name: "error_message", Type: TypeString, Aliases: []string{"errorMessage", "api.response.message", "error.message", "aws.cloudtrail.error_message"}}},
	{Field: Field{Name: "status", Type: TypeString, Aliases: []string{"event.outcome", "outcome"}}},
	{Field: Field{Name: "level", Type: TypeString, Aliases: []string{"log.level", "severity"}}},
	{Field: Field{Name: "class_uid", Type: TypeInt}},
	{Field: Field{Name: "activity_id", Type: TypeInt}},
	{Field: Field{Name: "type_uid", Type: TypeInt}},
	{Field: Field{Name: "request_parameters", Type: TypeJSON, Aliases: []string{"requestParameters", "api.request.data", "aws.cloudtrail.request_parameters"}}, jsonKey: "requestParameters"},
	{Field: Field{Name: "response_elements", Type: TypeJSON, Aliases: []string{"responseElements", "api.response.data", "aws.cloudtrail.response_elements"}}, jsonKey: "responseElements"},
	{Field: Field{Name: "additional_event_data", Type: TypeJSON, Aliases: []string{"additionalEventData", "aws.cloudtrail.additional_eventdata"}}, jsonKey: "additionalEventData"},
	{Field: Field{Name: "resources", Type: TypeJSON, Aliases: []string{"aws.cloudtrail.resources"}}, jsonKey: "resources"},
	{Field: Field{Name: "raw", Type: TypeString, Aliases: []string{"raw_data", "event.original", "raw_log", "_raw"}}},
	{Field: Field{Name: "s3_bucket", Type: TypeString}},
	{Field: Field{Name: "s3_key", Type: TypeString}},
	{Field: Field{Name: "record_index", Type: TypeInt}},
	{Field: Field{Name: "ingested_at", Type: TypeTime}},
	// Network and DNS activity (migration 2).
	{Field: Field{Name: "dst_ip", Type: TypeIP, Aliases: []string{"dst_endpoint.ip", "destination.ip", "destination.address", "dstaddr"}}},
	{Field: Field{Name: "src_port", Type: TypeInt, Aliases: []string{"src_endpoint.port", "source.port", "srcport"}}},
	{Field: Field{Name: "dst_port", Type: TypeInt, Aliases: []string{"dst_endpoint.port", "destination.port", "dstport"}}},
	{Field: Field{Name: "protocol", Type: TypeInt, Aliases: []string{"connection_info.protocol_num", "network.iana_number"}}},
	{Field: Field{Name: "bytes", Type: TypeInt, Aliases: []string{"traffic.bytes", "network.bytes"}}},
	{Field: Field{Name: "packets", Type: TypeInt, Aliases: []string{"traffic.packets", "network.packets"}}},
	{Field: Field{Name: "action", Type: TypeString, Aliases: []string{"disposition", "firewall_rule_action"}}},
	{Field: Field{Name: "direction", Type: TypeString, Aliases: []string{"connection_info.direction", "network.direction", "flow-direction", "flowDirection"}}},
	{Field: Field{Name: "traffic_path", Type: TypeInt, Aliases: []string{"traffic-path", "trafficPath"}}},
	{Field: Field{Name: "vpc_id", Type: TypeString, Aliases: []string{"src_endpoint.vpc_uid", "vpc-id", "vpcId"}}},
	{Field: Field{Name: "subnet_id", Type: TypeString, Aliases: []string{"src_endpoint.subnet_uid", "subnet-id", "subnetId"}}},
	{Field: Field{Name: "instance_id", Type: TypeString, Aliases: []string{"src_endpoint.instance_uid", "cloud.instance.id", "instance-id", "instanceId"}}},
	{Field: Field{Name: "interface_id", Type: TypeString, Aliases: []string{"src_endpoint.interface_uid", "interface-id", "interfaceId"}}},
	{Field: Field{Name: "log_status", Type: TypeString, Aliases: []string{"log-status", "logStatus"}}},
	{Field: Field{Name: "start_time", Type: TypeTime, Aliases: []string{"event.start"}}},
	{Field: Field{Name: "end_time", Type: TypeTime, Aliases: []string{"event.end"}}},
	{Field: Field{Name: "query_name", Type: TypeString, Aliases: []string{"query.hostname", "dns.question.name"}}},
	{Field: Field{Name: "query_type", Type: TypeString, Aliases: []string{"query.type", "dns.question.type"}}},
	{Field: Field{Name: "query_class", Type: TypeString, Aliases: []string{"query.class", "dns.question.class"}}},
	{Field: Field{Name: "rcode", Type: TypeString, Aliases: []string{"dns.response_code"}}},
	{Field: Field{Name: "answers", Type: TypeJSON, Aliases: []string{"dns.answers"}}, jsonKey: "answers"},
	// Logs and HTTP access (migration 3).
	{Field: Field{Name: "cluster", Type: TypeString, Aliases: []string{"orchestrator.cluster.name", "k8s.cluster.name", "cluster_name"}}},
	{Field: Field{Name: "namespace", Type: TypeString, Aliases: []string{"kubernetes.namespace_name", "kubernetes.namespace", "k8s.namespace.name", "orchestrator.namespace"}}},
	{Field: Field{Name: "component", Type: TypeString, Aliases: []string{"service.type"}}},
	{Field: Field{Name: "log_group", Type: TypeString, Aliases: []string{"logGroup", "aws.cloudwatch.log_group", "log.group"}}},
	{Field: Field{Name: "log_stream", Type: TypeString, Aliases: []string{"logStream", "aws.cloudwatch.log_stream"}}},
	{Field: Field{Name: "service", Type: TypeString, Aliases: []string{"service.name", "app"}}},
	{Field: Field{Name: "trace_id", Type: TypeString, Aliases: []string{"traceId", "trace.id", "metadata.correlation_uid"}}},
	{Field: Field{Name: "pod", Type: TypeString, Aliases: []string{"kubernetes.pod_name", "kubernetes.pod.name", "k8s.pod.name"}}},
	{Field: Field{Name: "container", Type: TypeString, Aliases: []string{"kubernetes.container_name", "container.name", "k8s.container.name"}}},
	{Field: Field{Name: "host", Type: TypeString, Aliases: []string{"kubernetes.host", "host.name", "hostname"}}},
	{Field: Field{Name: "message", Type: TypeString, Aliases: []string{"msg", "log.message"}}},
	{Field: Field{Name: "http_method", Type: TypeString, Aliases: []string{"http.request.method", "http_request.http_method", "method"}}},
	{Field: Field{Name: "url", Type: TypeString, Aliases: []string{"url.original", "http_request.url", "requestURI", "request_uri"}}},
	{Field: Field{Name: "http_status", Type: TypeInt, Aliases: []string{"http.response.status_code", "http_response.code", "status_code", "responseStatus.code"}}},
	// Pushed events (migration 4).
	{Field: Field{Name: "organization_id", Type: TypeString, Aliases: []string{"organization.id", "org_id"}}},
}

// byName maps every lower-cased name and alias to its field.
var byName = func() map[string]*fieldDef {
	m := map[string]*fieldDef{}
	for i := range registry {
		f := &registry[i]
		f.Column = f.Name
		for _, n := range append([]string{f.Name}, f.Aliases...) {
			k := strings.ToLower(n)
			if _, dup := m[k]; dup {
				panic("search: duplicate field name " + n)
			}
			m[k] = f
		}
	}
	return m
}()

// Fields lists the searchable fields with their types and aliases.
func Fields() []Field {
	out := make([]Field, len(registry))
	for i, f := range registry {
		out[i] = f.Field
		out[i].Aliases = slices.Clone(f.Aliases)
	}
	return out
}

// lookupField finds a field by its name or an alias, ignoring case.
func lookupField(name string) *fieldDef {
	return byName[strings.ToLower(name)]
}

// canonSource lets the Qorrelate spelling aws-cloudtrail match the stored
// aws.cloudtrail.
func canonSource(v string) string {
	if rest, ok := strings.CutPrefix(strings.ToLower(v), "aws-"); ok && !strings.ContainsAny(rest, "*?") {
		return "aws." + rest
	}
	return v
}

// segmentRe is what a JSON path segment may hold: JSON keys in CloudTrail
// records are identifiers, sometimes with '-', '@' or '$'.
var segmentRe = regexp.MustCompile(`^[A-Za-z0-9_@$-]+$`)

// identRe is a name the compiler may write into SQL as a quoted identifier
// (column names chosen by the user with as, =, eval and the like).
var identRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)

// jsonPath splits a dotted name that is not a field into the raw-record
// path it reads. A first segment naming a JSON field (request_parameters,
// api.request.data) is replaced by that field's key in the record. ok is
// false when a segment is not a valid key.
func jsonPath(name string) (segs []string, ok bool) {
	if !strings.Contains(name, ".") || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") {
		return nil, false
	}
	// The longest prefix that names a JSON field becomes its record key.
	parts := strings.Split(name, ".")
	for i := len(parts) - 1; i >= 1; i-- {
		if f := lookupField(strings.Join(parts[:i], ".")); f != nil && f.jsonKey != "" {
			parts = append([]string{f.jsonKey}, parts[i:]...)
			break
		}
	}
	for _, p := range parts {
		if !segmentRe.MatchString(p) {
			return nil, false
		}
	}
	return parts, true
}
