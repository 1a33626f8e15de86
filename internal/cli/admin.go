package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

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
	cmd.AddCommand(add)
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
