// Package awsauth builds the AWS configuration every AWS adapter uses from
// Cairn's options: the standard chain (environment, profiles, SSO, instance
// and container roles, AWS_ENDPOINT_URL), static keys, AssumeRole with an
// external ID, and web identity (an OIDC token file), for any partition.
package awsauth
