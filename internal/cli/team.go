package cli

import (
	"fmt"
	"io"
	"net/url"
	"os"
	"time"

	"github.com/spf13/cobra"
)

func newTeamCmd() *cobra.Command {
	var f apiFlags
	cmd := &cobra.Command{Use: "team", Short: "A team's own settings (talks to a running server)"}
	f.register(cmd)
	targets := &cobra.Command{
		Use:   "targets",
		Short: "List, add and remove the places a team is told of its incidents, besides its catalog e-mail and chat channel",
	}
	targets.AddCommand(newTargetsListCmd(&f), newTargetsAddCmd(&f), newTargetsRemoveCmd(&f))
	cmd.AddCommand(targets)
	return cmd
}

// teamTargetDoc is a team target as the API sends it.
type teamTargetDoc struct {
	ID        int64     `json:"id"`
	Team      string    `json:"team"`
	Channel   string    `json:"channel"`
	Address   string    `json:"address"`
	HasSecret bool      `json:"has_secret"`
	Lang      string    `json:"lang"`
	FromGrade string    `json:"from_grade"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
}

func targetsPath(team string, sub ...string) string {
	p := apiPrefix + "/teams/" + url.PathEscape(team) + "/targets"
	for _, s := range sub {
		p += "/" + url.PathEscape(s)
	}
	return p
}

// targetFlags names the flag behind each request field, so that a refusal
// points at what to fix.
var targetFlags = map[string]string{"channel": "--channel", "address": "--address", "secret": "--secret-env",
	"lang": "--lang", "from_grade": "--from-grade"}

func targetFlag(field string) string { return targetFlags[field] }

func newTargetsListCmd(f *apiFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "list TEAM",
		Short: "List the team's own targets (never their secrets)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			err := call(cmd, f, "GET", targetsPath(args[0]), nil, func(out io.Writer, body struct{ Items []teamTargetDoc }) error {
				t := newTable(out)
				t.row("ID", "CHANNEL", "ADDRESS", "LANG", "FROM", "ADDED BY")
				for _, tg := range body.Items {
					ch := tg.Channel
					if tg.HasSecret {
						ch += " (signed)"
					}
					t.row(fmt.Sprint(tg.ID), ch, tg.Address, orDash(tg.Lang), orDash(tg.FromGrade), tg.CreatedBy)
				}
				return t.flush()
			})
			if err != nil {
				return fmt.Errorf("list targets: %w", err)
			}
			return nil
		},
	}
}

func newTargetsAddCmd(f *apiFlags) *cobra.Command {
	var req struct {
		Channel   string `json:"channel"`
		Address   string `json:"address"`
		Secret    string `json:"secret,omitempty"`
		Lang      string `json:"lang,omitempty"`
		FromGrade string `json:"from_grade,omitempty"`
	}
	var secretEnv string
	cmd := &cobra.Command{
		Use:   "add TEAM --channel email|slack|webhook|mattermost|teams|lineworks --address ADDRESS [flags]",
		Short: "Add a place the team is told (the team's responders and managers, and admins, may)",
		Example: `  firebreak team targets add payments --channel email --address payments-leads@example.com --from-grade SEV2
  PAY_HOOK_SECRET=… firebreak team targets add payments --channel webhook --address https://hooks.example.com/fb --secret-env PAY_HOOK_SECRET`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if secretEnv != "" {
				v, ok := os.LookupEnv(secretEnv)
				if !ok || v == "" {
					return fmt.Errorf("--secret-env: the environment variable %s is not set", secretEnv)
				}
				req.Secret = v
			}
			return callAs(cmd, f, "POST", targetsPath(args[0]), req, pointAt("add target", targetFlag), func(out io.Writer, tg teamTargetDoc) error {
				_, err := fmt.Fprintf(out, "Added target %d of team %s: %s %s.\n", tg.ID, tg.Team, tg.Channel, tg.Address)
				return err
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&req.Channel, "channel", "", "email, slack, webhook, mattermost, teams or lineworks (required)")
	fl.StringVar(&req.Address, "address", "", "an e-mail address, a Slack channel (#name), an https URL, or a Teams or LINE WORKS target's name from the notify config (required)")
	fl.StringVar(&secretEnv, "secret-env", "", "name of the environment variable that holds a webhook's signing secret (kept off the command line)")
	fl.StringVar(&req.Lang, "lang", "", "en or ko (default: the policy's language)")
	fl.StringVar(&req.FromGrade, "from-grade", "", "tell this target from this grade up, e.g. SEV2 (default: every grade)")
	_ = cmd.MarkFlagRequired("channel")
	_ = cmd.MarkFlagRequired("address")
	return cmd
}

func newTargetsRemoveCmd(f *apiFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "remove TEAM ID",
		Short: "Remove one of the team's targets (see the ids with list)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := f.client()
			if err != nil {
				return err
			}
			var tg teamTargetDoc
			if err := c.do(cmd.Context(), "DELETE", targetsPath(args[0], args[1]), nil, &tg); err != nil {
				return fmt.Errorf("remove target: %w", err)
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "Removed target %d of team %s: %s %s.\n", tg.ID, tg.Team, tg.Channel, tg.Address)
			return err
		},
	}
}
