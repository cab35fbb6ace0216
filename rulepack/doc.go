// Package rulepack is Cairn's shipped Sigma rule pack and the loader and
// test runner around it.
//
// The rules live in rules/<source>/ (cloudtrail, vpcflow, route53, eks),
// are written by the Cairn project and embedded in the binary. Each rule
// file x.yml has a test file x.tests.yml beside it: a list of cases, each
// a name, the expected outcome and the record(s) in the source's raw
// format (see RunTests).
//
// Load returns the shipped rules plus the user's (files or directories),
// linked as one collection so a user's correlation may build on a shipped
// detection; a broken file or rule is reported with file, line and problem
// while the others load. LogSource and SourceName translate between Cairn
// source values ("aws.cloudtrail", "aws.vpcflow", "aws.route53resolver",
// "aws.eks.audit") and Sigma logsources; EventTime reads a record's time.
package rulepack
