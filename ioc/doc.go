// Package ioc matches events against indicator-of-compromise lists.
//
// # Lists
//
// A list is a local file in one of three formats (see ParsePlain, ParseCSV,
// ParseSTIX; Format "auto" picks by extension, then by the first byte):
//
//   - plain text: one indicator per line; blank lines and lines starting
//     with # are ignored, and so is anything after " #" on a line. The type
//     of each entry is detected (Detect).
//   - CSV: the header names the columns, case-insensitively. The indicator
//     column is "indicator", "value", "ioc" or "observable" (required);
//     optional columns are "type" (or "indicator_type"), "source" (or
//     "feed"), and "description" (or "comment", "note"). An empty type is
//     detected as in plain text.
//   - STIX 2.1: a bundle {"type":"bundle","objects":[…]} whose "indicator"
//     objects carry a pattern such as [ipv4-addr:value = '198.51.100.1'].
//     Supported object paths: ipv4-addr:value, ipv6-addr:value,
//     domain-name:value, url:value, user-account:user_id,
//     user-account:account_login and
//     network-traffic:extensions.'http-request-ext'.request_header.'User-Agent';
//     the only comparison is =, combined with OR (inside one observation
//     or between observations). Anything else (AND, other operators,
//     qualifiers, other objects such as file hashes) is refused for that
//     indicator with an error naming it. name, description, labels and
//     valid_until are kept; revoked indicators are skipped.
//
// An entry that cannot be used (unknown type, bad value, unsupported
// pattern) is skipped and reported in Result.Skipped with its position; a
// file that cannot be read as its format at all is an error.
//
// # Types and matching
//
// Indicator types and the event fields they are matched against:
//
//	ipv4, ipv6, cidr        source_ip, dst_ip (CIDR by a binary prefix trie)
//	access_key_id           access_key_id (AKIA… / ASIA… keys)
//	arn                     user_arn, session_issuer_arn, resources (ARN)
//	account_id              the account of user_arn and session_issuer_arn,
//	                        resources (accountId and ARN account)
//	user_agent              user_agent, exact (case-sensitive)
//	user_agent_substring    user_agent, substring (case-insensitive)
//	domain                  query_name: the domain itself and its subdomains
//	url                     query_name equal to the URL's host
//	user_name               user_name
//
// recipientAccountId (the event's account column) is deliberately not
// matched: it is the account that received the event — one of the
// monitored accounts — so an account indicator there would say nothing
// about who acted. The acting account is the one in the caller's ARN.
//
// An indicator with valid_until before the event's time does not match.
//
// # Reloading
//
// Watcher loads the configured lists, then polls each file's modification
// time and size; a changed file is parsed again and the whole Set is
// swapped atomically. A file that fails to load keeps its previous
// version; the error is logged and counted.
package ioc
