// Package digestcheck verifies CloudTrail digest files continuously, as
// cairn collect ingests them: each digest's signature (keys from CloudTrail
// ListPublicKeys, cached per region), its link to the previous digest of
// the chain, and each listed log file's SHA-256 against the one computed
// while the log file was ingested (the objects ledger). Log files and
// previous digests not ingested yet are waited for; past a grace period
// they are reported missing. Problems become alerts of kind integrity.
package digestcheck
