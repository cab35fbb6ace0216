// Package secretsmanager keeps the collector's access key in an AWS Secrets
// Manager secret, as a keyrotate.Target.
package secretsmanager
