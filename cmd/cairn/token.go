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
	cmd.AddCommand(&cobra.Command{
		Use:   "new [NAME]",
		Short: "Generate a random API token and print it with the api.tokens entry holding its hash",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := "default"
			if len(args) == 1 {
				name = args[0]
			}
			b := make([]byte, 32)
			if _, err := rand.Read(b); err != nil {
				return fmt.Errorf("token: %w", err)
			}
			tok := "cairn_" + base64.RawURLEncoding.EncodeToString(b)
			fmt.Fprintf(cmd.OutOrStdout(), "token (shown once; give it to the client):\n  %s\n\nadd to cairn.yaml:\napi:\n  tokens:\n    - name: %s\n      sha256: %s\n",
				tok, name, web.HashToken(tok))
			return nil
		},
	}, &cobra.Command{
		Use:   "hash",
		Short: "Read a token on stdin and print its SHA-256, the form api.tokens keeps",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return printTokenHash(cmd)
		},
	})
	return cmd
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
