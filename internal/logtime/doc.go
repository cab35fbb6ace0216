// Package logtime parses the timestamps log records carry: RFC 3339 with
// or without a zone and with a space or a T, common syslog-free layouts,
// and epoch numbers in seconds, milliseconds, microseconds or
// nanoseconds. Times without a zone are UTC.
package logtime
