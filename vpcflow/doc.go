// Package vpcflow decodes VPC Flow Logs as delivered to S3 in the text
// format: a header line naming the fields (the default version 2 format or
// any custom format with fields of versions 2 to 8), then one
// space-separated record per line, "-" standing for a missing value.
//
// The decoder streams: it holds one line at a time. Each record becomes a
// cairn.Event of the OCSF Network Activity class (4001) with source
// "aws.vpcflow":
//
//   - source_ip/dst_ip are pkt-srcaddr/pkt-dstaddr when the format has them
//     and they are set (the original packet's addresses, which differ from
//     srcaddr/dstaddr behind a NAT gateway or a transit gateway), else
//     srcaddr/dstaddr; srcaddr/dstaddr stay in raw.
//   - time is start (end, the timestamp in the S3 key, the object's time,
//     in that order, when the format has no start); start_time/end_time
//     keep both.
//   - activity_id is 6 (Traffic) for ACCEPT/REJECT records and 99 (Other)
//     for NODATA/SKIPDATA records, which are kept with their log_status;
//     status is Success for ACCEPT, Failure for REJECT; level is WARN for
//     SKIPDATA (records were lost), INFO otherwise.
//   - event_id is the first 128 bits of sha256(key, record index, line) in
//     hex: the same on every delivery of the same object, distinct per
//     record, so re-ingesting an object stores nothing twice.
//   - raw is a JSON object of the header's fields with their values as the
//     line spells them (strings; null for "-"), so that raw stays JSON like
//     every other source's.
//
// A record with the wrong number of fields or a malformed number is
// rejected on its own; a file whose first line is not a flow log header is
// refused as corrupt.
//
// Parquet flow logs (delivery option "file format: parquet"; the file starts
// with PAR1) are spooled to a temporary file, since Parquet keeps its
// metadata at the end, and read row group by row group: columns are the
// field names with '_' for '-', nulls are "-", and each row is normalized as
// the text record it stands for. A Parquet file that cannot be read is
// refused as corrupt; a row with bad values is rejected on its own.
package vpcflow
