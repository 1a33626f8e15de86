package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// signalDoc is a signal as the API sends it.
type signalDoc struct {
	Ref          string            `json:"ref"`
	Source       string            `json:"source"`
	Status       string            `json:"status"`
	Title        string            `json:"title"`
	Summary      string            `json:"summary"`
	Labels       map[string]string `json:"labels"`
	Reporter     string            `json:"reporter"`
	Count        int               `json:"count"`
	FirstSeen    time.Time         `json:"first_seen"`
	LastSeen     time.Time         `json:"last_seen"`
	Service      string            `json:"service"`
	Grade        json.RawMessage   `json:"grade"`
	Incident     string            `json:"incident"`
	Triage       string            `json:"triage"`
	TriageReason string            `json:"triage_reason"`
}

// grade shows the signal's grade from routing, or "—" when it has none.
func (s signalDoc) grade() string {
	var g string
	if json.Unmarshal(s.Grade, &g) == nil && g != "" {
		return g
	}
	return "—"
}

func newTriageCmd() *cobra.Command {
	return apiCommand(&cobra.Command{
		Use:   "triage",
		Short: "Work the triage inbox: signals no rule sent to an incident (talks to a running server)",
	}, newTriageListCmd, newTriageShowCmd, newTriageDeclareCmd, newTriageMergeCmd, newTriageDismissCmd)
}

// signalPath is the API path of a signal; "12" and "sig-12" both work.
func signalPath(ref string, sub ...string) string {
	p := apiPrefix + "/signals/" + url.PathEscape(strings.ToUpper(strings.TrimSpace(ref)))
	for _, s := range sub {
		p += "/" + s
	}
	return p
}

func newTriageListCmd(f *apiFlags) *cobra.Command {
	var state, cursor string
	var limit int
	var all bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List signals in the triage inbox, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q := url.Values{"triage": {state}}
			if cmd.Flags().Changed("limit") {
				if limit < 1 || limit > 200 {
					return fmt.Errorf("--limit: must be a whole number from 1 to 200")
				}
				q.Set("limit", strconv.Itoa(limit))
			}
			return f.list(cmd, "/signals", q, cursor, all, "list signals", func(w io.Writer, p page) error {
				return printSignalTable(w, p, state)
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&state, "state", "pending", "pending, declared, merged or dismissed")
	fl.IntVar(&limit, "limit", 0, "page size, 1-200 (server default 50)")
	fl.StringVar(&cursor, "cursor", "", "start at this page (from a previous list's More: line)")
	fl.BoolVar(&all, "all", false, "follow the pages to the end")
	return cmd
}

func printSignalTable(w io.Writer, p page, state string) error {
	empty := fmt.Sprintf("No signals %s triage.", map[bool]string{true: "pending", false: "in state " + state}[state == "pending"])
	return printPage(w, p, empty, []string{"REF", "SOURCE", "STATUS", "COUNT", "TITLE", "SERVICE", "GRADE", "LAST SEEN"}, func(s signalDoc) []string {
		return []string{s.Ref, s.Source, s.Status, strconv.Itoa(s.Count), truncate(oneLine(s.Title), titleWidth),
			orDash(s.Service), s.grade(), s.LastSeen.UTC().Format("2006-01-02 15:04")}
	})
}

func newTriageShowCmd(f *apiFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "show SIG-N",
		Short: "Show a signal",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := call(cmd, f, "GET", signalPath(args[0]), nil, printSignal); err != nil {
				return fmt.Errorf("show signal: %w", err)
			}
			return nil
		},
	}
}

