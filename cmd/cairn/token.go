package main

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cairn-sec/cairn/web"
)

func newTokenCommand(*globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Make and hash API tokens for cairn serve",
	}
	var purpose string
	newCmd := &cobra.Command{
		Use:   "new [NAME]",
		Short: "Generate a random token (or Firehose access key) and print it with the cairn.yaml entry holding its hash",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := "default"
			if len(args) == 1 {
				name = args[0]
			}
			return printNewToken(cmd, name, purpose)
		},
	}
	newCmd.Flags().StringVar(&purpose, "for", "api", "api (api.tokens), firehose (api.push.firehose.access_keys) or logs (api.push.logs.tokens)")
	cmd.AddCommand(newCmd, &cobra.Command{
		Use:   "hash",
		Short: "Read a token on stdin and print its SHA-256, the form api.tokens keeps",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return printTokenHash(cmd)
		},
	})
	return cmd
}

// printNewToken prints a random secret and the configuration entry
// holding its hash, for the API, the Firehose endpoint or /v1/logs.
func printNewToken(cmd *cobra.Command, name, purpose string) error {
	var what, entry string
	switch purpose {
	case "api":
		what, entry = "token (shown once; give it to the client)", "api:\n  tokens:\n"
	case "firehose":
		what, entry = "Firehose access key (shown once; the delivery stream's HTTP endpoint access key)", "api:\n  push:\n    firehose:\n      access_keys:\n"
	case "logs":
		what, entry = "push token (shown once; the forwarder sends it as Authorization: Bearer)", "api:\n  push:\n    logs:\n      tokens:\n"
	default:
		return usageError("--for %q: want api, firehose or logs", purpose)
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return fmt.Errorf("token: %w", err)
	}
	tok := "cairn_" + base64.RawURLEncoding.EncodeToString(b)
	indent := strings.Repeat(" ", strings.Count(entry, "\n")*2)
	fmt.Fprintf(cmd.OutOrStdout(), "%s:\n  %s\n\nadd to cairn.yaml:\n%s%s- name: %s\n%s  sha256: %s\n",
		what, tok, entry, indent, name, indent, web.HashToken(tok))
	return nil
}

// printTokenHash reads one token (the first line of stdin, trimmed) and
// prints its hex SHA-256.
func printTokenHash(cmd *cobra.Command) error {
	line, err := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
	tok := strings.TrimSpace(line)
	if tok == "" {
		if err != nil && line == "" {
			return usageError("no token on stdin (try: printf %%s \"$TOKEN\" | cairn token hash)")
		}
		return usageError("the token on stdin is empty")
	}
	if strings.ContainsAny(tok, " \t") {
		return errors.New("a token has no spaces: give the token alone on stdin")
	}
	fmt.Fprintln(cmd.OutOrStdout(), web.HashToken(tok))
	return nil
}
