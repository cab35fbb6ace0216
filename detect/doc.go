// Package detect is Cairn's detection engine around the sigma package.
//
// An Engine is built from Sigma rules (detection and correlation rules).
// It routes each rule by its logsource to the event sources it applies to
// (Route), evaluates events against the exact sigma matchers, feeds a
// bounded sigma.Correlator, and turns matches into cairn.Alert values with
// suppression (repeated matches of a rule for the same group within the
// suppression window update one alert).
//
// Streaming: Engine.Detect is the ingest.Detector the committer calls with
// every write transaction before it commits. It evaluates exactly the
// events the transaction stores (duplicates left out), and writes alerts
// and the correlator's state into the same transaction, so a crash loses
// or duplicates neither. The correlator's state is reloaded from the store
// whenever the last transaction did not commit, and at start.
//
// First seen: a detection rule with a cairn.new_value attribute
// (Options.NewValues, from rulepack.NewValues) raises an alert only for a
// value combination rulepack.FirstSeen says is new; its memory is
// persisted and reloaded like the correlator's, under its own state name
// and generation (firstseen.go).
//
// Retro-hunt: Engine.Hunt runs the same rules over stored history. A SQL
// prefilter (event source, time range, and the eventName/eventSource
// literals a rule requires, from sigma.Rule.Requires) selects candidate
// rows; the exact matcher then runs in Go over each candidate's raw record
// through the same code as streaming, so both give the same matches.
//
// Fields: Sigma field names are paths into the raw record. CloudTrail and
// Kubernetes audit records are the JSON as delivered; Route 53 Resolver
// query logs are JSON lines; VPC Flow Log lines are stored by the vpcflow
// decoder as a JSON object of the AWS field names of the log's format
// (version, account-id, interface-id, srcaddr, dstaddr, srcport, dstport,
// protocol, packets, bytes, start, end, action, log-status, …, values as
// strings), and rules match against that object.
package detect
