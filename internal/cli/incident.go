package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/firebreak-oss/firebreak/internal/eventtext"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

// apiPrefix is where the server mounts its JSON API.
const apiPrefix = "/api/v1"

// timelinePage is how many events show asks for at a time.
const timelinePage = 100

// titleWidth is how many runes of a title the list table shows.
const titleWidth = 50

// incidentDoc is an incident as the API sends it. The CLI keeps its own copy
// of the wire shape, so it depends on the API's JSON and not on the server's
// Go types.
type incidentDoc struct {
	ID             string            `json:"id"`
	Number         int64             `json:"number"`
	Title          string            `json:"title"`
	Summary        string            `json:"summary"`
	Grade          string            `json:"grade"`
	Status         string            `json:"status"`
	Services       []string          `json:"services"`
	Source         string            `json:"source"`
	Visibility     string            `json:"visibility"`
	Labels         map[string]string `json:"labels"`
	CauseTags      []string          `json:"cause_tags"`
	Roles          map[string]string `json:"roles"`
	Members        []string          `json:"members"`
	CreatedBy      string            `json:"created_by"`
	StartedAt      time.Time         `json:"started_at"`
	DetectedAt     time.Time         `json:"detected_at"`
	AcknowledgedAt *time.Time        `json:"acknowledged_at"`
	MitigatedAt    *time.Time        `json:"mitigated_at"`
	ResolvedAt     *time.Time        `json:"resolved_at"`
	ClosedAt       *time.Time        `json:"closed_at"`
	Warnings       []string          `json:"warnings"`
	CreatedAt      time.Time         `json:"created_at"`
	UpdatedAt      time.Time         `json:"updated_at"`
	NextStatuses   []string          `json:"next_statuses"`
}

// eventDoc is one timeline event as the API sends it.
type eventDoc struct {
	ID    int64          `json:"id"`
	At    time.Time      `json:"at"`
	Actor string         `json:"actor"`
	Kind  string         `json:"kind"`
	Data  map[string]any `json:"data"`
}

// page is one page of a list answer. Items stay raw so that --json can print
// exactly what the server sent.
type page struct {
	Items      []json.RawMessage `json:"items"`
	NextCursor string            `json:"next_cursor"`
}

// apiFlags are the persistent flags of the client commands.
type apiFlags struct {
	server string
	token  string
	json   bool
}

func (f *apiFlags) client() (*client, error) {
	token := f.token
	if token == "" {
		// Read here rather than as the flag's default, so that --help does
		// not print the secret.
		token = envOr("FIREBREAK_TOKEN", "")
	}
	return newClient(f.server, token)
}

// register adds the client flags to a command and its subcommands.
func (f *apiFlags) register(cmd *cobra.Command) {
	pf := cmd.PersistentFlags()
	pf.StringVar(&f.server, "server", envOr("FIREBREAK_SERVER", "http://127.0.0.1:8080"), "Firebreak server address (env FIREBREAK_SERVER)")
	pf.StringVar(&f.token, "token", "", "API token (env FIREBREAK_TOKEN)")
	pf.BoolVar(&f.json, "json", false, "print the API's JSON instead of text")
}

func newIncidentCmd() *cobra.Command {
	return apiCommand(&cobra.Command{
		Use:   "incident",
		Short: "Declare, list, show and update incidents (talks to a running server)",
	}, newDeclareCmd, newListCmd, newShowCmd, newStatusCmd, newAssignCmd,
		newNoteCmd, newUpdateCmd, newMitigateCmd, newDetectionCmd)
}

func incidentPath(ref string, sub ...string) string {
	p := apiPrefix + "/incidents/" + url.PathEscape(ref)
	for _, s := range sub {
		p += "/" + s
	}
	return p
}

