// Package watch detects drift in the AWS wiring Cairn created — the trail,
// its bucket and topic, the queue subscribed to the topic and its
// dead-letter queue — and, when asked, repairs what Cairn owns: re-creates
// a deleted trail (multi-region, log file validation) or queue (with its
// DLQ and redrive policy), restarts logging, turns validation back on,
// follows a trail moved to another bucket or topic (resubscribing the
// queue), resubscribes a removed subscription and re-applies the minimum
// topic and queue policy statements, keeping every other statement.
//
// Ownership: Cairn changes a resource only when the watch configuration
// names it or its name starts with the templates' name prefix
// ("cairn-" by default). Anything else is reported, never changed.
package watch
