// Package e2e holds Cairn's end-to-end tests. They build the cairn binary,
// run it as a subprocess against the fauxqs SNS/SQS/S3 emulator, and check
// the collector's promise from the outside: every event of every delivered
// file is stored exactly once, and a message leaves the queue only after
// what it points at is committed, whether the collector stops cleanly or is
// SIGKILLed at any moment.
//
// The tests skip under -short and when the emulator is not installed
// (except under CI=true). Run them with
//
//	go test ./e2e -run . -v -count=1 -timeout 20m
//
// CAIRN_E2E_SEED fixes the seed the tests draw kill timings and data from;
// each test logs the seed it used.
package e2e
