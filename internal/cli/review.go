package cli

import (
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// itemDoc is an action item as the API sends it.
type itemDoc struct {
	ID        int64      `json:"id"`
	Incident  string     `json:"incident"`
	Title     string     `json:"title"`
	Category  string     `json:"category"`
	Term      string     `json:"term"`
	Owner     string     `json:"owner"`
	DueAt     *time.Time `json:"due_at"`
	Status    string     `json:"status"`
	TaskForce string     `json:"task_force"`
	Tracker   struct {
		Tracker, Key, URL, State, Error string
	} `json:"tracker"`
	AgeDays int    `json:"age_days"`
	Team    string `json:"team"`
	Overdue bool   `json:"overdue"`
}

type vagueDoc struct {
	Rule       string `json:"rule"`
	Matched    string `json:"matched"`
	Advice     string `json:"advice"`
	Suggestion string `json:"suggestion"`
}

func newReviewCmd() *cobra.Command {
	return apiCommand(&cobra.Command{
		Use:   "review",
		Short: "Record an incident's team and developer reviews (talks to a running server)",
	}, newReviewShowCmd, newReviewStageCmd, newReviewCloseCmd)
}

func newActionCmd() *cobra.Command {
	return apiCommand(&cobra.Command{
		Use:     "action",
		Aliases: []string{"actions"},
		Short:   "Add, list and update action items; the long-term board (talks to a running server)",
	}, newActionAddCmd, newActionListCmd, newActionSetCmd, newActionBoardCmd,
		newActionCheckCmd, newActionSuggestCmd, newActionTaskForceCmd)
}

func newReviewShowCmd(f *apiFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "show INC-N",
		Short: "Show both review stages, what closing still needs, action items and earlier occurrences",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			type doc struct {
				Incident string `json:"incident"`
				Stages   []struct {
					Stage       string     `json:"stage"`
					ScheduledAt *time.Time `json:"scheduled_at"`
					Facilitator string     `json:"facilitator"`
					Attendees   []string   `json:"attendees"`
					HeldAt      *time.Time `json:"held_at"`
				} `json:"stages"`
				Required    []string  `json:"required_stages"`
				Missing     []string  `json:"missing_stages"`
				Items       []itemDoc `json:"action_items"`
				Recurrences []struct {
					Incident  string    `json:"incident"`
					Title     string    `json:"title"`
					Reason    string    `json:"reason"`
					OpenItems []itemDoc `json:"open_items"`
				} `json:"recurrences"`
			}
			return call(cmd, f, "GET", incidentPath(args[0], "review"), nil, func(w io.Writer, d doc) error {
				fmt.Fprintf(w, "Review of %s\n", d.Incident)
				fmt.Fprintf(w, "Required: %s   Missing: %s\n", orDash(strings.Join(d.Required, ", ")), orDash(strings.Join(d.Missing, ", ")))
				for _, s := range d.Stages {
					state := "not held"
					if s.HeldAt != nil {
						state = "held " + s.HeldAt.Local().Format("2006-01-02 15:04")
					}
					sched := "-"
					if s.ScheduledAt != nil {
						sched = s.ScheduledAt.Local().Format("2006-01-02 15:04")
					}
					fmt.Fprintf(w, "  %-9s %s; scheduled %s; facilitator %s; attendees %s\n", s.Stage, state, sched, orDash(s.Facilitator), orDash(strings.Join(s.Attendees, ", ")))
				}
				if err := printItems(w, d.Items); err != nil {
					return err
				}
				for _, r := range d.Recurrences {
					fmt.Fprintf(w, "Earlier: %s %s (%s)\n", r.Incident, r.Title, r.Reason)
					for _, it := range r.OpenItems {
						fmt.Fprintf(w, "  still open: #%d %s (owner %s, %s)\n", it.ID, it.Title, it.Owner, it.Term)
					}
				}
				return nil
			})
		},
	}
}

func printItems(w io.Writer, items []itemDoc) error {
	if len(items) == 0 {
		fmt.Fprintln(w, "No action items.")
		return nil
	}
	t := newTable(w)
	t.row("ID", "INCIDENT", "TITLE", "CATEGORY", "TERM", "OWNER", "DUE", "STATUS", "TRACKER")
	for _, it := range items {
		due := "-"
		if it.DueAt != nil {
			due = it.DueAt.Format("2006-01-02")
		}
		tr := orDash(it.Tracker.Key)
		if it.Tracker.Error != "" {
			tr += " (sync failing)"
		}
		t.row(strconv.FormatInt(it.ID, 10), it.Incident, truncate(it.Title, titleWidth), it.Category, it.Term, it.Owner, due, it.Status, tr)
	}
	return t.flush()
}

