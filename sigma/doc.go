// Package sigma is Cairn's Sigma engine: it parses Sigma rules
// (specification v2.1), compiles them to matchers over raw log records
// (CloudTrail JSON) and evaluates many rules per event through an index. It
// also parses Sigma correlation rules and evaluates them in streaming with
// bounded, serializable state.
//
// # Loading
//
// LoadDir, Load, LoadFile and Parse read rule files (several YAML documents
// per file allowed). A broken rule yields an *Error naming file, line and
// problem ("rules/x.yml:12: field \"a|foo\": unknown modifier \"foo\"");
// the other rules still load. Constructs this engine refuses (legacy
// "| count()" and "| near" aggregations, timeframe, Sigma 1.x "action:"
// collections, filter documents) give errors matching ErrUnsupported.
//
// # Matching semantics
//
//   - Field names are raw dotted JSON paths (eventName, userIdentity.type,
//     requestParameters.bucketName). A path through an array applies to
//     every element; a value that is an array matches when any element does.
//     A key that itself contains dots is found too.
//   - Values are compared as strings: numbers and booleans by their JSON
//     literal (a YAML number also matches numerically), objects by their
//     compact JSON text with string contents decoded (so `contains` on
//     requestParameters sees `"s3:GetObject"` inside an embedded policy).
//   - Matching is case-insensitive unless `cased`; `re` is case-sensitive
//     unless `re|i`. Wildcards `*` and `?` (one character) apply to plain,
//     contains, startswith and endswith values; `\*`, `\?` and `\\` escape.
//   - `null` matches a missing or JSON-null field; an empty value (quoted
//     empty string) matches an empty string.
//     `exists: true|false` tests presence (a null value is present).
//   - Keywords (a list of plain values, or a `'|mod': values` key) search
//     the whole record's text, as contains unless another modifier is given.
//   - Maps AND, lists OR (unless `all`), lists of maps OR.
//   - Modifiers: contains startswith endswith all cased neq exists re (with
//     i m s) cidr lt lte gt gte minute hour day week month year base64
//     base64offset utf16le utf16be utf16 wide windash fieldref expand.
//     `neq` negates the field's whole test (not equal to any listed value;
//     true when the field is absent). `fieldref` compares with another
//     field's value and combines with contains/startswith/endswith/cased.
//     `expand` replaces %name% placeholders with Options.Placeholders; a
//     rule whose placeholder has no values is refused. Encoded values
//     (base64…, utf16…) are compared case-sensitively.
//   - `re` uses Go's RE2 syntax, which covers the PCRE subset the spec
//     allows (no backreferences or lookaround).
//
// # Conditions
//
// and, or, not, parentheses, "1 of pattern", "all of pattern", "1 of
// them", "all of them" ("them" skips identifiers starting with '_'), with
// precedence not > and > or. A list of conditions is ORed.
//
// # Evaluation
//
// ParseEvent parses a record once into a compact tree shared by every
// rule; Rule.Match tests one rule. RuleSet routes rules by log source
// (CloudTrail = product aws, service cloudtrail) and indexes them by the
// eventName (else eventSource) literals they require, so Match costs one
// parse plus the few candidate rules.
//
// # Correlations
//
// Correlation rules (event_count, value_count, temporal, temporal_ordered,
// value_sum, value_avg; value_percentile parses but is refused by the
// correlator) with group-by, timespan, condition, aliases, chaining and
// generate. Correlator consumes the detection matches of each event; see
// its documentation for streaming semantics, Limits and State.
//
// # Licensing
//
// SigmaHQ rules are under the Detection Rule License 1.1: Rule.Author must
// be shown wherever matches of such rules are shown.
package sigma
