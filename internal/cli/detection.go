package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// detectionWays are the values of --via, as the API takes them.
var detectionWays = []string{"monitoring_alert", "alarm_email", "chat_report", "external_form", "other"}

func newDetectionCmd(f *apiFlags) *cobra.Command {
	var via, at string
	cmd := &cobra.Command{
		Use:   "detection INC-N [--via WAY] [--at TIME]",
		Short: "Record how (" + strings.Join(detectionWays, ", ") + ") and when an incident was detected",
		Example: `  firebreak incident detection INC-7 --via chat_report --at 2026-12-05T10:42:00+09:00
  firebreak incident detection INC-7 --via external_form`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			body := map[string]string{}
			if cmd.Flags().Changed("via") {
				body["detection"] = via
			}
			if at != "" {
				if _, err := time.Parse(time.RFC3339, at); err != nil {
					return fmt.Errorf("--at: must be an RFC 3339 time such as 2026-12-05T10:42:00+09:00; got %q", at)
				}
				body["detected_at"] = at
			}
			if len(body) == 0 {
				return fmt.Errorf("--via or --at: say what to record")
			}
			return callAs(cmd, f, "PATCH", incidentPath(args[0]), body, doing("record detection of %s", args[0]), func(out io.Writer, inc struct {
				Detection  string    `json:"detection"`
				DetectedAt time.Time `json:"detected_at"`
			}) error {
				way := inc.Detection
				if way == "" {
					way = "not recorded"
				}
				_, err := fmt.Fprintf(out, "%s: detected by %s at %s.\n", displayRef(args[0]), way,
					inc.DetectedAt.UTC().Format("2006-01-02 15:04:05 UTC"))
				return err
			})
		},
	}
	cmd.Flags().StringVar(&via, "via", "", "how it was detected: "+strings.Join(detectionWays, ", "))
	cmd.Flags().StringVar(&at, "at", "", "when it was detected, RFC 3339")
	return cmd
}
