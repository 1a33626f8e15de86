package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

func newUpdateCmd(f *apiFlags) *cobra.Command {
	var text string
	var public bool
	cmd := &cobra.Command{
		Use:   "update INC-N --text TEXT [--public]",
		Short: "Post a status update to everyone told of an incident (--text - reads standard input)",
		Example: `  firebreak incident update INC-7 --text "결제 재시도 중입니다. Retrying failed payments; next update 10:30."
  firebreak incident update INC-7 --public --text "Some card payments fail. We are working on it."`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("text") {
				return fmt.Errorf("--text is required: the update to post")
			}
			if text == "-" {
				var err error
				if text, err = readStdin(cmd, "update"); err != nil {
					return err
				}
			}
			if strings.TrimSpace(text) == "" {
				return fmt.Errorf("--text: the update is empty")
			}
			c, err := f.client()
			if err != nil {
				return err
			}
			body := struct {
				Text   string `json:"text"`
				Public bool   `json:"public"`
			}{strings.TrimSpace(text), public}
			var raw json.RawMessage
			if err := c.do(cmd.Context(), "POST", incidentPath(args[0], "updates"), body, &raw); err != nil {
				return fmt.Errorf("post update to %s: %w", args[0], err)
			}
			if f.json {
				return printJSON(cmd.OutOrStdout(), raw)
			}
			var ev eventDoc
			if err := json.Unmarshal(raw, &ev); err != nil {
				return fmt.Errorf("post update to %s: %w", args[0], err)
			}
			where := "internal"
			if public {
				where = "public, on the status page"
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "Posted a status update (%s) to %s at %s.\n", where, displayRef(args[0]),
				ev.At.UTC().Format("2006-01-02 15:04:05 UTC"))
			return err
		},
	}
	cmd.Flags().StringVar(&text, "text", "", "the update; \"-\" reads it from standard input")
	cmd.Flags().BoolVar(&public, "public", false, "show it on the public status page (public incidents only)")
	return cmd
}

// readStdin reads a note or an update from standard input, bounded.
func readStdin(cmd *cobra.Command, what string) (string, error) {
	b, err := io.ReadAll(io.LimitReader(cmd.InOrStdin(), maxNoteInput+1))
	if err != nil {
		return "", fmt.Errorf("read the %s from standard input: %w", what, err)
	}
	if len(b) > maxNoteInput {
		return "", fmt.Errorf("the %s on standard input is longer than %d bytes", what, maxNoteInput)
	}
	return strings.TrimSpace(string(b)), nil
}

// describeUpdate renders a status update event for the timeline listing.
func describeUpdate(data map[string]any) string {
	s, _ := data["text"].(string)
	if pub, _ := data["public"].(bool); pub {
		return "[public] " + oneLine(s)
	}
	return oneLine(s)
}
