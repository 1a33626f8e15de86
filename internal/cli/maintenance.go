package cli

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/firebreak-oss/firebreak/internal/maintenance"
)

func newMaintenanceCmd() *cobra.Command {
	return apiCommand(&cobra.Command{Use: "maintenance", Short: "Planned maintenance windows: alerts in them open no incident (talks to a running server)"},
		newMaintenanceCreateCmd, newMaintenanceListCmd, newMaintenanceEndCmd)
}

func newSilenceCmd() *cobra.Command {
	return apiCommand(&cobra.Command{Use: "silence", Short: "Alert silences by label matchers, like Alertmanager's (talks to a running server)"},
		newSilenceCreateCmd, newSilenceListCmd, newSilenceEndCmd)
}

// maintenanceFlags names the flag behind each request field.
var maintenanceFlags = map[string]string{"title": "--title", "reason": "--reason", "services": "--service", "matchers": "--match",
	"starts_at": "--start", "ends_at": "--end", "recurrence.weekdays": "--weekly", "recurrence.at": "--at",
	"recurrence.duration": "--for", "recurrence.zone": "--zone", "duration": "--for", "comment": "--comment"}

func maintenanceError(what string, err error) error {
	var ae *apiError
	if errors.As(err, &ae) {
		if name := maintenanceFlags[ae.Field]; name != "" {
			return fmt.Errorf("%s: %s", name, strings.TrimPrefix(ae.Detail, ae.Field+": "))
		}
	}
	return fmt.Errorf("%s: %w", what, err)
}

func parseCLITime(flagName, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: %q must be a time such as 2026-12-05T22:00:00+09:00", flagName, s)
	}
	return t, nil
}

func newMaintenanceCreateCmd(f *apiFlags) *cobra.Command {
	var in maintenance.WindowInput
	var matchers []string
	var start, end, weekly, at, dur, zone string
	cmd := &cobra.Command{
		Use:   "create --title TEXT (--service NAME | --match M)... (--start T --end T | --weekly DAYS --at HH:MM --for DUR)",
		Short: "Plan a maintenance window (admins, or managers of the services' teams)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if in.Matchers, err = maintenance.ParseMatchers("matchers", matchers); err != nil {
				return fmt.Errorf("--match: %s", strings.TrimPrefix(err.Error(), "matchers: "))
			}
			if in.StartsAt, err = parseCLITime("--start", start); err != nil {
				return err
			}
			if in.EndsAt, err = parseCLITime("--end", end); err != nil {
				return err
			}
			if weekly != "" {
				in.Recurrence = &maintenance.Recurrence{Weekdays: strings.Split(weekly, ","), At: at, Duration: dur, Zone: zone}
			}
			err = call(cmd, f, "POST", apiPrefix+"/maintenance", in, func(out io.Writer, w maintenance.Window) error {
				fmt.Fprintf(out, "Planned %s: %s (%s)\n", w.Ref(), w.Title, windowWhen(w))
				return nil
			})
			if err != nil {
				return maintenanceError("plan maintenance", err)
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&in.Title, "title", "", "what the maintenance is (Korean or English)")
	fl.StringVar(&in.Reason, "reason", "", "why, for whoever sees its alerts kept quiet")
	fl.StringArrayVar(&in.Services, "service", nil, "a service it covers (repeat for several)")
	fl.StringArrayVar(&matchers, "match", nil, `a label matcher: name="v", name!="v", name=~"re", name!~"re" (repeat; all must hold)`)
	fl.StringVar(&start, "start", "", "one-off start, RFC 3339")
	fl.StringVar(&end, "end", "", "one-off end, RFC 3339")
	fl.StringVar(&weekly, "weekly", "", "recurring on these days, e.g. tue,thu")
	fl.StringVar(&at, "at", "", "recurring: local start time HH:MM")
	fl.StringVar(&dur, "for", "", "recurring: how long each time, e.g. 2h")
	fl.StringVar(&zone, "zone", "UTC", "recurring: the time zone of --at, e.g. Asia/Seoul")
	fl.BoolVar(&in.Public, "public", false, "show it on the public status page (public services only)")
	return cmd
}

// windowWhen describes when a window holds.
func windowWhen(w maintenance.Window) string {
	if r := w.Recurrence; r != nil {
		return fmt.Sprintf("every %s at %s %s for %s", strings.Join(r.Weekdays, ","), r.At, r.Zone, r.Duration)
	}
	return w.StartsAt.Format(time.RFC3339) + " – " + w.EndsAt.Format(time.RFC3339)
}

