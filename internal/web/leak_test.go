package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/review"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// leakProbe is one way someone might learn of a restricted incident. Add a
// row for every list, search, feed, page, export or error that can show
// incidents.
type leakProbe struct {
	name   string
	web    bool   // through a signed-in browser session instead of an API token
	method string // GET when empty
	// path has {ref} for the restricted incident, {sig} for its signal,
	// {item} for its action item, {pending} for a pending signal and {pub}
	// for the public incident.
	path string
	body any
	// notShown, with the same placeholders, must not be in the answer.
	notShown string
	// sameAsMissing: the answer must be byte for byte the answer about an
	// incident that does not exist (INC-999, SIG-999), so that nothing —
	// status, wording, length — tells the two apart.
	sameAsMissing bool
}

var leakProbes = []leakProbe{
	{name: "API list", path: "/api/v1/incidents?limit=200"},
	{name: "API list by service", path: "/api/v1/incidents?service=checkout-api"},
	{name: "API list by status and grade", path: "/api/v1/incidents?status=investigating&grade=SEV2"},
	{name: "API signal list", path: "/api/v1/signals?triage=merged"},
	{name: "API signal", path: "/api/v1/signals/{sig}", sameAsMissing: true},
	{name: "API incident", path: "/api/v1/incidents/{ref}", sameAsMissing: true},
	{name: "API timeline", path: "/api/v1/incidents/{ref}/timeline", sameAsMissing: true},
	{name: "API note", method: "POST", path: "/api/v1/incidents/{ref}/notes", body: map[string]any{"text": "x"}, sameAsMissing: true},
	{name: "API patch", method: "PATCH", path: "/api/v1/incidents/{ref}", body: map[string]any{"visibility": "public"}, sameAsMissing: true},
	{name: "API status", method: "POST", path: "/api/v1/incidents/{ref}/status", body: map[string]any{"status": "resolved"}, sameAsMissing: true},
	{name: "API role", method: "POST", path: "/api/v1/incidents/{ref}/roles", body: map[string]any{"role": "resolver", "user": "admin"}, sameAsMissing: true},
	{name: "API merge a signal into it", method: "POST", path: "/api/v1/signals/{pending}/merge", body: map[string]any{"incident": "{ref}"}, sameAsMissing: true},
	{name: "web list", web: true, path: "/incidents"},
	{name: "web search by a title word", web: true, path: "/incidents?q=credential"},
	{name: "web search by summary word", web: true, path: "/incidents?q=about"},
	{name: "web open incidents", web: true, path: "/incidents?status=open"},
	{name: "web service page", web: true, path: "/services/checkout-api"},
	{name: "web triage inbox", web: true, path: "/triage"},
	{name: "web incident page", web: true, path: "/incidents/{ref}", sameAsMissing: true},
	{name: "web incident live view", web: true, path: "/incidents/{ref}/live", sameAsMissing: true},
	{name: "metrics", path: "/metrics"},
	// Status page, staff page and feed.
	{name: "status page", path: "/status"},
	{name: "status page in Korean", path: "/status?lang=ko"},
	{name: "staff status page", web: true, path: "/status/internal"},
	{name: "status feed", path: "/status/feed.atom"},
	// Search, the library and reports.
	{name: "API search by a title word", path: "/api/v1/search?q=credential"},
	{name: "API search by summary word", path: "/api/v1/search?q=about"},
	{name: "API search by service", path: "/api/v1/search?q=checkout&service=checkout-api"},
	{name: "web library by a title word", web: true, path: "/library?q=credential"},
	{name: "web library by summary word", web: true, path: "/library?q=about"},
	{name: "API pending reports", path: "/api/v1/reports"},
	{name: "web pending reports", web: true, path: "/reports"},
	{name: "API report", path: "/api/v1/incidents/{ref}/report", sameAsMissing: true},
	{name: "API report export", path: "/api/v1/incidents/{ref}/report/export?format=md", sameAsMissing: true},
	{name: "API report revisions", path: "/api/v1/incidents/{ref}/report/revisions", sameAsMissing: true},
	{name: "API report start", method: "POST", path: "/api/v1/incidents/{ref}/report", body: map[string]any{}, sameAsMissing: true},
	{name: "API report share", method: "POST", path: "/api/v1/incidents/{ref}/report/share", sameAsMissing: true},
	{name: "API report shares", path: "/api/v1/incidents/{ref}/report/shares", sameAsMissing: true},
	{name: "web report page", web: true, path: "/incidents/{ref}/report", sameAsMissing: true},
	{name: "web report export", web: true, path: "/incidents/{ref}/report/export/md", sameAsMissing: true},
	{name: "API similar incidents", path: "/api/v1/incidents/{ref}/similar", sameAsMissing: true},
	{name: "API incidents similar to a public one", path: "/api/v1/incidents/{pub}/similar"},
	{name: "web page of a public incident (similar incidents)", web: true, path: "/incidents/{pub}"},
	// Reviews and action items.
	{name: "API review", path: "/api/v1/incidents/{ref}/review", sameAsMissing: true},
	{name: "web review page", web: true, path: "/incidents/{ref}/review", sameAsMissing: true},
	{name: "API action items", path: "/api/v1/action-items?limit=100"},
	{name: "API action items, the page after the internal incident's", path: "/api/v1/action-items?limit=1&cursor={intitem}",
		notShown: `"next_cursor":"{item}"`},
	{name: "API action items of it", path: "/api/v1/action-items?incident={ref}", sameAsMissing: true},
	{name: "API action item", path: "/api/v1/action-items/{item}", sameAsMissing: true},
	{name: "API action item change", method: "PATCH", path: "/api/v1/action-items/{item}", body: map[string]any{"status": "done"}, sameAsMissing: true},
	{name: "API action item into a task force", method: "POST", path: "/api/v1/task-forces", body: map[string]any{"name": "tf", "items": "{item}"}, sameAsMissing: true},
	{name: "API action item suggestions", path: "/api/v1/action-items/suggestions"},
	{name: "API action item board", path: "/api/v1/action-items/board"},
	{name: "API action item board by task force", path: "/api/v1/action-items/board?group=task_force"},
	{name: "web action item board", web: true, path: "/action-items/board"},
	// Outbound messages.
	{name: "API outbound messages", path: "/api/v1/incidents/{ref}/messages", sameAsMissing: true},
	{name: "API status update", method: "POST", path: "/api/v1/incidents/{ref}/updates", body: map[string]any{"text": "x"}, sameAsMissing: true},
}

