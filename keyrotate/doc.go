// Package keyrotate rotates the static access key of the IAM user the
// collector authenticates as: create a new key, write it where the collector
// reads it (its config file or a Secrets Manager secret), verify it works,
// then deactivate and delete the old one — rolling back on failure and
// never logging a secret key.
package keyrotate
