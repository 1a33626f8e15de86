package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

// reportDoc is a report as the API sends it.
type reportDoc struct {
	Incident       string            `json:"incident"`
	Owner          string            `json:"owner"`
	Revision       int               `json:"revision"`
	DueAt          time.Time         `json:"due_at"`
	Overdue        bool              `json:"overdue"`
	FirstSharedAt  *time.Time        `json:"first_shared_at"`
	SharedRevision int               `json:"shared_revision"`
	Sections       map[string]string `json:"sections"`
	TBD            []string          `json:"tbd"`
	Rendered       []struct {
		Key   string `json:"key"`
		Title string `json:"title"`
		TBD   bool   `json:"tbd"`
	} `json:"rendered"`
}

func newReportCmd() *cobra.Command {
	return apiCommand(&cobra.Command{
		Use:   "report",
		Short: "Write, share, export and import incident reports (talks to a running server)",
	}, newReportShowCmd, newReportStartCmd, newReportSetCmd, newReportImportCmd, newReportExportCmd,
		newReportShareCmd, newReportSharesCmd, newReportRevisionsCmd, newReportPendingCmd)
}

func printReport(w io.Writer, r reportDoc) {
	fmt.Fprintf(w, "%s report, revision %d, owner %s\n", r.Incident, r.Revision, r.Owner)
	due := "due " + r.DueAt.Local().Format("2006-01-02 15:04 MST")
	if r.Overdue {
		due += " — OVERDUE"
	}
	if r.FirstSharedAt != nil {
		due = fmt.Sprintf("first shared %s (last shared revision %d)", r.FirstSharedAt.Local().Format("2006-01-02 15:04 MST"), r.SharedRevision)
	}
	fmt.Fprintln(w, due)
	if len(r.TBD) > 0 {
		fmt.Fprintf(w, "TBD: %s\n", strings.Join(r.TBD, ", "))
	}
	for _, s := range r.Rendered {
		fmt.Fprintf(w, "\n## %s\n\n", s.Title)
		if s.TBD {
			fmt.Fprintln(w, "TBD")
			continue
		}
		fmt.Fprintln(w, strings.TrimSpace(r.Sections[s.Key]))
	}
}

// printReportText prints an answer that is a report, for exchange.
func printReportText(w io.Writer, r reportDoc) error {
	printReport(w, r)
	return nil
}

// printReportAnswer prints raw, a report as the server gave it: as it came
// under --json, else as text.
func (f *apiFlags) printReportAnswer(cmd *cobra.Command, raw json.RawMessage) error {
	if f.json {
		return printJSON(cmd.OutOrStdout(), raw)
	}
	var r reportDoc
	if err := json.Unmarshal(raw, &r); err != nil {
		return err
	}
	return printReportText(cmd.OutOrStdout(), r)
}

func newReportShowCmd(f *apiFlags) *cobra.Command {
	return &cobra.Command{
		Use: "show INC-N", Short: "Show an incident's report", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return callAs(cmd, f, "GET", incidentPath(args[0], "report")+"?lang="+reportLang(), nil, doing("report show %s", args[0]), printReportText)
		},
	}
}

// reportLang is the language section titles are printed in: from LANG.
func reportLang() string {
	if strings.HasPrefix(os.Getenv("LANG"), "ko") {
		return "ko"
	}
	return "en"
}

func newReportStartCmd(f *apiFlags) *cobra.Command {
	var lang string
	var events []int64
	cmd := &cobra.Command{
		Use: "start INC-N", Short: "Start the report, pre-filled from the incident", Args: cobra.ExactArgs(1),
		Example: "  firebreak report start INC-7 --lang ko\n  firebreak report start INC-7 --events 12,15,19",
		RunE: func(cmd *cobra.Command, args []string) error {
			body := map[string]any{"lang": lang}
			if cmd.Flags().Changed("events") {
				body["events"] = events
			}
			return callAs(cmd, f, "POST", incidentPath(args[0], "report"), body, doing("report start %s", args[0]), printReportText)
		},
	}
	cmd.Flags().StringVar(&lang, "lang", reportLang(), "language of the pre-filled text: en or ko")
	cmd.Flags().Int64SliceVar(&events, "events", nil, "timeline event ids to keep (default: all but bookkeeping events)")
	return cmd
}