// TestRestrictedIncidentDoesNotLeak probes every way of seeing incidents, as
// callers who may not see the restricted one (including the responders of
// the team that owns its service and that team's token): its title never
// shows, nor its id in a list, and asking about it answers exactly as
// asking about an incident that does not exist.
func TestRestrictedIncidentDoesNotLeak(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		f := startFixture(t, dbURL)
		ref := f.incident[incident.Restricted]
		item := f.item[incident.Restricted]
		fill := func(s, ref, sig, item string) string {
			return strings.NewReplacer("{ref}", ref, "{sig}", sig, "{item}", item, "{pending}", f.pending[3],
				"{pub}", f.incident[incident.Public], "{intitem}", f.item[incident.Internal]).Replace(s)
		}
		// An item after the restricted incident's, so that a page ending
		// there has a next one.
		due := time.Now().Add(24 * time.Hour)
		pub, _ := incident.ParseRef(f.incident[incident.Public])
		if _, err := f.srv.Review.AddItem(context.Background(), f.admin(t), pub,
			review.ItemInput{Title: "Later item", Category: review.Detect, Term: review.Long, Owner: string(member), DueAt: &due, Tracker: "none"}, "en"); err != nil {
			t.Fatal(err)
		}
		for _, c := range []caller{viewer, payResponder, otherTeam, orgResponder, payBot} {
			var session *http.Client
			for _, p := range leakProbes {
				if p.web && c == payBot {
					continue // a token signs no one in to the web
				}
				if p.web && session == nil {
					session = f.browser(t, c)
				}
				ask := func(ref, sig, item string) reply {
					var body any
					if p.body != nil {
						b := map[string]any{}
						for k, v := range p.body.(map[string]any) {
							if s, ok := v.(string); ok {
								v = fill(s, ref, sig, item)
								if s == "{item}" {
									v = []int64{atoi(item)}
								}
							}
							b[k] = v
						}
						body = b
					}
					method := p.method
					if method == "" {
						method = "GET"
					}
					if p.web {
						return fetch(t, session, f.base+fill(p.path, ref, sig, item))
					}
					return f.call(t, c, method, fill(p.path, ref, sig, item), body)
				}
				got := ask(ref, f.signal[incident.Restricted], item)
				if strings.Contains(got.body, secret) || strings.Contains(got.body, "about "+secret) {
					t.Errorf("%s as %s: the restricted incident's title shows:\n%s", p.name, c, clip(got.body))
				}
				if p.notShown != "" && strings.Contains(got.body, fill(p.notShown, ref, f.signal[incident.Restricted], item)) {
					t.Errorf("%s as %s: %s shows:\n%s", p.name, c, fill(p.notShown, ref, f.signal[incident.Restricted], item), clip(got.body))
				}
				if !p.sameAsMissing {
					if regexp.MustCompile(`\b` + ref + `\b`).MatchString(got.body) {
						t.Errorf("%s as %s: the restricted incident's id %s shows", p.name, c, ref)
					}
					continue
				}
				missing := ask("INC-999", "SIG-999", "999999")
				// The id asked about appears in both answers (as the
				// request's own path); everything else must be the same.
				sig := f.signal[incident.Restricted]
				norm := strings.NewReplacer(ref, "INC-999", sig, "SIG-999",
					"signal "+strings.TrimPrefix(sig, "SIG-")+" not found", "signal 999 not found",
					"action item "+item+" not found", "action item 999999 not found",
					"/action-items/"+item+`"`, "/action-items/999999"+`"`).Replace(got.body)
				if got.status != missing.status || norm != missing.body {
					t.Errorf("%s as %s: answer differs from a missing incident's:\n  restricted: %d %s\n  missing:    %d %s",
						p.name, c, got.status, clip(firstDiff(norm, missing.body)), missing.status, clip(firstDiff(missing.body, norm)))
				}
			}
		}
		// Metrics count only what everyone may know of: two incidents.
		m := f.call(t, anon, "GET", "/metrics", nil).body
		total := 0
		for _, line := range strings.Split(m, "\n") {
			if strings.HasPrefix(line, "firebreak_incidents{") {
				n, _ := strconv.Atoi(line[strings.LastIndexByte(line, ' ')+1:])
				total += n
			}
		}
		if total != 2 {
			t.Errorf("firebreak_incidents adds up to %d, want 2 (the restricted incident must not count)", total)
		}
	})
}

func fetch(t *testing.T, c *http.Client, u string) reply {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, string(b)}
}

// postForm posts form to u as c. With formPage it first takes the CSRF
// token of the form on that page, as a browser would; "" posts without one.
func postForm(t *testing.T, c *http.Client, formPage, u string, form url.Values) reply {
	t.Helper()
	if formPage != "" {
		form.Set("csrf", csrfRE.FindStringSubmatch(fetch(t, c, formPage).body)[1])
	}
	resp, err := c.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, string(b)}
}

// csrfRE finds a form's CSRF token in a page.
var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// firstDiff returns a from the first byte where it differs from b.
func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return a[max(0, i-40):]
}
