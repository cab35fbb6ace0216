// Package digest verifies CloudTrail log file integrity the way AWS
// documents it ("Custom implementations of CloudTrail log file integrity
// validation", and the AWS CLI's validate-logs):
//
//   - every digest file is signed: SHA256withRSA (RSA PKCS#1 v1.5 over
//     SHA-256) of the signing string
//     digestEndTime "\n" digestS3Bucket "/" digestS3Object "\n"
//     hex(SHA-256(uncompressed digest file)) "\n" previousDigestSignature
//     (the literal "null" for the first digest of a chain); the signature
//     is hex in the digest object's S3 metadata x-amz-meta-signature, and
//     the public key is the region's CloudTrail key whose fingerprint (hex
//     MD5 of its DER encoding) equals digestPublicKeyFingerprint;
//   - digests form a chain: previousDigestSignature and
//     previousDigestHashValue name the preceding digest of the same trail,
//     account and region; a deleted digest leaves a dangling link, a
//     restarted chain (validation or logging turned off for a while) a gap;
//   - every log file a digest lists must exist and the SHA-256 of its
//     uncompressed content must equal hashValue;
//   - log files no digest lists are reported as unlisted.
//
// The package imports nothing from AWS: objects come from a Store (list,
// open with metadata) and public keys from a KeySource, so the same code
// runs against S3, an emulator or memory. Subpackage digesttest builds
// signed digest chains for tests.
package digest
