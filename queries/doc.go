// Package queries is Cairn's saved-query library: named searches in the
// query language of package search, each with a title, a description, tags
// and the MITRE ATT&CK techniques it helps detect.
//
// The library shipped with Cairn is embedded (library/*.yaml). Users add
// their own in YAML files in a directory (config queries.dir); a user query
// with the name of a shipped one replaces it.
//
// A file holds one query (a mapping) or a list of them:
//
//	# ~/.config/cairn/queries/identity.yaml
//	- name: console-logins-without-mfa
//	  title: Console logins without MFA
//	  description: Successful sign-ins of IAM users and root without MFA.
//	  query: event_name:ConsoleLogin AND status:Success AND session_mfa:false
//	  tags: [identity, mfa]
//	  mitre: [T1078.004]
package queries