func newDeclareCmd(f *apiFlags) *cobra.Command {
	var req struct {
		Title      string            `json:"title"`
		Summary    string            `json:"summary,omitempty"`
		Grade      string            `json:"grade"`
		Services   []string          `json:"services,omitempty"`
		Visibility string            `json:"visibility,omitempty"`
		Labels     map[string]string `json:"labels,omitempty"`
		CauseTags  []string          `json:"cause_tags,omitempty"`
		Roles      map[string]string `json:"roles,omitempty"`
		Members    []string          `json:"members,omitempty"`
	}
	var resolver, communicator string
	cmd := &cobra.Command{
		Use:   "declare --title TITLE --grade SEV1..SEV5 [flags]",
		Short: "Declare an incident",
		Example: `  firebreak incident declare --title "결제 API 응답 지연" --grade SEV2 --service payments
  firebreak incident declare --title "Login errors" --grade 1 --service auth,web --resolver alice`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for role, user := range map[string]string{"resolver": resolver, "communicator": communicator} {
				if user != "" {
					if req.Roles == nil {
						req.Roles = map[string]string{}
					}
					req.Roles[role] = user
				}
			}
			return callAs(cmd, f, "POST", apiPrefix+"/incidents", req, doing("declare incident"), func(out io.Writer, inc incidentDoc) error {
				for _, w := range inc.Warnings {
					fmt.Fprintln(cmd.ErrOrStderr(), "warning:", w)
				}
				_, err := fmt.Fprintf(out, "Declared %s (%s, %s): %s\n", inc.ID, inc.Grade, inc.Status, oneLine(inc.Title))
				return err
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&req.Title, "title", "", "what is wrong, in a line (required)")
	fl.StringVar(&req.Grade, "grade", "", "SEV1 (worst) to SEV5; sev2 and 2 work too (required)")
	fl.StringSliceVar(&req.Services, "service", nil, "affected service; repeat or comma-separate for several")
	fl.StringVar(&req.Summary, "summary", "", "what is known so far")
	fl.StringVar(&req.Visibility, "visibility", "", "public, internal or restricted (server default: internal)")
	fl.StringVar(&resolver, "resolver", "", "user who leads the response")
	fl.StringVar(&communicator, "communicator", "", "user who keeps people informed")
	fl.StringSliceVar(&req.CauseTags, "cause-tag", nil, "cause tag; repeat or comma-separate for several")
	fl.StringSliceVar(&req.Members, "member", nil, "user who may see a restricted incident; repeatable")
	fl.StringToStringVar(&req.Labels, "label", nil, "label as key=value; repeatable")
	_ = cmd.MarkFlagRequired("title")
	_ = cmd.MarkFlagRequired("grade")
	return cmd
}

func newListCmd(f *apiFlags) *cobra.Command {
	var statuses, grades []string
	var service, since, cursor string
	var limit int
	var all bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List incidents, newest first",
		Example: `  firebreak incident list --status investigating,identified --grade SEV1,SEV2
  firebreak incident list --service payments --since 2026-11-01T00:00:00Z --all`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q := url.Values{}
			if len(statuses) > 0 {
				q.Set("status", strings.Join(statuses, ","))
			}
			if len(grades) > 0 {
				q.Set("grade", strings.Join(grades, ","))
			}
			if service != "" {
				q.Set("service", service)
			}
			if since != "" {
				if _, err := time.Parse(time.RFC3339, since); err != nil {
					return fmt.Errorf("--since: must be an RFC 3339 time such as 2026-11-24T09:00:00Z; got %q", since)
				}
				q.Set("since", since)
			}
			if cmd.Flags().Changed("limit") {
				if limit < 1 {
					return fmt.Errorf("--limit: must be a positive whole number")
				}
				q.Set("limit", strconv.Itoa(limit))
			}
			return f.list(cmd, "/incidents", q, cursor, all, "list incidents", printIncidentTable)
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVar(&statuses, "status", nil, "only these statuses (investigating, identified, monitoring, resolved, closed); comma-separate for several")
	fl.StringSliceVar(&grades, "grade", nil, "only these grades (SEV1..SEV5); comma-separate for several")
	fl.StringVar(&service, "service", "", "only incidents affecting this service")
	fl.StringVar(&since, "since", "", "only incidents started at or after this RFC 3339 time")
	fl.IntVar(&limit, "limit", 0, "page size, 1-200 (server default 50)")
	fl.StringVar(&cursor, "cursor", "", "start at this page (from a previous list's More: line)")
	fl.BoolVar(&all, "all", false, "follow the pages to the end")
	return cmd
}

// list gets one page of a list, or with all every page from cursor on, and
// prints it as JSON under --json or else with table; what names the list in
// errors.
func (f *apiFlags) list(cmd *cobra.Command, path string, q url.Values, cursor string, all bool, what string, table func(io.Writer, page) error) error {
	c, err := f.client()
	if err != nil {
		return err
	}
	res, err := listPages(cmd, c, path, q, cursor, all)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if f.json {
		return printJSON(cmd.OutOrStdout(), res)
	}
	if err := table(cmd.OutOrStdout(), res); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// listPages gets one page of a list, or with all every page from cursor on.
func listPages(cmd *cobra.Command, c *client, path string, q url.Values, cursor string, all bool) (page, error) {
	res := page{Items: []json.RawMessage{}}
	for {
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var p page
		if err := c.do(cmd.Context(), "GET", apiPrefix+path+"?"+q.Encode(), nil, &p); err != nil {
			return page{}, err
		}
		res.Items = append(res.Items, p.Items...)
		res.NextCursor = p.NextCursor
		if !all || p.NextCursor == "" {
			return res, nil
		}
		if p.NextCursor == cursor {
			return page{}, fmt.Errorf("the server returned the same cursor %q twice", cursor)
		}
		cursor = p.NextCursor
	}
}

func printIncidentTable(w io.Writer, p page) error {
	return printPage(w, p, "No incidents.", []string{"ID", "GRADE", "STATUS", "TITLE", "SERVICES", "STARTED"}, func(inc incidentDoc) []string {
		return []string{inc.ID, inc.Grade, inc.Status, truncate(oneLine(inc.Title), titleWidth),
			orDash(strings.Join(inc.Services, ", ")), inc.StartedAt.UTC().Format("2006-01-02 15:04")}
	})
}

// printPage prints a page of a list as a table, a row of each item read as
// T, and then where the next page starts; empty when there is nothing at all.
func printPage[T any](w io.Writer, p page, empty string, header []string, row func(T) []string) error {
	if len(p.Items) == 0 && p.NextCursor == "" {
		_, err := fmt.Fprintln(w, empty)
		return err
	}
	t := newTable(w)
	t.row(header...)
	for _, raw := range p.Items {
		var item T
		if err := json.Unmarshal(raw, &item); err != nil {
			return fmt.Errorf("unexpected item: %w", err)
		}
		t.row(row(item)...)
	}
	if err := t.flush(); err != nil {
		return err
	}
	if p.NextCursor != "" {
		_, err := fmt.Fprintf(w, "More: --cursor %s\n", p.NextCursor)
		return err
	}
	return nil
}

func newShowCmd(f *apiFlags) *cobra.Command {
	return &cobra.Command{
		Use:     "show INC-N",
		Short:   "Show an incident and its timeline",
		Example: "  firebreak incident show INC-7",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := f.client()
			if err != nil {
				return err
			}
			ref := args[0]
			var raw json.RawMessage
			if err := c.do(cmd.Context(), "GET", incidentPath(ref), nil, &raw); err != nil {
				return fmt.Errorf("show %s: %w", ref, err)
			}
			// The timeline's cursor is the last event's id and never runs
			// out (clients poll with it), so a short page marks the end.
			events := []json.RawMessage{}
			q := url.Values{"limit": {strconv.Itoa(timelinePage)}}
			for {
				var p page
				if err := c.do(cmd.Context(), "GET", incidentPath(ref, "timeline")+"?"+q.Encode(), nil, &p); err != nil {
					return fmt.Errorf("show %s: timeline: %w", ref, err)
				}
				events = append(events, p.Items...)
				if len(p.Items) < timelinePage || p.NextCursor == "" || p.NextCursor == q.Get("cursor") {
					break
				}
				q.Set("cursor", p.NextCursor)
			}
			if f.json {
				return printJSON(cmd.OutOrStdout(), struct {
					Incident json.RawMessage   `json:"incident"`
					Timeline []json.RawMessage `json:"timeline"`
				}{raw, events})
			}
			var inc incidentDoc
			if err := json.Unmarshal(raw, &inc); err != nil {
				return fmt.Errorf("show %s: %w", ref, err)
			}
			evs := make([]eventDoc, len(events))
			for i, e := range events {
				if err := json.Unmarshal(e, &evs[i]); err != nil {
					return fmt.Errorf("show %s: timeline: %w", ref, err)
				}
			}
			return printIncident(cmd.OutOrStdout(), inc, evs)
		},
	}
}

func printIncident(w io.Writer, inc incidentDoc, events []eventDoc) error {
	t := newTable(w)
	t.row("Incident:", inc.ID)
	t.row("Title:", oneLine(inc.Title))
	t.row("Grade:", inc.Grade)
	t.row("Status:", inc.Status)
	if inc.Summary != "" {
		t.row("Summary:", oneLine(inc.Summary))
	}
	t.row("Services:", orDash(strings.Join(inc.Services, ", ")))
	for _, role := range []string{"resolver", "communicator"} {
		t.row(strings.ToUpper(role[:1])+role[1:]+":", orDash(inc.Roles[role]))
	}
	t.row("Visibility:", inc.Visibility)
	if len(inc.Members) > 0 {
		t.row("Members:", strings.Join(inc.Members, ", "))
	}
	for _, tm := range []struct {
		name string
		at   *time.Time
	}{
		{"Started:", &inc.StartedAt}, {"Detected:", &inc.DetectedAt}, {"Acknowledged:", inc.AcknowledgedAt},
		{"Mitigated:", inc.MitigatedAt}, {"Resolved:", inc.ResolvedAt}, {"Closed:", inc.ClosedAt},
	} {
		if tm.at != nil && !tm.at.IsZero() {
			t.row(tm.name, tm.at.UTC().Format("2006-01-02 15:04:05 UTC"))
		}
	}
	if len(inc.Labels) > 0 {
		labels := make([]string, 0, len(inc.Labels))
		for _, k := range slices.Sorted(maps.Keys(inc.Labels)) {
			labels = append(labels, k+"="+inc.Labels[k])
		}
		t.row("Labels:", strings.Join(labels, ", "))
	}
	if len(inc.CauseTags) > 0 {
		t.row("Cause tags:", strings.Join(inc.CauseTags, ", "))
	}
	next := "none (final)"
	if len(inc.NextStatuses) > 0 {
		next = strings.Join(inc.NextStatuses, ", ")
	}
	t.row("Next status:", next)
	if err := t.flush(); err != nil {
		return err
	}
	if _, err := fmt.Fprintln(w, "\nTimeline (UTC):"); err != nil {
		return err
	}
	if len(events) == 0 {
		_, err := fmt.Fprintln(w, "  (no events)")
		return err
	}
	// Each event is named in words (eventtext, as on the web page), in the
	// language of LANG, never by its raw kind; --json keeps the kinds.
	lang := reportLang()
	t = newTable(w)
	for _, ev := range events {
		t.row("  "+ev.At.UTC().Format("2006-01-02 15:04:05"), ev.Actor, eventtext.Label(incident.EventKind(ev.Kind), lang)+":", describeEventIn(ev, lang))
	}
	return t.flush()
}

// describeEventIn is describeEvent, with the lines that carry a stored
// sentence said in lang instead: the role warning is kept in English in
// the event, so it is rebuilt from its data.
func describeEventIn(ev eventDoc, lang string) string {
	if s, ok := describeMaintenanceEvent(ev, lang); ok {
		return s
	}
	if ev.Kind == string(incident.EventRoleWarning) && lang == "ko" {
		user, _ := ev.Data["user"].(string)
		grade, _ := ev.Data["grade"].(string)
		if g, err := incident.ParseGrade(grade); err == nil && user != "" {
			inc := &incident.Incident{Grade: g, Roles: map[incident.Role]string{incident.Resolver: user, incident.Communicator: user}}
			return incident.RoleWarningIn(inc, "ko")
		}
	}
	return describeEvent(ev)
}

// describeEvent renders an event's data as a short line for humans.
func describeEvent(ev eventDoc) string {
	d := ev.Data
	str := func(k string) string { s, _ := d[k].(string); return s }
	list := func(k string) string {
		items, _ := d[k].([]any)
		out := make([]string, 0, len(items))
		for _, it := range items {
			out = append(out, fmt.Sprint(it))
		}
		return strings.Join(out, ", ")
	}
	switch ev.Kind {
	case "declared":
		s := fmt.Sprintf("%s %q", str("grade"), oneLine(str("title")))
		if svc := list("services"); svc != "" {
			s += " on " + svc
		}
		if v := str("visibility"); v != "" {
			s += " (" + v + ")"
		}
		return s
	case "status_changed":
		s := str("from") + " → " + str("to")
		if m := str("message"); m != "" {
			s += ": " + oneLine(m)
		}
		return s
	case "grade_changed":
		return str("from") + " → " + str("to")
	case "role_assigned":
		s := str("role") + ": " + str("user")
		if str("user") == "" {
			s = str("role") + ": cleared"
		}
		if prev := str("previous"); prev != "" {
			s += " (was " + prev + ")"
		}
		return s
	case "fields_changed":
		return strings.Join(slices.Sorted(maps.Keys(d)), ", ")
	case "note":
		return oneLine(str("text"))
	case "update_overdue":
		s := "no update for more than " + str("interval")
		if to := str("remind"); to != "" {
			s += "; reminded " + to
		}
		return s
	case "status_update":
		return describeUpdate(d)
	case "message_delivered":
		return str("channel") + " to " + str("target") + " (" + str("to") + ")"
	case "message_failed":
		return str("channel") + " to " + str("target") + " (" + str("to") + ") failed: " + oneLine(str("reason"))
	case "role_warning":
		return str("message")
	case "flag_flipped":
		return "kill switch " + str("key") + ": " + str("from") + " → " + str("to") + ": " + oneLine(str("reason"))
	}
	if s, ok := describeReviewEvent(ev.Kind, str, list); ok {
		return s
	}
	if len(d) == 0 {
		return ""
	}
	b, _ := json.Marshal(d) // a kind this client does not know yet
	return string(b)
}

// completeSecondArg offers values for a command's second argument (after
// INC-N) in shell completion, and no file names anywhere.
func completeSecondArg(values ...string) cobra.CompletionFunc {
	return func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if len(args) == 1 {
			return values, cobra.ShellCompDirectiveNoFileComp
		}
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
}

func newStatusCmd(f *apiFlags) *cobra.Command {
	var message string
	statuses := []string{"investigating", "identified", "monitoring", "resolved", "closed"}
	cmd := &cobra.Command{
		Use:               "status INC-N STATUS",
		Short:             "Change an incident's status (" + strings.Join(statuses, ", ") + ")",
		Example:           `  firebreak incident status INC-7 resolved -m "rolled back the 09:40 deploy"`,
		Args:              cobra.ExactArgs(2),
		ValidArgsFunction: completeSecondArg(statuses...),
		RunE: func(cmd *cobra.Command, args []string) error {
			body := struct {
				Status  string `json:"status"`
				Message string `json:"message,omitempty"`
			}{args[1], message}
			return changeIncident(cmd, f, incidentPath(args[0], "status"), body, "set status of "+args[0],
				func(inc incidentDoc) string {
					s := fmt.Sprintf("%s is now %s.", inc.ID, inc.Status)
					if len(inc.NextStatuses) > 0 {
						s += " Next: " + strings.Join(inc.NextStatuses, ", ") + "."
					}
					return s
				})
		},
	}
	cmd.Flags().StringVarP(&message, "message", "m", "", "what happened, for the timeline")
	return cmd
}

func newAssignCmd(f *apiFlags) *cobra.Command {
	var clear bool
	cmd := &cobra.Command{
		Use:   "assign INC-N ROLE USER",
		Short: "Give an incident role (resolver, communicator) to a user, or take it away",
		Example: `  firebreak incident assign INC-7 resolver bob
  firebreak incident assign INC-7 communicator --clear   (or USER "-")`,
		Args: func(cmd *cobra.Command, args []string) error {
			switch {
			case clear && len(args) != 2:
				return fmt.Errorf("--clear takes INC-N ROLE and no user; got %d arguments", len(args))
			case !clear && len(args) != 3:
				return fmt.Errorf("expected INC-N ROLE USER (USER \"-\" or --clear takes the role away); got %d arguments", len(args))
			}
			return nil
		},
		ValidArgsFunction: completeSecondArg("resolver", "communicator"),
		RunE: func(cmd *cobra.Command, args []string) error {
			body := struct {
				Role string `json:"role"`
				User string `json:"user"` // "" takes the role away
			}{Role: args[1]}
			if !clear && args[2] != "-" {
				body.User = args[2]
			}
			return changeIncident(cmd, f, incidentPath(args[0], "roles"), body, "assign "+args[1]+" of "+args[0],
				func(inc incidentDoc) string {
					if u := inc.Roles[body.Role]; u != "" {
						return fmt.Sprintf("%s: %s is now the %s.", inc.ID, u, body.Role)
					}
					return fmt.Sprintf("%s: nobody is the %s now.", inc.ID, body.Role)
				})
		},
	}
	cmd.Flags().BoolVar(&clear, "clear", false, "take the role away")
	return cmd
}

// changeIncident posts a change whose answer is the changed incident, and
// prints either that JSON or the line that say renders.
func changeIncident(cmd *cobra.Command, f *apiFlags, path string, body any, what string, say func(incidentDoc) string) error {
	return callAs(cmd, f, "POST", path, body, doing("%s", what), func(out io.Writer, inc incidentDoc) error {
		_, err := fmt.Fprintln(out, say(inc))
		return err
	})
}

// maxNoteInput bounds what note reads from standard input.
const maxNoteInput = 1 << 20

func newNoteCmd(f *apiFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "note INC-N TEXT...",
		Short: "Add a note to an incident's timeline (TEXT \"-\" reads standard input)",
		Example: `  firebreak incident note INC-7 rolled back the deploy, error rate falling
  kubectl logs deploy/payments --tail 20 | firebreak incident note INC-7 -`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			text := strings.Join(args[1:], " ")
			if len(args) == 2 && args[1] == "-" {
				var err error
				if text, err = readStdin(cmd, "note"); err != nil {
					return err
				}
			}
			if strings.TrimSpace(text) == "" {
				return fmt.Errorf("TEXT: the note is empty")
			}
			body := struct {
				Text string `json:"text"`
			}{text}
			return callAs(cmd, f, "POST", incidentPath(args[0], "notes"), body, doing("add note to %s", args[0]), func(out io.Writer, ev eventDoc) error {
				_, err := fmt.Fprintf(out, "Added a note to %s at %s.\n", displayRef(args[0]), ev.At.UTC().Format("2006-01-02 15:04:05 UTC"))
				return err
			})
		},
	}
}

