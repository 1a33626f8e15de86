package cli

import (
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/firebreak-oss/firebreak/internal/insight"
)

func newInsightsCmd() *cobra.Command {
	var f apiFlags
	var period, bucket, team, service, by string
	var grades []string
	cmd := &cobra.Command{
		Use:   "insights [--period 2026-Q3] [--team NAME] [--service NAME] [--grade SEV1,SEV2] [--by grade]",
		Short: "Time to detect, acknowledge, mitigate and resolve, incident counts, action items and reviews (talks to a running server)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q := url.Values{}
			for k, v := range map[string]string{"period": period, "bucket": bucket, "team": team, "service": service} {
				if v != "" {
					q.Set(k, v)
				}
			}
			for _, g := range grades {
				q.Add("grade", g)
			}
			if by != "" && !slices.Contains(insight.Dimensions, by) {
				return fmt.Errorf("--by must be one of %s; got %q", strings.Join(insight.Dimensions, ", "), by)
			}
			if by == "" {
				by = "grade"
			}
			return call(cmd, &f, "GET", apiPrefix+"/insights?"+q.Encode(), nil, func(w io.Writer, rep insight.Report) error {
				return printInsights(w, &rep, by)
			})
		},
	}
	f.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&period, "period", "", "2026, 2026-Q3, 2026-11, last-90d or 2026-07-15..2026-08-31 (default last-365d)")
	fl.StringVar(&bucket, "bucket", "", "count incidents per month (default) or quarter")
	fl.StringVar(&team, "team", "", "only this team's services")
	fl.StringVar(&service, "service", "", "only this service")
	fl.StringSliceVar(&grades, "grade", nil, "only these grades (SEV1,SEV2)")
	fl.StringVar(&by, "by", "", "break durations down by grade, service, team, cause or source")
	return cmd
}

func secs(s int64) string {
	d := time.Duration(s) * time.Second
	switch {
	case d >= 24*time.Hour:
		return fmt.Sprintf("%dd%dh", int(d.Hours())/24, int(d.Hours())%24)
	case d >= time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dm", int(d.Minutes()))
}

func statCells(s insight.Stat) string {
	if s.Count == 0 {
		return "-\t-"
	}
	return secs(s.MedianSeconds) + "\t" + secs(s.P90Seconds)
}

func printInsights(w io.Writer, rep *insight.Report, by string) error {
	fmt.Fprintf(w, "Period %s (%s to %s, %s): %d incidents\n", rep.Period.Name, rep.Period.From.Format(time.RFC3339),
		rep.Period.To.Format(time.RFC3339), rep.Zone, rep.Incidents)
	if rep.Truncated {
		fmt.Fprintln(w, "(more rows than are measured at once: narrow the period)")
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "\n%s\tN\tDETECT\tp90\tACK\tp90\tMITIGATE\tp90\tRESOLVE\tp90\n", strings.ToUpper(by))
	rows := append([]insight.Group{rep.Overall}, rep.By[by]...)
	for _, g := range rows {
		fmt.Fprintf(tw, "%s\t%d", g.Key, g.Incidents)
		for _, m := range insight.Measures {
			fmt.Fprintf(tw, "\t%s", statCells(g.Stats[m]))
		}
		fmt.Fprintln(tw)
	}
	fmt.Fprintf(tw, "\n%s\tSEV1\tSEV2\tSEV3\tSEV4\tSEV5\tTOTAL\n", strings.ToUpper(string(rep.Bucket)))
	for _, c := range rep.Counts {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\n", c.Label, c.ByGrade[0], c.ByGrade[1], c.ByGrade[2], c.ByGrade[3], c.ByGrade[4], c.Total)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	r, it, rv := rep.Recurrence, rep.Items, rep.Reviews
	fmt.Fprintf(w, "\nRecurring: %d of %d incidents\n", r.Recurring, r.Incidents)
	fmt.Fprintf(w, "Action items: %d opened, %d done (%d of %d by their due date), %d overdue, %d long-term open > 90 days\n",
		it.Opened, it.Done, it.DoneOnTime, it.DoneDue, it.Overdue, it.LongOpen)
	fmt.Fprintf(w, "Reviews: %d of %d stages held, %d within %d days of resolution\n", rv.Held, rv.Stages, rv.InTime, rv.WithinDays)
	return nil
}
