package cli

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/server"
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
	cmd.AddCommand(add, newPasswdCmd(), newGrantCmd(), newUserRoleCmd())
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
	var user, label, team, scopes, configFile string
	var ttl time.Duration
	create := &cobra.Command{
		Use:   "create",
		Short: "Create an API token for a user; the token is shown once",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if user == "" {
				return fmt.Errorf("--user: required (for a team token, the person it is made for)")
			}
			sc, ok := auth.ParseScopes(scopes)
			if !ok {
				return fmt.Errorf("--scope: %q is not a comma list of read, write, intake, flags:read", scopes)
			}
			srv, err := openServerForTeams(cmd.Context(), db, configFile)
			if err != nil {
				return err
			}
			defer srv.DB.Close()
			secret, _, err := srv.Users.OperatorToken(cmd.Context(), auth.TokenRequest{User: user, Team: team, Label: label, Scopes: sc, TTL: ttl})
			if err != nil {
				return flagError(err, "")
			}
			fmt.Fprintln(cmd.OutOrStdout(), secret)
			return nil
		},
	}
	db.register(create)
	create.Flags().StringVar(&user, "user", "", "the user the token acts as (for a team token: who it is made for)")
	create.Flags().StringVar(&team, "team", "", "make a token that acts for this team instead of the user")
	create.Flags().StringVar(&scopes, "scope", "read,write", "what the token may do: a comma list of read, write, intake, flags:read (OFREP only)")
	create.Flags().StringVar(&label, "label", "", "a note on what the token is for")
	create.Flags().DurationVar(&ttl, "ttl", 0, "expire the token after this long, e.g. 720h (default: never)")
	create.Flags().StringVar(&configFile, "config", envOr("FIREBREAK_CONFIG", ""), "config file whose catalog --team must be in (env FIREBREAK_CONFIG)")
	cmd.AddCommand(create, newTokenListCmd(), newTokenRevokeCmd())
	return cmd
}

// operator is who the CLI's admin commands act as: someone with access to
// the database may do anything, and the audit log names them so.
var operator = auth.User{Name: auth.SystemActor, Role: auth.Admin}

func newTokenListCmd() *cobra.Command {
	var db dbFlags
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List API tokens, newest first (never their secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			srv, err := openServer(cmd.Context(), db)
			if err != nil {
				return err
			}
			defer srv.DB.Close()
			toks, err := srv.Users.Tokens(cmd.Context(), operator, 0, 200)
			if err != nil {
				return err
			}
			t := newTable(cmd.OutOrStdout())
			t.row("ID", "PREFIX", "OWNER", "SCOPES", "LABEL", "EXPIRES", "LAST USED", "STATE")
			for _, tok := range toks {
				owner := tok.UserName
				if tok.Team != "" {
					owner = "team:" + tok.Team
				}
				state := "live"
				if tok.RevokedAt != nil {
					state = "revoked by " + tok.RevokedBy
				}
				t.row(fmt.Sprint(tok.ID), tok.Prefix+"…", owner, auth.FormatScopes(tok.Scopes), orDash(tok.Label),
					timeOrDash(tok.ExpiresAt, "never"), timeOrDash(tok.LastUsedAt, "-"), state)
			}
			return t.flush()
		},
	}
	db.register(cmd)
	return cmd
}

func timeOrDash(t *time.Time, none string) string {
	if t == nil {
		return none
	}
	return t.UTC().Format("2006-01-02 15:04Z")
}

func newTokenRevokeCmd() *cobra.Command {
	var db dbFlags
	cmd := &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke an API token at once",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || id <= 0 {
				return fmt.Errorf("ID: %q is not a token id (see firebreak token list)", args[0])
			}
			srv, err := openServer(cmd.Context(), db)
			if err != nil {
				return err
			}
			defer srv.DB.Close()
			tok, err := srv.Users.RevokeToken(cmd.Context(), operator, id)
			if err != nil {
				return flagError(err, "ID")
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Token %d (%s…) is revoked.\n", tok.ID, tok.Prefix)
			return nil
		},
	}
	db.register(cmd)
	return cmd
}

func newGrantCmd() *cobra.Command {
	var db dbFlags
	var team, role, configFile string
	cmd := &cobra.Command{
		Use:   "grant NAME",
		Short: "Give a user a role in a team (viewer, responder, manager); --role none takes it away",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if team == "" {
				return fmt.Errorf("--team: required")
			}
			r := auth.TeamRole(role)
			if role == "none" {
				r = ""
			}
			srv, err := openServerForTeams(cmd.Context(), db, configFile)
			if err != nil {
				return err
			}
			defer srv.DB.Close()
			u, err := srv.Users.SetTeamRole(cmd.Context(), operator, args[0], team, r)
			if err != nil {
				return flagError(err, "")
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s is now %s in team %s.\n", u.Name, orDash(string(u.TeamRole(team))), team)
			return nil
		},
	}
	db.register(cmd)
	cmd.Flags().StringVar(&team, "team", "", "the team")
	cmd.Flags().StringVar(&role, "role", string(auth.TeamResponder), "viewer, responder, manager, or none")
	cmd.Flags().StringVar(&configFile, "config", envOr("FIREBREAK_CONFIG", ""), "config file whose catalog the team must be in (env FIREBREAK_CONFIG)")
	return cmd
}

// openServerForTeams opens the database for a command that names a team:
// with a config file the team must be in its catalog; without one it is
// taken as named.
func openServerForTeams(ctx context.Context, db dbFlags, configFile string) (*server.Server, error) {
	opts := db.options()
	if configFile != "" {
		cfg, err := loadConfig(configFile)
		if err != nil {
			return nil, fmt.Errorf("config:\n%w", err)
		}
		opts.Catalog = cfg.Catalog
	}
	srv, err := openServerWith(ctx, opts)
	if err != nil {
		return nil, err
	}
	if configFile == "" {
		srv.Users.TeamExists = nil
	}
	return srv, nil
}

func newUserRoleCmd() *cobra.Command {
	var db dbFlags
	cmd := &cobra.Command{
		Use:   "role NAME ROLE",
		Short: "Change a user's organisation role: viewer, responder or admin",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			srv, err := openServer(cmd.Context(), db)
			if err != nil {
				return err
			}
			defer srv.DB.Close()
			u, err := srv.Users.SetRole(cmd.Context(), operator, args[0], auth.Role(args[1]))
			if err != nil {
				return flagError(err, "ROLE")
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s is now %s.\n", u.Name, u.Role)
			return nil
		},
	}
	db.register(cmd)
	return cmd
}
