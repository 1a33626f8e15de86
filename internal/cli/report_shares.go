package cli

import (
	"fmt"
	"io"
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
			return callAs(cmd, f, "GET", incidentPath(args[0], "report", "shares")+"?lang="+reportLang(), nil, doing("report shares %s", args[0]), func(w io.Writer, page struct {
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
			}) error {
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
			})
		},
	}
}
