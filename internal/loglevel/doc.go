// Package loglevel maps the severities log records name (level, severity,
// syslog numbers, klog prefixes, bracketed words) to Cairn's levels:
// DEBUG, INFO, WARN, ERROR.
package loglevel
