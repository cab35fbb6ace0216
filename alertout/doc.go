// Package alertout delivers alerts to outputs: a log line (slog), a
// generic webhook (signed JSON POST) and Slack-compatible incoming
// webhooks.
//
// # Delivery
//
// Dispatcher runs one goroutine per output. Each polls the store for the
// alerts due to that output (cairn.DeliveryQuery), sends them, and records
// every attempt's outcome in the store (alert_deliveries: attempts,
// next_attempt, delivered_at, last_error, and the severity and count last
// sent). Alerts are written by the ingest path and read back from the
// store, so a slow or failing output never blocks ingestion, and an alert
// is never lost: after a failure its next attempt is scheduled with
// exponential backoff (RetryBackoff doubling up to MaxBackoff) and retried
// until it succeeds, across restarts. During an outage an output is tried
// with one alert per poll.
//
// # Re-sending
//
// Suppression folds repeated matches into an existing alert. A delivered
// alert is sent again (with "resend": true) when its severity rose above
// the one last sent, or — if the output's ResendAfter is set — when its
// count grew and ResendAfter has passed since its last delivery. Closed
// alerts are not re-sent. Alerts never attempted are sent only if they
// changed within MaxAge (24h by default), so adding an output to an
// existing store does not replay its history.
//
// # Webhook signature
//
// A webhook POST carries
//
//	Content-Type: application/json
//	X-Cairn-Timestamp: <Unix seconds>
//	X-Cairn-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>
//	X-Cairn-Alert-Id: <alert id>
//
// The timestamp is part of the signed content, so a receiver that checks
// the signature (Verify; constant-time) and rejects timestamps older than a
// few minutes cannot be fed a replayed request. Without a secret the two
// signature headers are omitted.
//
// The body is {"type":"cairn.alert","alert":{…cairn.Alert…},
// "sample_event":{…}, "resend":bool}.
//
// # Secrets
//
// Webhook secrets and URLs are never logged or stored: errors name an
// output by its name and its URL reduced to scheme and host (Slack
// webhook URLs carry their secret in the path).
package alertout
