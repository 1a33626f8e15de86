package cli

import (
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

func newChangeCmd() *cobra.Command {
	return apiCommand(&cobra.Command{
		Use:   "change",
		Short: "Record and list changes to services: deploys, config, migrations, infrastructure, flags (talks to a running server)",
	}, newChangeRecordCmd, newChangeListCmd, newChangeIncidentCmd)
}

// changeDoc is a change as the API sends it.
type changeDoc struct {
	ID       int64     `json:"id"`
	Kind     string    `json:"kind"`
	Services []string  `json:"services"`
	Version  string    `json:"version"`
	Commit   string    `json:"commit"`
	Title    string    `json:"title"`
	At       time.Time `json:"at"`
	Verdict  struct {
		Rollbackable bool   `json:"rollbackable"`
		Reason       string `json:"reason"`
		PR           string `json:"pr"`
	} `json:"verdict"`
}

func (c changeDoc) verdict() string {
	if c.Verdict.Rollbackable {
		return "rollbackable"
	}
	s := "NOT rollbackable: " + c.Verdict.Reason
	if c.Verdict.PR != "" {
		s += " (" + c.Verdict.PR + ")"
	}
	return s
}

func newChangeRecordCmd(f *apiFlags) *cobra.Command {
	var body struct {
		ID              string              `json:"id,omitempty"`
		Kind            string              `json:"kind"`
		Services        []string            `json:"services"`
		Version         string              `json:"version,omitempty"`
		Commit          string              `json:"commit,omitempty"`
		Title           string              `json:"title,omitempty"`
		Environment     string              `json:"environment,omitempty"`
		At              string              `json:"at,omitempty"`
		Links           []map[string]string `json:"links,omitempty"`
		NotRollbackable string              `json:"not_rollbackable,omitempty"`
	}
	var links []string
	cmd := &cobra.Command{
		Use:   "record --service NAME --kind KIND [--version V] [--not-rollbackable REASON] [--title T] [--link URL]...",
		Short: "Record a change to one or more services",
		Example: `  firebreak change record --service checkout-api --kind deploy --version v2.14.0 --link https://ci.example.com/runs/881
  firebreak change record --service ledger --kind migration --title "orders.shipping_address 추가" --not-rollbackable "컬럼 삭제는 데이터 손실"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(body.Services) == 0 {
				return fmt.Errorf("--service is required: the service the change is to")
			}
			if body.Kind == "" {
				return fmt.Errorf("--kind is required: deploy, config, migration, infrastructure, flag or code")
			}
			for _, l := range links {
				body.Links = append(body.Links, map[string]string{"title": "link", "url": l})
			}
			return callAs(cmd, f, "POST", apiPrefix+"/changes", body, doing("record change"), func(out io.Writer, ch changeDoc) error {
				_, err := fmt.Fprintf(out, "Recorded change %d (%s %s) to %s: %s.\n", ch.ID, ch.Kind,
					firstOf(ch.Version, ch.Title), strings.Join(ch.Services, ", "), ch.verdict())
				return err
			})
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVar(&body.Services, "service", nil, "the service changed (repeat or comma-separate for several)")
	fl.StringVar(&body.Kind, "kind", "", "deploy, config, migration, infrastructure, flag or code")
	fl.StringVar(&body.Version, "version", "", "the version deployed")
	fl.StringVar(&body.Commit, "commit", "", "the commit deployed")
	fl.StringVar(&body.Title, "title", "", "what the change is")
	fl.StringVar(&body.Environment, "environment", "", "where it went (production, staging)")
	fl.StringVar(&body.At, "at", "", "when it landed, RFC 3339 (default now)")
	fl.StringVar(&body.ID, "id", "", "your id for the change: recording the same id again is a no-op, so retries are safe")
	fl.StringArrayVar(&links, "link", nil, "a link: the pull request, the pipeline run (repeatable)")
	fl.StringVar(&body.NotRollbackable, "not-rollbackable", "", "why the change cannot be rolled back")
	return cmd
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func newChangeListCmd(f *apiFlags) *cobra.Command {
	var service string
	cmd := &cobra.Command{
		Use:   "list [--service NAME]",
		Short: "List recorded changes, newest first (one page)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q := url.Values{}
			if service != "" {
				q.Set("service", service)
			}
			return call(cmd, f, "GET", apiPrefix+"/changes?"+q.Encode(), nil, func(w io.Writer, p struct {
				Items []changeDoc `json:"items"`
			}) error {
				return printChanges(w, p.Items)
			})
		},
	}
	cmd.Flags().StringVar(&service, "service", "", "only this service's changes")
	return cmd
}

func printChanges(w io.Writer, cs []changeDoc) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tAT\tKIND\tSERVICES\tVERSION\tTITLE\tVERDICT")
	for _, c := range cs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.At.UTC().Format("2006-01-02 15:04"), c.Kind,
			strings.Join(c.Services, ","), firstOf(c.Version, c.Commit), c.Title, c.verdict())
	}
	return tw.Flush()
}

func newChangeIncidentCmd(f *apiFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "incident INC-N",
		Short: "The changes around an incident and the last safe version to return to per service",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return call(cmd, f, "GET", incidentPath(args[0], "changes"), nil, func(w io.Writer, v struct {
				Changes  []changeDoc `json:"changes"`
				LastSafe []struct {
					Service, Version, Reason, Link, Current string
					Blocked                                 bool
				} `json:"last_safe"`
			}) error {
				if err := printChanges(w, v.Changes); err != nil {
					return err
				}
				for _, ls := range v.LastSafe {
					switch {
					case ls.Blocked:
						fmt.Fprintf(w, "%s: do not roll back %s: %s %s\n", ls.Service, ls.Current, ls.Reason, ls.Link)
					case ls.Version != "":
						fmt.Fprintf(w, "%s: last safe version %s (now %s)\n", ls.Service, ls.Version, ls.Current)
					}
				}
				return nil
			})
		},
	}
}

func newMitigateCmd(f *apiFlags) *cobra.Command {
	var at string
	cmd := &cobra.Command{
		Use:   "mitigate INC-N [--at TIME]",
		Short: "Record when an incident's impact stopped (default now), apart from resolving it",
		Example: `  firebreak incident mitigate INC-7
  firebreak incident mitigate INC-7 --at 2026-12-05T10:42:00+09:00`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if at != "" {
				if _, err := time.Parse(time.RFC3339, at); err != nil {
					return fmt.Errorf("--at: must be an RFC 3339 time such as 2026-12-05T10:42:00+09:00; got %q", at)
				}
			}
			body := map[string]string{}
			if at != "" {
				body["mitigated_at"] = at
			}
			return changeIncident(cmd, f, incidentPath(args[0], "mitigate"), body, "mitigate "+args[0], func(inc incidentDoc) string {
				if inc.MitigatedAt == nil {
					return displayRef(args[0]) + ": impact stopped."
				}
				return fmt.Sprintf("%s: impact stopped at %s.", displayRef(args[0]), inc.MitigatedAt.UTC().Format("2006-01-02 15:04:05 UTC"))
			})
		},
	}
	cmd.Flags().StringVar(&at, "at", "", "when the impact stopped, RFC 3339 (default now)")
	return cmd
}