func printSignal(w io.Writer, s signalDoc) error {
	t := newTable(w)
	t.row("Signal:", s.Ref)
	t.row("Title:", oneLine(s.Title))
	t.row("Source:", s.Source)
	t.row("Status:", s.Status)
	t.row("Count:", strconv.Itoa(s.Count))
	t.row("First seen:", s.FirstSeen.UTC().Format("2006-01-02 15:04:05 UTC"))
	t.row("Last seen:", s.LastSeen.UTC().Format("2006-01-02 15:04:05 UTC"))
	t.row("Service:", orDash(s.Service))
	t.row("Grade:", s.grade())
	if s.Reporter != "" {
		t.row("Reporter:", s.Reporter)
	}
	t.row("Triage:", orDash(s.Triage))
	if s.TriageReason != "" {
		t.row("Reason:", oneLine(s.TriageReason))
	}
	if s.Incident != "" {
		t.row("Incident:", s.Incident)
	}
	keys := make([]string, 0, len(s.Labels))
	for k := range s.Labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		head := ""
		if i == 0 {
			head = "Labels:"
		}
		t.row(head, k+"="+oneLine(s.Labels[k]))
	}
	if err := t.flush(); err != nil {
		return err
	}
	if s.Summary != "" {
		_, err := fmt.Fprintf(w, "\n%s\n", s.Summary)
		return err
	}
	return nil
}

func newTriageDeclareCmd(f *apiFlags) *cobra.Command {
	var req struct {
		Title      string            `json:"title,omitempty"`
		Grade      string            `json:"grade,omitempty"`
		Services   []string          `json:"services,omitempty"`
		Visibility string            `json:"visibility,omitempty"`
		Roles      map[string]string `json:"roles,omitempty"`
	}
	var resolver, communicator string
	cmd := &cobra.Command{
		Use:   "declare SIG-N [flags]",
		Short: "Declare an incident from a pending signal (empty fields come from the signal)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req.Roles = map[string]string{}
			if resolver != "" {
				req.Roles["resolver"] = resolver
			}
			if communicator != "" {
				req.Roles["communicator"] = communicator
			}
			ref := strings.ToUpper(args[0])
			return changeIncident(cmd, f, signalPath(args[0], "declare"), req, "declare from "+ref, func(inc incidentDoc) string {
				return fmt.Sprintf("Declared %s (%s, %s) from %s: %s", inc.ID, inc.Grade, inc.Status, ref, inc.Title)
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&req.Title, "title", "", "title (default: the signal's)")
	fl.StringVar(&req.Grade, "grade", "", "SEV1..SEV5 (default: the grade its route gave)")
	fl.StringSliceVar(&req.Services, "service", nil, "affected service (default: the signal's); repeat for several")
	fl.StringVar(&req.Visibility, "visibility", "", "public, internal or restricted")
	fl.StringVar(&resolver, "resolver", "", "user who resolves")
	fl.StringVar(&communicator, "communicator", "", "user who communicates")
	return cmd
}

func newTriageMergeCmd(f *apiFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "merge SIG-N INC-N",
		Short: "Add a pending signal to an open incident",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return settleSignal(cmd, f, args[0], "merge", map[string]string{"incident": displayRef(args[1])},
				func(s signalDoc) string { return fmt.Sprintf("%s joined %s.", s.Ref, s.Incident) })
		},
	}
}

func newTriageDismissCmd(f *apiFlags) *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:   "dismiss SIG-N --reason TEXT",
		Short: "Dismiss a pending signal, saying why it is not an incident",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if strings.TrimSpace(reason) == "" {
				return fmt.Errorf("--reason: required: say why this is not an incident")
			}
			return settleSignal(cmd, f, args[0], "dismiss", map[string]string{"reason": reason},
				func(s signalDoc) string { return fmt.Sprintf("Dismissed %s: %s", s.Ref, reason) })
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why this is not an incident (required)")
	return cmd
}

// settleSignal posts one triage action and prints its outcome.
func settleSignal(cmd *cobra.Command, f *apiFlags, ref, action string, body any, say func(signalDoc) string) error {
	return callAs(cmd, f, "POST", signalPath(ref, action), body, doing("%s %s", action, strings.ToUpper(ref)), func(out io.Writer, s signalDoc) error {
		_, err := fmt.Fprintln(out, say(s))
		return err
	})
}
