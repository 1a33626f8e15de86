package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

// call runs one API request and prints its JSON under --json, or hands the
// decoded answer to text.
func call[T any](cmd *cobra.Command, f *apiFlags, method, path string, body any, text func(io.Writer, T) error) error {
	return callAs(cmd, f, method, path, body, nil, text)
}

// callAs is call whose failures are told through wrap, which names what
// was asked ("create switch: …") or points at the flag at fault.
func callAs[T any](cmd *cobra.Command, f *apiFlags, method, path string, body any, wrap func(error) error, text func(io.Writer, T) error) error {
	c, err := f.client()
	if err != nil {
		return err
	}
	return exchange(cmd, c, f, method, path, body, wrap, text)
}

// exchange is callAs with a client already made, for commands that ask the
// server more than once.
func exchange[T any](cmd *cobra.Command, c *client, f *apiFlags, method, path string, body any, wrap func(error) error, text func(io.Writer, T) error) error {
	if wrap == nil {
		wrap = func(err error) error { return err }
	}
	var raw json.RawMessage
	if err := c.do(cmd.Context(), method, path, body, &raw); err != nil {
		return wrap(err)
	}
	out := cmd.OutOrStdout()
	if f.json {
		return printJSON(out, raw)
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return wrap(fmt.Errorf("unexpected answer: %w", err))
	}
	return text(out, v)
}

// doing wraps an error as what failed: "record change: …".
func doing(format string, args ...any) func(error) error {
	return func(err error) error { return fmt.Errorf(format+": %w", append(args, err)...) }
}

// pointAt tells a refusal of the request as the flag behind the field at
// fault (flagFor returns "" for none), so the operator sees what to fix,
// and any other failure as what failed.
func pointAt(what string, flagFor func(field string) string) func(error) error {
	return func(err error) error {
		var ae *apiError
		if errors.As(err, &ae) {
			if name := flagFor(ae.Field); name != "" {
				return fmt.Errorf("%s: %s", name, strings.TrimPrefix(ae.Detail, ae.Field+": "))
			}
		}
		return fmt.Errorf("%s: %w", what, err)
	}
}

// apiCommand makes cmd a group of commands that talk to a running server:
// each subcommand, made by one of subs, shares its --server, --token and
// --json flags.
func apiCommand(cmd *cobra.Command, subs ...func(*apiFlags) *cobra.Command) *cobra.Command {
	f := &apiFlags{}
	f.register(cmd)
	for _, sub := range subs {
		cmd.AddCommand(sub(f))
	}
	return cmd
}