func newReviewStageCmd(f *apiFlags) *cobra.Command {
	var req struct {
		ScheduledAt *string  `json:"scheduled_at,omitempty"`
		Facilitator string   `json:"facilitator"`
		Attendees   []string `json:"attendees"`
		Notes       string   `json:"notes"`
		Narrative   struct {
			Background string `json:"background"`
			Trigger    string `json:"trigger"`
			Chain      string `json:"chain"`
			Impact     string `json:"impact"`
		} `json:"narrative"`
		Held bool `json:"held"`
	}
	var scheduled string
	cmd := &cobra.Command{
		Use:     "stage INC-N team|developer",
		Short:   "Record one review stage: schedule, facilitator, attendees, notes and the scenario narrative",
		Example: `  firebreak review stage INC-7 team --scheduled 2026-12-01T14:00:00+09:00 --facilitator minji --attendee alice --held`,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if scheduled != "" {
				req.ScheduledAt = &scheduled
			}
			return call(cmd, f, "PUT", incidentPath(args[0], "review", url.PathEscape(args[1])), req, func(w io.Writer, r struct {
				Stage  string     `json:"stage"`
				HeldAt *time.Time `json:"held_at"`
			}) error {
				state := "saved"
				if r.HeldAt != nil {
					state = "held"
				}
				_, err := fmt.Fprintf(w, "%s: %s review %s.\n", displayRef(args[0]), r.Stage, state)
				return err
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&scheduled, "scheduled", "", "when the review takes place (RFC 3339)")
	fl.StringVar(&req.Facilitator, "facilitator", "", "who runs the review")
	fl.StringSliceVar(&req.Attendees, "attendee", nil, "who attends (repeat or comma-separate)")
	fl.StringVar(&req.Notes, "notes", "", "notes")
	fl.StringVar(&req.Narrative.Background, "background", "", "narrative: the situation")
	fl.StringVar(&req.Narrative.Trigger, "trigger", "", "narrative: why the triggering work was done")
	fl.StringVar(&req.Narrative.Chain, "chain", "", "narrative: how the events connected")
	fl.StringVar(&req.Narrative.Impact, "impact", "", "narrative: the impact")
	fl.BoolVar(&req.Held, "held", false, "the review has taken place")
	return cmd
}

func newReviewCloseCmd(f *apiFlags) *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:   "close INC-N --reason TEXT",
		Short: "Close an incident although required reviews are missing (admin); the reason goes on the timeline",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return call(cmd, f, "POST", incidentPath(args[0], "close-override"), map[string]string{"reason": reason},
				func(w io.Writer, inc incidentDoc) error {
					_, err := fmt.Fprintf(w, "%s is now %s.\n", inc.ID, inc.Status)
					return err
				})
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why the incident may close without its reviews (required)")
	return cmd
}

func printAdvice(w io.Writer, vague []vagueDoc) {
	for _, v := range vague {
		fmt.Fprintf(w, "  advice: %q — %s\n    e.g. %s\n", v.Matched, v.Advice, v.Suggestion)
	}
}

func newActionAddCmd(f *apiFlags) *cobra.Command {
	var req struct {
		Stage       string  `json:"stage,omitempty"`
		Title       string  `json:"title"`
		Description string  `json:"description,omitempty"`
		Category    string  `json:"category"`
		Term        string  `json:"term"`
		Owner       string  `json:"owner"`
		DueAt       *string `json:"due_at,omitempty"`
		TaskForce   string  `json:"task_force,omitempty"`
		Tracker     string  `json:"tracker,omitempty"`
		Lang        string  `json:"lang,omitempty"`
	}
	var due string
	cmd := &cobra.Command{
		Use:     "add INC-N",
		Short:   "Add an action item to an incident; vague wording gets advice, never a refusal",
		Example: `  firebreak action add INC-7 --title "PR 템플릿에 테스트 체크리스트 추가" --category prevent --term short --owner alice --due 2026-12-15`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if due != "" {
				req.DueAt = &due
			}
			return call(cmd, f, "POST", incidentPath(args[0], "action-items"), req, func(w io.Writer, r struct {
				Item  itemDoc    `json:"action_item"`
				Vague []vagueDoc `json:"vague"`
			}) error {
				fmt.Fprintf(w, "Added action item #%d to %s: %s\n", r.Item.ID, r.Item.Incident, r.Item.Title)
				printAdvice(w, r.Vague)
				return nil
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&req.Title, "title", "", "what will be done (a checkable outcome)")
	fl.StringVar(&req.Description, "description", "", "details")
	fl.StringVar(&req.Category, "category", "", "prevent, detect or handle")
	fl.StringVar(&req.Term, "term", "short", "short or long")
	fl.StringVar(&req.Owner, "owner", "", "who owns it")
	fl.StringVar(&due, "due", "", "due date, 2026-12-15")
	fl.StringVar(&req.Stage, "stage", "", "the review it came from: team or developer")
	fl.StringVar(&req.TaskForce, "task-force", "", "task force carrying it")
	fl.StringVar(&req.Tracker, "tracker", "", "jira, github or none (default: the configured one)")
	fl.StringVar(&req.Lang, "lang", "", "language of the advice: en or ko")
	return cmd
}

func newActionListCmd(f *apiFlags) *cobra.Command {
	var status, term, owner, incidentRef, taskForce, cursor string
	var limit int
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List action items",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q := url.Values{}
			for k, v := range map[string]string{"status": status, "term": term, "owner": owner, "incident": incidentRef, "task_force": taskForce, "cursor": cursor} {
				if v != "" {
					q.Set(k, v)
				}
			}
			if limit > 0 {
				q.Set("limit", strconv.Itoa(limit))
			}
			return call(cmd, f, "GET", apiPrefix+"/action-items?"+q.Encode(), nil, func(w io.Writer, p struct {
				Items []itemDoc `json:"items"`
				Next  string    `json:"next_cursor"`
			}) error {
				if err := printItems(w, p.Items); err != nil {
					return err
				}
				if p.Next != "" {
					fmt.Fprintf(w, "More: --cursor %s\n", p.Next)
				}
				return nil
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&status, "status", "", "open, in_progress, done, dropped (comma-separate several)")
	fl.StringVar(&term, "term", "", "short or long")
	fl.StringVar(&owner, "owner", "", "owner's user name")
	fl.StringVar(&incidentRef, "incident", "", "only this incident's items")
	fl.StringVar(&taskForce, "task-force", "", "only this task force's items")
	fl.IntVar(&limit, "limit", 0, "at most this many (up to 200)")
	fl.StringVar(&cursor, "cursor", "", "the next page, as printed after a full page")
	return cmd
}

func newActionSetCmd(f *apiFlags) *cobra.Command {
	var status, owner, due, taskForce, title string
	cmd := &cobra.Command{
		Use:     "set ID",
		Short:   "Change an action item (status, owner, due date, task force, title)",
		Example: `  firebreak action set 12 --status done`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			body := map[string]string{}
			for k, v := range map[string]string{"status": status, "owner": owner, "due_at": due, "task_force": taskForce, "title": title} {
				if cmd.Flags().Changed(strings.ReplaceAll(strings.TrimSuffix(k, "_at"), "_", "-")) {
					body[k] = v
				}
			}
			return call(cmd, f, "PATCH", apiPrefix+"/action-items/"+url.PathEscape(args[0]), body, func(w io.Writer, r struct {
				Item itemDoc `json:"action_item"`
			}) error {
				_, err := fmt.Fprintf(w, "Action item #%d (%s) is %s, owner %s.\n", r.Item.ID, r.Item.Title, r.Item.Status, r.Item.Owner)
				return err
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&status, "status", "", "open, in_progress, done or dropped")
	fl.StringVar(&owner, "owner", "", "new owner")
	fl.StringVar(&due, "due", "", "new due date, 2026-12-15")
	fl.StringVar(&taskForce, "task-force", "", "task force (empty takes it out)")
	fl.StringVar(&title, "title", "", "new title")
	return cmd
}

func newActionBoardCmd(f *apiFlags) *cobra.Command {
	var group string
	cmd := &cobra.Command{
		Use:   "board",
		Short: "Every open long-term action item by age, grouped by team or task force",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return call(cmd, f, "GET", apiPrefix+"/action-items/board?group="+url.QueryEscape(group), nil, func(w io.Writer, b struct {
				Groups []struct {
					Name  string    `json:"name"`
					Items []itemDoc `json:"items"`
				} `json:"groups"`
			}) error {
				if len(b.Groups) == 0 {
					fmt.Fprintln(w, "No open long-term action items.")
				}
				for _, g := range b.Groups {
					fmt.Fprintf(w, "%s (%d)\n", orDash(g.Name), len(g.Items))
					for _, it := range g.Items {
						late := ""
						if it.Overdue {
							late = " OVERDUE"
						}
						fmt.Fprintf(w, "  #%d %s %s — %s, %d days%s\n", it.ID, it.Incident, truncate(it.Title, titleWidth), it.Owner, it.AgeDays, late)
					}
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&group, "group", "team", "team or task_force")
	return cmd
}

func newActionCheckCmd(f *apiFlags) *cobra.Command {
	var lang string
	cmd := &cobra.Command{
		Use:     "check TEXT",
		Short:   "Check an action item's wording for vagueness and get a concrete rewrite",
		Example: `  firebreak action check "코드 리뷰를 더 꼼꼼히 하자" --lang ko`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return call(cmd, f, "POST", apiPrefix+"/action-items/check", map[string]string{"title": args[0], "lang": lang},
				func(w io.Writer, r struct {
					Vague []vagueDoc `json:"vague"`
				}) error {
					if len(r.Vague) == 0 {
						fmt.Fprintln(w, "No vague wording found.")
					}
					printAdvice(w, r.Vague)
					return nil
				})
		},
	}
	cmd.Flags().StringVar(&lang, "lang", "", "en or ko")
	return cmd
}

func newActionSuggestCmd(f *apiFlags) *cobra.Command {
	var category string
	cmd := &cobra.Command{
		Use:   "suggest",
		Short: "Action items earlier reviews used most, per category",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return call(cmd, f, "GET", apiPrefix+"/action-items/suggestions?category="+url.QueryEscape(category), nil, func(w io.Writer, r struct {
				Suggestions []struct {
					Category string `json:"category"`
					Title    string `json:"title"`
					Count    int    `json:"count"`
				} `json:"suggestions"`
			}) error {
				for _, s := range r.Suggestions {
					fmt.Fprintf(w, "%-8s %3d× %s\n", s.Category, s.Count, s.Title)
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&category, "category", "", "prevent, detect or handle (default: all)")
	return cmd
}

func newActionTaskForceCmd(f *apiFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "task-force NAME ID...",
		Short: "Put action items into a named task force",
		Args:  cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			var ids []int64
			for _, a := range args[1:] {
				id, err := strconv.ParseInt(strings.TrimPrefix(a, "#"), 10, 64)
				if err != nil {
					return fmt.Errorf("%q is not an action item id", a)
				}
				ids = append(ids, id)
			}
			return call(cmd, f, "POST", apiPrefix+"/task-forces", map[string]any{"name": args[0], "items": ids}, func(w io.Writer, r struct {
				Items []itemDoc `json:"items"`
			}) error {
				_, err := fmt.Fprintf(w, "%d action items are in task force %q.\n", len(r.Items), args[0])
				return err
			})
		},
	}
}

// describeReviewEvent renders the review's timeline events for incident show.
func describeReviewEvent(kind string, str, list func(string) string) (string, bool) {
	switch kind {
	case "review_saved":
		return str("stage") + " review updated", true
	case "review_held":
		return str("stage") + " review held, facilitator " + str("facilitator"), true
	case "action_item_added":
		return fmt.Sprintf("action item %q (%s, %s) for %s", oneLine(str("title")), str("category"), str("term"), str("owner")), true
	case "action_item_changed":
		if st := str("status"); st != "" {
			return fmt.Sprintf("action item %q is %s", oneLine(str("item_title")), st), true
		}
		return fmt.Sprintf("action item %q changed", oneLine(str("item_title"))), true
	case "action_item_linked":
		return fmt.Sprintf("action item %q filed in %s as %s", oneLine(str("item_title")), str("tracker"), str("key")), true
	case "action_item_reminder":
		return fmt.Sprintf("reminded %s: %q is due", str("to"), oneLine(str("item_title"))), true
	case "action_item_escalated":
		if str("to") == "" {
			return fmt.Sprintf("%q overdue, no one to escalate to (owner %s)", oneLine(str("item_title")), str("owner")), true
		}
		return fmt.Sprintf("%q overdue, escalated to %s", oneLine(str("item_title")), str("to")), true
	case "recurrence_matched":
		return "looks like a recurrence of " + list("incidents"), true
	case "close_overridden":
		return "closed without " + list("missing") + ": " + oneLine(str("reason")), true
	}
	return "", false
}
