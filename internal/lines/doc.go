// Package lines reads a stream line by line for the line-oriented
// decoders (VPC flow logs, Route 53 Resolver query logs, application
// logs): without the terminator (\n or \r\n), skipping blank lines, with
// each line's byte offset, and with a bound on line length; and the
// record loop they share (Records).
package lines