// displayRef writes an incident reference as the server does: "7" and
// "inc-7" become "INC-7".
func displayRef(ref string) string {
	t := strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(ref)), "INC-")
	if _, err := strconv.ParseUint(t, 10, 63); err == nil {
		return "INC-" + t
	}
	return ref
}

// printJSON writes v indented, keeping the server's key order and its
// non-ASCII text as is.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// table lines up cells with text/tabwriter. tabwriter counts a cell's width
// in runes, but a Hangul or CJK rune takes two terminal columns, so a Korean
// title would push the later columns out of line. A NUL written after each
// wide rune makes tabwriter count it twice; flush removes the NULs. Cells are
// cleaned of control characters first, so no NUL of the data is removed and
// no title can move the cursor or change the terminal's colours.
type table struct {
	out io.Writer
	buf bytes.Buffer
	tw  *tabwriter.Writer
}

func newTable(out io.Writer) *table {
	t := &table{out: out}
	t.tw = tabwriter.NewWriter(&t.buf, 0, 0, 2, ' ', 0)
	return t
}

func (t *table) row(cells ...string) {
	var b strings.Builder
	for i, c := range cells {
		if i > 0 {
			b.WriteByte('\t')
		}
		for _, r := range c {
			if unicode.IsControl(r) {
				r = ' '
			}
			b.WriteRune(r)
			if isWide(r) {
				b.WriteByte(0)
			}
		}
	}
	b.WriteByte('\n')
	_, _ = t.tw.Write([]byte(b.String())) // writes to a bytes.Buffer
}

