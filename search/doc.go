// Package search compiles Cairn's query language to one parameterized
// DuckDB statement over the events view.
//
// A query is a Lucene-style filter, optionally followed by pipe stages
// that accept both the SPL and the KQL spelling:
//
//	event_name:ConsoleLogin AND status:Failure
//	  | stats count() as fails, dcount(user_name) as users by source_ip
//	  | where fails > 10 | sort -fails
//
// # Filter
//
//   - field:value, field:"quoted phrase"; equality ignores case (as in
//     Sigma). field=value and field!=value are accepted too.
//   - Wildcards * and ? in unquoted values (ILIKE; % and _ are literal).
//     A backslash escapes the next character.
//   - AND, OR, NOT (any case), &&, ||, !, -clause, +clause, parentheses;
//     adjacent clauses are ANDed. NOT binds tighter than AND, AND than OR.
//     NOT f:v also matches events without f (Lucene semantics).
//   - field:(a OR b) applies a field to a group.
//   - Ranges [a TO b], {a TO b} and mixed, * for an open end;
//     field:>=x, field:>x, field:<x, field:<=x (also field>=x).
//     Times accept RFC 3339, dates (a date covers its day), now-7d.
//   - field:* and _exists_:field: present and not empty.
//   - /regex/: RE2, unanchored (DuckDB regexp_matches).
//   - CIDR blocks on IP fields, IPv4 and IPv6 (source_ip:10.0.0.0/8,
//     source_ip:2001:db8::/32), and address ranges
//     source_ip:[10.0.0.0 TO 10.0.0.255]. An IPv6 address matches in any
//     spelling. IPv4-mapped IPv6 addresses and zones are not matched.
//   - Bare words and phrases search the whole raw record as text; a lone
//     '*' matches every event.
//
// # Fields
//
// Fields are the columns of the events view, by name or by an alias from
// CloudTrail (eventName, userIdentity.arn, sourceIPAddress, ...), OCSF
// (api.operation, src_endpoint.ip, actor.user.uid, ...), ECS
// (event.action, source.ip, user.name, ...) or Qorrelate (source_ip,
// user_identity, source:aws-cloudtrail); see Fields. Names ignore case.
// Any other dotted path reads the raw record (requestParameters.policyArn);
// an array anywhere on the path stands for each of its elements, so
// resources.ARN matches any resource's ARN.
//
// # Stages
//
//	where EXPR | filter EXPR
//	stats|summarize AGG[, AGG] [by KEY[, KEY]]     AGG: [name=]fn(x) [as name]
//	    count() count(x) countif(cond) dcount|dc(x) min max sum avg median
//	    stdev values(x) list(x) top(x, N) earliest(x) latest(x)
//	    KEY: field, name = expr, bin(time, 5m)
//	timechart [span=5m] [AGG...] [by field]       (span defaults from the range)
//	bin [span=5m] time [as name]
//	sort [N] -f, +g, h desc | sort by f [asc] | order by f   (KQL: desc default)
//	head [N] | limit N | take N
//	fields|project|table a, b, name = expr | fields - a | project-away a
//	eval|extend name = expr, ...
//	rename a as b | project-rename b = a
//	dedup [N] a, b | distinct a, b
//	top [N|limit=N] a [by b] | rare ... | top N by f (KQL: sort and limit)
//	count
//
// Expressions have literals (numbers, "strings", 5m durations, true, false,
// null), = == =~ != <> !~ < <= > >=, and or not, + - * / %, in (...),
// !in, contains, startswith, endswith, like, and functions: lower, upper,
// len, abs, round, floor, ceil, sqrt, log, coalesce, isnull, isnotnull,
// isempty, isnotempty, if/iff, tostring, toint, todouble, substr, strcat,
// replace, split, match, mvcount, epoch, hour, dayofweek, date, now,
// ago(1h), todatetime("..."), bin(t, 1h), cidrmatch("cidr", ip) and
// ipv4_is_in_range(ip, "cidr"). Comparing text with a string ignores case;
// comparing a time with a string reads the string as a time. Unlike the
// filter, expressions follow SQL's NULL rules, and a dotted path in an
// expression reads one value (json_extract_string), not each array element.
//
// # Compilation
//
// Compile returns a Statement: WITH s0 AS (the filter and the time range
// of Options), then one CTE per stage, then the final order and limit.
// Every value from the query is a '?' parameter; field names come from the
// registry, JSON path steps are parameters too, and column names a user
// chooses (as, =) are checked against [A-Za-z_][A-Za-z0-9_]* before they
// are written, quoted, into the statement. Mistakes are *Error values
// naming what was expected at which column.
package search