// readInput reads a file, or standard input for "-".
func readInput(cmd *cobra.Command, name string) (string, error) {
	if name == "-" {
		b, err := io.ReadAll(io.LimitReader(cmd.InOrStdin(), 4<<20))
		return string(b), err
	}
	b, err := os.ReadFile(name)
	return string(b), err
}

func newReportSetCmd(f *apiFlags) *cobra.Command {
	return &cobra.Command{
		Use:     "set INC-N SECTION FILE|-",
		Short:   "Replace one section's Markdown (write TBD to mark it undecided)",
		Example: "  firebreak report set INC-7 cause cause.md\n  echo TBD | firebreak report set INC-7 resolution -",
		Args:    cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := f.client()
			if err != nil {
				return err
			}
			text, err := readInput(cmd, args[2])
			if err != nil {
				return fmt.Errorf("report set: %w", err)
			}
			var cur reportDoc
			if err := c.do(cmd.Context(), "GET", incidentPath(args[0], "report"), nil, &cur); err != nil {
				return fmt.Errorf("report set %s: %w", args[0], err)
			}
			body := map[string]any{"base_revision": cur.Revision, "sections": map[string]string{args[1]: text}}
			return exchange(cmd, c, f, "PUT", incidentPath(args[0], "report")+"?lang="+reportLang(), body, doing("report set %s", args[0]), printReportText)
		},
	}
}

func newReportImportCmd(f *apiFlags) *cobra.Command {
	return &cobra.Command{
		Use: "import INC-N FILE|-", Short: "Import a Markdown report; its ## headings are matched to sections", Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := f.client()
			if err != nil {
				return err
			}
			md, err := readInput(cmd, args[1])
			if err != nil {
				return fmt.Errorf("report import: %w", err)
			}
			var out struct {
				Report    json.RawMessage `json:"report"`
				Unmatched []string        `json:"unmatched_headings"`
			}
			body := map[string]any{"markdown": md, "lang": reportLang()}
			if err := c.do(cmd.Context(), "POST", incidentPath(args[0], "report", "import"), body, &out); err != nil {
				return fmt.Errorf("report import %s: %w", args[0], err)
			}
			if len(out.Unmatched) > 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "headings that matched no section (kept in the last optional section): %s\n", strings.Join(out.Unmatched, ", "))
			}
			return f.printReportAnswer(cmd, out.Report)
		},
	}
}

func newReportExportCmd(f *apiFlags) *cobra.Command {
	var format, output, lang string
	cmd := &cobra.Command{
		Use: "export INC-N", Short: "Export the report as Markdown or a standalone HTML file", Args: cobra.ExactArgs(1),
		Example: "  firebreak report export INC-7 --format html -o INC-7.html",
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "md" && format != "html" {
				return fmt.Errorf("--format: must be md or html; got %q", format)
			}
			c, err := f.client()
			if err != nil {
				return err
			}
			q := url.Values{"format": {format}}
			if lang != "" {
				q.Set("lang", lang)
			}
			body, err := c.download(cmd, incidentPath(args[0], "report", "export")+"?"+q.Encode())
			if err != nil {
				return fmt.Errorf("report export %s: %w", args[0], err)
			}
			if output == "" || output == "-" {
				_, err = cmd.OutOrStdout().Write(body)
				return err
			}
			return os.WriteFile(output, body, 0o644)
		},
	}
	cmd.Flags().StringVar(&format, "format", "md", "md or html")
	cmd.Flags().StringVarP(&output, "output", "o", "", "file to write (default: standard output)")
	cmd.Flags().StringVar(&lang, "lang", "", "language of section titles (default: the report's)")
	return cmd
}

