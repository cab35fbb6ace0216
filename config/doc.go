// Package config is Cairn's configuration: one YAML tree (cairn.yaml) with
// defaults and Validate, overridable by CAIRN_* environment variables and
// then by command-line flags.
package config
