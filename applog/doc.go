// Package applog decodes application logs: JSON lines (Fluent Bit's S3
// output, Docker/CRI JSON, structured loggers) and plain text lines, gzip
// or plain (the pipeline decompresses), one event per line with source
// "application".
//
// A JSON line's common fields are lifted into columns (the first present
// key wins; dotted names also match nested objects):
//
//   - time: time, timestamp, @timestamp, ts, date, t — RFC 3339 and the
//     usual layouts (see internal/logtime) or an epoch number in s, ms, µs
//     or ns;
//   - level: level, severity, lvl, loglevel, log.level (DEBUG, INFO, WARN,
//     ERROR; syslog numbers too);
//   - message: message, msg, log (stored in the message column);
//   - service: service, service.name, app, application,
//     kubernetes.labels.app, kubernetes.labels.app.kubernetes.io/name;
//   - trace_id: trace_id, traceId, traceID, trace.id, dd.trace_id;
//   - kubernetes.namespace_name, pod_name, container_name, host: namespace,
//     pod, container, host (host also from host or hostname);
//   - http_method (method, http.method), url (url, path, uri, request_uri),
//     http_status (status, status_code, http.status_code, when a number).
//
// When "log" is itself a JSON object in a string (Docker and CRI wrap the
// container's structured output that way), its fields are lifted too.
// A text line (or a line that starts like JSON but is not) keeps its
// level from the line (klog header, [ERROR], level=…, a level word) and
// its time from a leading timestamp ("2026-11-20T10:00:00Z …",
// "2026-11-20 10:00:00,123 …", "[2026-11-20 10:00:00] …"); without one,
// the object's time stands in (stable across re-ingestion). raw is the
// line as received; the events view shows it as message for text lines.
//
// event_id is the first 128 bits of sha256(bucket, key, byte offset, line)
// in hex: the same object ingested again yields the same IDs and stores
// nothing twice, and a different line at the same place a different one.
// OCSF: class_uid 0 (Base Event), activity 99 (Other).
//
// Lines longer than MaxLineBytes are rejected on their own
// (record_too_large); an object whose first line holds NUL bytes is
// refused as corrupt (binary data, not a log).
package applog