// download fetches a file the API serves as something other than JSON.
func (c *client) download(cmd *cobra.Command, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(cmd.Context(), "GET", c.base+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.unreachable(cmd.Context(), err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 400 {
		mediaType, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		return nil, problemError(resp.StatusCode, mediaType, data)
	}
	return data, nil
}

func newReportShareCmd(f *apiFlags) *cobra.Command {
	return &cobra.Command{
		Use: "share INC-N", Short: "E-mail the report to the recipients its grade names (later shares send what changed)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return callAs(cmd, f, "POST", incidentPath(args[0], "report", "share"), nil, doing("report share %s", args[0]), func(out io.Writer, sh struct {
				Revision   int      `json:"revision"`
				Recipients []string `json:"recipients"`
				Changes    int      `json:"changes"`
			}) error {
				// Stored and queued, not delivered yet: say so, and where to look.
				fmt.Fprintf(out, "Queued revision %d (%d sections) for %s; see each delivery with: firebreak report shares %s\n",
					sh.Revision, sh.Changes, strings.Join(sh.Recipients, ", "), args[0])
				return nil
			})
		},
	}
}

func newReportRevisionsCmd(f *apiFlags) *cobra.Command {
	var diff string
	cmd := &cobra.Command{
		Use: "revisions INC-N", Short: "List the report's revisions, or show a diff with --diff FROM:TO", Args: cobra.ExactArgs(1),
		Example: "  firebreak report revisions INC-7\n  firebreak report revisions INC-7 --diff 2:5",
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := f.client()
			if err != nil {
				return err
			}
			if diff != "" {
				from, to, ok := strings.Cut(diff, ":")
				if _, err := strconv.Atoi(from); err != nil || !ok {
					return fmt.Errorf("--diff: must be FROM:TO revision numbers, e.g. 2:5; got %q", diff)
				}
				q := url.Values{"from": {from}, "to": {to}, "lang": {reportLang()}}
				return exchange(cmd, c, f, "GET", incidentPath(args[0], "report", "diff")+"?"+q.Encode(), nil, doing("report diff %s", args[0]), func(out io.Writer, d struct {
					Sections []struct {
						Title string `json:"title"`
						Lines []struct {
							Op   string `json:"op"`
							Text string `json:"text"`
						} `json:"lines"`
					} `json:"sections"`
				}) error {
					for _, s := range d.Sections {
						fmt.Fprintf(out, "## %s\n", s.Title)
						for _, l := range s.Lines {
							fmt.Fprintf(out, "%s %s\n", l.Op, l.Text)
						}
					}
					return nil
				})
			}
			return exchange(cmd, c, f, "GET", incidentPath(args[0], "report", "revisions"), nil, doing("report revisions %s", args[0]), func(out io.Writer, p struct {
				Items []struct {
					Number int       `json:"number"`
					Author string    `json:"author"`
					At     time.Time `json:"at"`
				} `json:"items"`
			}) error {
				tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "REV\tAUTHOR\tAT")
				for _, r := range p.Items {
					fmt.Fprintf(tw, "%d\t%s\t%s\n", r.Number, r.Author, r.At.Local().Format("2006-01-02 15:04 MST"))
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().StringVar(&diff, "diff", "", "show what changed between two revisions, FROM:TO")
	return cmd
}

// maxPendingPages bounds how many pages `report pending` follows.
const maxPendingPages = 100

type pendingItem struct {
	Incident string     `json:"incident"`
	Title    string     `json:"title"`
	Owner    string     `json:"owner"`
	Started  bool       `json:"started"`
	DueAt    time.Time  `json:"due_at"`
	Overdue  bool       `json:"overdue"`
	SharedAt *time.Time `json:"first_shared_at"`
	TBD      []struct {
		Section string    `json:"section"`
		Since   time.Time `json:"since"`
	} `json:"tbd"`
}

func newReportPendingCmd(f *apiFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "pending",
		Short: "Reports with TBD sections or a first report not shared yet, and late first reports nobody started",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.client()
			if err != nil {
				return err
			}
			// The API answers a page at a time; follow the cursor to the end.
			var items []json.RawMessage
			after := ""
			for page := 0; page < maxPendingPages; page++ {
				q := url.Values{"lang": {reportLang()}}
				if after != "" {
					q.Set("after", after)
				}
				var p struct {
					Items []json.RawMessage `json:"items"`
					Next  string            `json:"next"`
				}
				if err := c.do(cmd.Context(), "GET", apiPrefix+"/reports?"+q.Encode(), nil, &p); err != nil {
					return fmt.Errorf("report pending: %w", err)
				}
				items = append(items, p.Items...)
				if after = p.Next; after == "" {
					break
				}
			}
			if items == nil {
				items = []json.RawMessage{}
			}
			if f.json {
				return printJSON(cmd.OutOrStdout(), map[string]any{"items": items})
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tOWNER\tFIRST REPORT\tTBD (AGE)\tTITLE")
			for _, raw := range items {
				var it pendingItem
				if err := json.Unmarshal(raw, &it); err != nil {
					return err
				}
				state := "shared"
				switch {
				case !it.Started:
					state = "NOT STARTED, OVERDUE"
				case it.Overdue:
					state = "OVERDUE"
				case it.SharedAt == nil:
					state = "due " + it.DueAt.Local().Format("01-02 15:04")
				}
				var tbd []string
				for _, t := range it.TBD {
					tbd = append(tbd, fmt.Sprintf("%s (%s)", t.Section, time.Since(t.Since).Round(time.Minute)))
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", it.Incident, it.Owner, state, strings.Join(tbd, ", "), it.Title)
			}
			return tw.Flush()
		},
	}
}

func newSearchCmd() *cobra.Command {
	var f apiFlags
	var service, grade, cause, since, until string
	var limit int
	cmd := &cobra.Command{
		Use:     "search [QUERY]",
		Short:   "Search past incidents and reports, in Korean or English",
		Example: "  firebreak search 결제가 실패\n  firebreak search \"timed out\" --service checkout-api --since 2026-01-01\n  firebreak search --service checkout-api   # newest first",
		Args:    cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 && service == "" && grade == "" && cause == "" && since == "" && until == "" {
				return fmt.Errorf("search: give words to look for, or a filter (--service, --grade, --cause, --since, --until)")
			}
			q := url.Values{"q": {strings.Join(args, " ")}}
			for k, v := range map[string]string{"service": service, "grade": grade, "cause": cause, "since": since, "until": until} {
				if v != "" {
					q.Set(k, v)
				}
			}
			if limit > 0 {
				q.Set("limit", strconv.Itoa(limit))
			}
			return callAs(cmd, &f, "GET", apiPrefix+"/search?"+q.Encode(), nil, doing("search"), func(out io.Writer, p struct {
				Items []struct {
					ID        string    `json:"id"`
					Title     string    `json:"title"`
					Grade     string    `json:"grade"`
					HasReport bool      `json:"has_report"`
					StartedAt time.Time `json:"started_at"`
				} `json:"items"`
			}) error {
				if len(p.Items) == 0 {
					fmt.Fprintln(out, "Nothing found.")
					return nil
				}
				tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tGRADE\tSTARTED\tREPORT\tTITLE")
				for _, h := range p.Items {
					rep := ""
					if h.HasReport {
						rep = "yes"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", h.ID, h.Grade, h.StartedAt.Local().Format("2006-01-02"), rep, h.Title)
				}
				return tw.Flush()
			})
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&service, "service", "", "only incidents affecting this service")
	cmd.Flags().StringVar(&grade, "grade", "", "only this grade, e.g. SEV2")
	cmd.Flags().StringVar(&cause, "cause", "", "only incidents with this cause tag")
	cmd.Flags().StringVar(&since, "since", "", "started on or after this date (2026-11-24)")
	cmd.Flags().StringVar(&until, "until", "", "started before this date")
	cmd.Flags().IntVar(&limit, "limit", 0, "how many hits, 1-100 (default 20)")
	return cmd
}
