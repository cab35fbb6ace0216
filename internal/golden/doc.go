// Package golden runs decoder golden tests: every
// testdata/<format>/<case>/input is decoded, rendered as JSON and compared
// with want.json next to it; `go test -update` rewrites want.json.
package golden
