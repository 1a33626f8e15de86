package cli

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/firebreak-oss/firebreak/internal/auth"
)

func newUserCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Manage users (works on the database directly)"}
	var db dbFlags
	var email, role string
	add := &cobra.Command{
		Use:   "add NAME",
		Short: "Add a user",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			srv, err := openServer(cmd.Context(), db)
			if err != nil {
				return err
			}
			defer srv.DB.Close()
			u, err := srv.Users.AddUser(cmd.Context(), args[0], email, auth.Role(role))
			if err != nil {
				return flagError(err, "name")
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Added user %s (%s).\n", u.Name, u.Role)
			return nil
		},
	}
	db.register(add)
	add.Flags().StringVar(&email, "email", "", "e-mail address")
	add.Flags().StringVar(&role, "role", string(auth.Responder), "viewer, responder or admin")
	cmd.AddCommand(add, newPasswdCmd())
	return cmd
}

func newPasswdCmd() *cobra.Command {
	var db dbFlags
	cmd := &cobra.Command{
		Use:   "passwd NAME",
		Short: "Set a user's web sign-in password, read from the first line of standard input",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if f, ok := cmd.InOrStdin().(*os.File); ok && term.IsTerminal(int(f.Fd())) {
				fmt.Fprint(cmd.ErrOrStderr(), "New password: ")
			}
			line, err := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
			if err != nil && line == "" {
				return fmt.Errorf("password: read from standard input: %w", err)
			}
			srv, err := openServer(cmd.Context(), db)
			if err != nil {
				return err
			}
			defer srv.DB.Close()
			if err := srv.Passwords.SetPassword(cmd.Context(), args[0], strings.TrimRight(line, "\r\n")); err != nil {
				return flagError(err, "password")
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Password set for %s.\n", args[0])
			return nil
		},
	}
	db.register(cmd)
	return cmd
}

func newTokenCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "Manage API tokens (works on the database directly)"}
	var db dbFlags
	var user, label string
	var ttl time.Duration
	create := &cobra.Command{
		Use:   "create",
		Short: "Create an API token for a user; the token is shown once",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if user == "" {
				return fmt.Errorf("--user: required")
			}
			srv, err := openServer(cmd.Context(), db)
			if err != nil {
				return err
			}
			defer srv.DB.Close()
			secret, _, err := srv.Users.CreateToken(cmd.Context(), user, label, ttl)
			if err != nil {
				return flagError(err, "")
			}
			fmt.Fprintln(cmd.OutOrStdout(), secret)
			return nil
		},
	}
	db.register(create)
	create.Flags().StringVar(&user, "user", "", "the user the token acts as")
	create.Flags().StringVar(&label, "label", "", "a note on what the token is for")
	create.Flags().DurationVar(&ttl, "ttl", 0, "expire the token after this long, e.g. 720h (default: never)")
	cmd.AddCommand(create)
	return cmd
}
