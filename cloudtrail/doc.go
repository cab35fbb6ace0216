// Package cloudtrail decodes CloudTrail log files ({"Records":[...]}) as a
// stream, one record at a time, and normalizes each record into a
// cairn.Event: typed columns an analyst queries directly, the OCSF API
// Activity class, and the raw record.
//
// The scanner never holds more than one record in memory, so a 1 GB log
// file or a gzip bomb streams through in bounded memory. A record that is
// not valid JSON, or too large, is rejected on its own and the rest of the
// file is still decoded; a file that is not a CloudTrail log at all is
// refused as corrupt.
package cloudtrail
