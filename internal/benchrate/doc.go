// Package benchrate reports decoder benchmark rates: records per second
// of wall time and per second of CPU time the process got. On a shared
// machine wall time undercounts; the CPU rate is the one to compare with
// a per-core target.
package benchrate
