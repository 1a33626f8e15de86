package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/propagate"
)

func newPolicyCmd() *cobra.Command {
	return apiCommand(&cobra.Command{
		Use:   "policy",
		Short: "See what the communication policy does",
	}, newPreviewCmd)
}

func newPreviewCmd(f *apiFlags) *cobra.Command {
	var req previewBody
	var resolver, communicator, configFile string
	cmd := &cobra.Command{
		Use:   "preview --grade SEV1..SEV5 [--service NAME]... [flags]",
		Short: "Show who declaring an incident would tell, and the exact messages; nothing is sent",
		Long: `Show the targets and rendered messages a declaration would send. It asks the
server (--server, --token), or, with --config, reads the policy from a config
file without any server: handy for reviewing a change to the policy.`,
		Example: `  firebreak policy preview --grade 2 --service payments
  firebreak policy preview --grade SEV1 --service checkout --visibility public --config firebreak.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			req.Roles = map[string]string{}
			if resolver != "" {
				req.Roles["resolver"] = resolver
			}
			if communicator != "" {
				req.Roles["communicator"] = communicator
			}
			var res propagate.PreviewResult
			if configFile != "" {
				out, err := previewLocal(configFile, req)
				if err != nil {
					return err
				}
				res = *out
			} else {
				c, err := f.client()
				if err != nil {
					return err
				}
				var raw json.RawMessage
				if err := c.do(cmd.Context(), "POST", apiPrefix+"/policy/preview", req, &raw); err != nil {
					return fmt.Errorf("preview: %w", err)
				}
				if f.json {
					return printJSON(cmd.OutOrStdout(), raw)
				}
				if err := json.Unmarshal(raw, &res); err != nil {
					return fmt.Errorf("preview: %w", err)
				}
			}
			if f.json {
				b, _ := json.Marshal(res)
				return printJSON(cmd.OutOrStdout(), b)
			}
			for _, w := range res.Warnings {
				fmt.Fprintln(cmd.ErrOrStderr(), "warning:", w)
			}
			return printPreview(cmd.OutOrStdout(), res)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&req.Grade, "grade", "", "SEV1 (worst) to SEV5; sev2 and 2 work too (required)")
	fl.StringSliceVar(&req.Services, "service", nil, "affected service; repeat or comma-separate for several")
	fl.StringVar(&req.Title, "title", "", "the incident's title, as the messages would show it")
	fl.StringVar(&req.Summary, "summary", "", "what is known so far")
	fl.StringVar(&req.Visibility, "visibility", "", "public, internal or restricted (default internal)")
	fl.StringVar(&resolver, "resolver", "", "user who would lead the response")
	fl.StringVar(&communicator, "communicator", "", "user who would keep people informed")
	fl.StringVar(&configFile, "config", "", "read the policy from this config file instead of asking a server")
	_ = cmd.MarkFlagRequired("grade")
	return cmd
}

type previewBody struct {
	Title      string            `json:"title,omitempty"`
	Summary    string            `json:"summary,omitempty"`
	Grade      string            `json:"grade"`
	Services   []string          `json:"services,omitempty"`
	Visibility string            `json:"visibility,omitempty"`
	Roles      map[string]string `json:"roles,omitempty"`
}

// previewLocal renders the preview from a config file, as the server would.
func previewLocal(path string, req previewBody) (*propagate.PreviewResult, error) {
	cfg, err := loadConfig(path)
	if err != nil {
		return nil, fmt.Errorf("config:\n%w", err)
	}
	grade, err := incident.ParseGrade(req.Grade)
	if err != nil {
		return nil, fmt.Errorf("--grade: %w", err)
	}
	p := &propagate.Propagator{Policy: cfg.Policy, Catalog: cfg.Catalog}
	res, err := p.Preview(context.Background(), propagate.Draft{Title: req.Title, Summary: req.Summary, Grade: grade, Services: req.Services,
		Visibility: incident.Visibility(req.Visibility), Resolver: req.Roles["resolver"], Communicator: req.Roles["communicator"]})
	if err != nil {
		return nil, previewError(err)
	}
	return res, nil
}

// previewError names the flag behind a field error; services[i] is --service.
func previewError(err error) error {
	if e, ok := fail.As(err); ok && strings.HasPrefix(e.Field, "services[") {
		return fmt.Errorf("--service: %s", e.Message)
	}
	return flagError(err, "")
}

func printPreview(w io.Writer, res propagate.PreviewResult) error {
	if len(res.Messages) == 0 {
		_, err := fmt.Fprintln(w, "Nobody would be told: the policy names no target for this grade and these services.")
		return err
	}
	t := newTable(w)
	t.row("CHANNEL", "TO", "LANG", "WHO", "WHY")
	for _, m := range res.Messages {
		t.row(string(m.Target.Channel), m.Target.Address, m.Target.Lang, m.Target.Name, m.Target.Reason)
	}
	if err := t.flush(); err != nil {
		return err
	}
	for _, m := range res.Messages {
		fmt.Fprintf(w, "\n── %s to %s (%s, %s)\n", m.Target.Channel, m.Target.Address, m.Target.Name, m.Target.Lang)
		if m.Subject != "" {
			fmt.Fprintf(w, "Subject: %s\n\n", m.Subject)
		}
		fmt.Fprintln(w, strings.TrimRight(m.Text, "\n"))
	}
	return nil
}
