package cli

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"
)

// newReportSharesCmd lists a report's shares with each recipient's
// delivery, so "shared" is never taken for "delivered".
func newReportSharesCmd(f *apiFlags) *cobra.Command {
	return &cobra.Command{
		Use:     "shares INC-N",
		Short:   "List the report's shares and each recipient's delivery (queued, delivered, failed and why)",
		Example: "  firebreak report shares INC-7",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := f.client()
			if err != nil {
				return err
			}
			var raw json.RawMessage
			if err := c.do(cmd.Context(), "GET", incidentPath(args[0], "report", "shares")+"?lang="+reportLang(), nil, &raw); err != nil {
				return fmt.Errorf("report shares %s: %w", args[0], err)
			}
			if f.json {
				return printJSON(cmd.OutOrStdout(), raw)
			}
			var page struct {
				Items []struct {
					Revision   int       `json:"revision"`
					By         string    `json:"by"`
					At         time.Time `json:"at"`
					Deliveries []struct {
						Recipient  string `json:"recipient"`
						State      string `json:"state"`
						ReasonText string `json:"reason_text"`
					} `json:"deliveries"`
				} `json:"items"`
			}
			if err := json.Unmarshal(raw, &page); err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if len(page.Items) == 0 {
				_, err := fmt.Fprintf(w, "The report of %s was not shared yet.\n", args[0])
				return err
			}
			t := newTable(w)
			t.row("REVISION", "SHARED", "BY", "RECIPIENT", "DELIVERY", "WHY")
			for _, sh := range page.Items {
				for _, d := range sh.Deliveries {
					t.row(fmt.Sprint(sh.Revision), sh.At.UTC().Format("2006-01-02 15:04 UTC"), sh.By, d.Recipient, d.State, orDash(d.ReasonText))
				}
			}
			return t.flush()
		},
	}
}