func newMaintenanceListCmd(f *apiFlags) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "list [--all]",
		Short: "List maintenance windows (live ones; --all for ended and past too)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			path := apiPrefix + "/maintenance"
			if all {
				path += "?all=true"
			}
			return call(cmd, f, "GET", path, nil, func(out io.Writer, body struct{ Items []maintenance.Window }) error {
				t := newTable(out)
				t.row("ID", "TITLE", "WHEN", "SCOPE", "BY", "ENDED")
				for _, w := range body.Items {
					scope := strings.Join(w.Services, ",")
					if len(w.Matchers) > 0 {
						scope = strings.TrimPrefix(scope+" "+maintenance.MatchersText(w.Matchers), " ")
					}
					ended := "-"
					if w.EndedAt != nil {
						ended = w.EndedAt.Format(time.RFC3339) + " by " + w.EndedBy
					}
					t.row(w.Ref(), w.Title, windowWhen(w), scope, w.CreatedBy, ended)
				}
				return t.flush()
			})
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "include ended and past windows")
	return cmd
}

// refID reads "MW-3", "SIL-3" or "3".
func refID(prefix, s string) (string, error) {
	s = strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(s)), prefix+"-")
	if n, err := strconv.ParseInt(s, 10, 64); err != nil || n <= 0 {
		return "", fmt.Errorf("%q is not an id such as %s-3", s, prefix)
	}
	return s, nil
}

func newMaintenanceEndCmd(f *apiFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "end MW-ID",
		Short: "End a maintenance window now; its alerts route as usual from their next firing",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := refID("MW", args[0])
			if err != nil {
				return err
			}
			return call(cmd, f, "POST", apiPrefix+"/maintenance/"+id+"/end", nil, func(out io.Writer, w maintenance.Window) error {
				fmt.Fprintf(out, "Ended %s: %s\n", w.Ref(), w.Title)
				return nil
			})
		},
	}
}

func newSilenceCreateCmd(f *apiFlags) *cobra.Command {
	var in maintenance.SilenceInput
	var matchers []string
	cmd := &cobra.Command{
		Use:   "create --match M... --for DUR --comment TEXT",
		Short: "Silence the alerts the matchers match, for a while",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if in.Matchers, err = maintenance.ParseMatchers("matchers", matchers); err != nil {
				return fmt.Errorf("--match: %s", strings.TrimPrefix(err.Error(), "matchers: "))
			}
			err = call(cmd, f, "POST", apiPrefix+"/silences", in, func(out io.Writer, s maintenance.Silence) error {
				fmt.Fprintf(out, "Silenced %s until %s: %s\n", s.Ref(), s.EndsAt.Format(time.RFC3339), maintenance.MatchersText(s.Matchers))
				return nil
			})
			if err != nil {
				return maintenanceError("silence", err)
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&matchers, "match", nil, `a label matcher: name="v", name!="v", name=~"re", name!~"re" (repeat; all must hold)`)
	fl.StringVar(&in.Duration, "for", "2h", "how long, e.g. 30m, 2h")
	fl.StringVar(&in.Comment, "comment", "", "why (required)")
	return cmd
}

func newSilenceListCmd(f *apiFlags) *cobra.Command {
	var expired bool
	cmd := &cobra.Command{
		Use:   "list [--expired]",
		Short: "List active silences (--expired for expired and ended ones)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			path := apiPrefix + "/silences"
			if expired {
				path += "?state=expired"
			}
			return call(cmd, f, "GET", path, nil, func(out io.Writer, body struct{ Items []maintenance.Silence }) error {
				t := newTable(out)
				t.row("ID", "MATCHERS", "UNTIL", "BY", "COMMENT")
				for _, s := range body.Items {
					t.row(s.Ref(), maintenance.MatchersText(s.Matchers), s.End().Format(time.RFC3339), s.CreatedBy, s.Comment)
				}
				return t.flush()
			})
		},
	}
	cmd.Flags().BoolVar(&expired, "expired", false, "list expired and ended silences")
	return cmd
}

func newSilenceEndCmd(f *apiFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "end SIL-ID",
		Short: "End a silence now",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := refID("SIL", args[0])
			if err != nil {
				return err
			}
			return call(cmd, f, "POST", apiPrefix+"/silences/"+id+"/end", nil, func(out io.Writer, s maintenance.Silence) error {
				fmt.Fprintf(out, "Ended %s\n", s.Ref())
				return nil
			})
		},
	}
}
