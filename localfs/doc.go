// Package localfs reads log files from the local file system for
// backfills: it walks paths and opens files for the pipeline.
package localfs
