// Package doctor checks that a Cairn source is wired the way cairn collect
// needs it — what a vendor's "Test" button should be. Each check reads the
// AWS side through a small interface (Identity, Queues, Topics, Buckets,
// Keys, Trails, Ledger) implemented by package doctor/awsprobe, and
// returns a Result: ok, warn or fail, a plain-words detail and, when not
// ok, the fix. Every call runs under a timeout; a check the caller lacks
// the permission to make is a warning naming that permission.
package doctor
