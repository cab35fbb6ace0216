// Package rulepack is Cairn's shipped Sigma rule pack and the loader and
// test runner around it.
//
// # The pack
//
// The rules live in rules/<source>/ (cloudtrail, vpcflow, route53, eks),
// are written by the Cairn project (author "Cairn", Apache-2.0) and are
// embedded in the binary (Shipped). Each rule file x.yml has a test file
// x.tests.yml beside it. Detections of level informational only feed
// correlations; in Sigma a rule referenced by a correlation raises no alert
// of its own (sigma.Correlator.Standalone) — except, in Cairn, a rule with
// a cairn.new_value attribute, raised for each new value combination.
//
// # Loading
//
// Load returns the shipped rules plus the user's (files or directories),
// parsed separately and linked as one collection (sigma.ParseFS,
// sigma.ParsePaths, sigma.Resolve), so a user's correlation may build on a
// shipped detection by name. A broken file or rule is reported with file,
// line and problem while the others load; shipped files are named
// "shipped:/<source>/x.yml" (IsShipped).
//
// # Sources
//
// LogSource and SourceName translate between Cairn source values and Sigma
// logsources: aws.cloudtrail = aws/cloudtrail, aws.vpcflow = aws/vpcflow
// (the raw JSON Cairn stores for a flow record: header field names, string
// values), aws.route53resolver = aws/route53, aws.eks.audit =
// kubernetes/audit. EventTime reads a record's time for correlations.
//
// # Tests
//
// ParseCases reads a test file (see Case); Runner runs cases against a rule
// collection, each case on a fresh sigma.Correlator holding every rule, with
// windows closed after the last record; RunTests and RunTestsFor find and
// run the test file beside each rule file and return a Report.
//
// # First seen
//
// Sigma cannot express "first time seen". A detection may carry the custom
// attribute cairn.new_value (fields, learning, forget); NewValues reads it
// and FirstSeen decides, per match, whether the value combination is new
// (Record also says whether its memory changed enough to be worth saving:
// a new combination, or a last sighting moved by more than
// NewValue.Granularity). The pack uses it for the first use of a region by
// a principal. The detection engine (package detect, Options.NewValues)
// raises such a rule only for new combinations, in streaming (memory saved
// in the store with the events) and in retro-hunts (a fresh memory from
// the start of the range); the rule test runner counts its firings with
// first_seen: true.
package rulepack
