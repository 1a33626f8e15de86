package cli

import (
	"fmt"
	"io"
	"sort"

	"github.com/spf13/cobra"

	"github.com/firebreak-oss/firebreak/internal/playbook"
)

func newPlaybookCmd() *cobra.Command {
	return apiCommand(&cobra.Command{
		Use:   "playbook",
		Short: "Show and run the playbooks of an incident's services (talks to a running server)",
	}, newPlaybookRunCmd)
}

func newPlaybookRunCmd(f *apiFlags) *cobra.Command {
	var in playbook.RunInput
	var kind string
	cmd := &cobra.Command{
		Use:   "run INC-N --service NAME --playbook KIND --step N [--yes]",
		Short: "Show exactly what an action step sends; with --yes, send it through the job queue",
		Long: `Without --yes, prints the request the step would send (method, URL, headers
with the credential masked, body) and sends nothing. With --yes the run is
stored and queued; its result comes to the incident's timeline. A rollback of
a service whose newest deploy is not rollbackable also needs
--confirm-not-rollbackable.`,
		Example: `  firebreak playbook run INC-7 --service checkout-api --playbook rollback --step 2
  firebreak playbook run INC-7 --service checkout-api --playbook rollback --step 2 --yes`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if in.Service == "" || kind == "" || in.Step == 0 {
				return fmt.Errorf("--service, --playbook and --step are required")
			}
			in.Playbook = playbook.Kind(kind)
			c, err := f.client()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if !in.Confirm {
				var doc struct {
					Services []playbook.ServicePlaybooks `json:"services"`
				}
				if err := c.do(cmd.Context(), "GET", incidentPath(args[0], "playbooks"), nil, &doc); err != nil {
					return fmt.Errorf("playbooks of %s: %w", args[0], err)
				}
				p := findPreview(doc.Services, in)
				if p == nil {
					return fmt.Errorf("%s has no action step %d in the %s playbook of %s", displayRef(args[0]), in.Step, kind, in.Service)
				}
				printPlaybookPreview(out, p)
				_, err := fmt.Fprintln(out, "\nNothing was sent. Run again with --yes to send it.")
				return err
			}
			refused := func(err error) error {
				if e, ok := err.(*apiError); ok && e.Field == "confirm_not_rollbackable" {
					return fmt.Errorf("%w; add --confirm-not-rollbackable to run it anyway", err)
				}
				return fmt.Errorf("run playbook step on %s: %w", args[0], err)
			}
			return exchange(cmd, c, f, "POST", incidentPath(args[0], "playbooks", "runs"), in, refused, func(out io.Writer, run struct {
				ID             int64  `json:"id"`
				State          string `json:"state"`
				IdempotencyKey string `json:"idempotency_key"`
				Request        struct {
					Method string `json:"method"`
					URL    string `json:"url"`
				} `json:"request"`
			}) error {
				_, err := fmt.Fprintf(out, "Run %d %s: %s %s (idempotency key %s). Its result comes to the timeline of %s.\n",
					run.ID, run.State, run.Request.Method, run.Request.URL, run.IdempotencyKey, displayRef(args[0]))
				return err
			})
		},
	}
	cmd.Flags().StringVar(&in.Service, "service", "", "one of the incident's services")
	cmd.Flags().StringVar(&kind, "playbook", "", "rollback, restart, scale_out or hotfix")
	cmd.Flags().IntVar(&in.Step, "step", 0, "the action step's number, from 1")
	cmd.Flags().StringVar(&in.RollbackTo, "rollback-to", "", "the version or history id to roll back to, for steps that send it")
	cmd.Flags().BoolVar(&in.Confirm, "yes", false, "send it (without: only show what would be sent)")
	cmd.Flags().BoolVar(&in.ConfirmNotRollbackable, "confirm-not-rollbackable", false, "run a rollback although the newest deploy is marked not rollbackable")
	return cmd
}

func findPreview(services []playbook.ServicePlaybooks, in playbook.RunInput) *playbook.Preview {
	for _, s := range services {
		for _, pb := range s.Playbooks {
			for _, st := range pb.Steps {
				if s.Service == in.Service && pb.Kind == in.Playbook && st.Number == in.Step {
					return st.Action
				}
			}
		}
	}
	return nil
}

func printPlaybookPreview(w io.Writer, p *playbook.Preview) {
	fmt.Fprintf(w, "%s step %d of %s: %s (%s)\n%s %s\n", p.Playbook, p.Step, p.Service, p.Title, p.Action, p.Method, p.URL)
	names := make([]string, 0, len(p.Headers))
	for k := range p.Headers {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(w, "%s: %s\n", k, p.Headers[k])
	}
	if p.Body != "" {
		fmt.Fprintf(w, "\n%s\n", p.Body)
	}
	if p.NeedsRollbackTo {
		fmt.Fprintln(w, "\nThis step sends the version to roll back to: give it with --rollback-to.")
	}
	if p.NotRollbackable != "" {
		fmt.Fprintf(w, "\nThe newest deploy of %s is not rollbackable: %s %s\n", p.Service, p.NotRollbackable, p.NotRollbackableLink)
	}
}