func (t *table) flush() error {
	if err := t.tw.Flush(); err != nil {
		return err
	}
	_, err := t.out.Write(bytes.ReplaceAll(t.buf.Bytes(), []byte{0}, nil))
	t.buf.Reset()
	return err
}

// wideRanges are the blocks whose runes take two terminal columns: the East
// Asian wide and fullwidth blocks (Hangul, CJK, kana, fullwidth forms) and
// the common emoji blocks.
var wideRanges = [][2]rune{
	{0x1100, 0x115f},   // Hangul Jamo initials
	{0x2e80, 0x303e},   // CJK radicals, punctuation
	{0x3041, 0x33ff},   // kana, compatibility Jamo, CJK symbols
	{0x3400, 0x4dbf},   // CJK extension A
	{0x4e00, 0x9fff},   // CJK unified ideographs
	{0xa000, 0xa4cf},   // Yi
	{0xa960, 0xa97f},   // Hangul Jamo extended A
	{0xac00, 0xd7a3},   // Hangul syllables
	{0xf900, 0xfaff},   // CJK compatibility ideographs
	{0xfe10, 0xfe19},   // vertical forms
	{0xfe30, 0xfe6f},   // CJK compatibility forms
	{0xff00, 0xff60},   // fullwidth forms
	{0xffe0, 0xffe6},   // fullwidth signs
	{0x1f300, 0x1f64f}, // emoji
	{0x1f900, 0x1f9ff}, // emoji
	{0x20000, 0x3fffd}, // CJK extensions B and later
}

// isWide reports whether r takes two terminal columns.
func isWide(r rune) bool {
	if r < wideRanges[0][0] {
		return false
	}
	for _, w := range wideRanges {
		if r >= w[0] && r <= w[1] {
			return true
		}
	}
	return false
}

// truncate cuts s to at most n runes, marking the cut with an ellipsis. It
// counts runes, not bytes, so a Korean title is never cut inside a character.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// oneLine folds runs of white space, line breaks included, into one space.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
