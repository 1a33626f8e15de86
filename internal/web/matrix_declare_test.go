package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/intake/slack"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
	"github.com/firebreak-oss/firebreak/internal/web/api"
)

// declareVisibility is the permission matrix of declaring an incident on
// checkout-api (owned by payments) with a visibility: internal needs a
// responder role somewhere (or a writing team token); public and
// restricted need the manager role of the owning team, or admin — the rule
// PATCH applies. A team token is never a manager.
func declareVisibility(c caller, vis incident.Visibility) outcome {
	if vis == incident.Internal {
		return respondAnywhere(c, vis)
	}
	return signedIn(func(c caller, _ incident.Visibility) outcome {
		if is(c, payManager, admin) {
			return allow
		}
		return deny
	})(c, vis)
}

// people are the callers who can sign in to the web UI.
var people = []caller{viewer, payViewer, payResponder, payManager, otherTeam, orgResponder, member, admin}

// TestDeclareVisibilityMatrix: every caller declares an incident of every
// visibility on every path that declares with a chosen visibility — the
// API (which the CLI calls, with a person's token or a team token), the
// web form and declare-from-triage — and gets what declareVisibility says;
// an allowed declaration has the visibility asked for, an audit entry for
// it when not internal, and no team token among its members; a refused one
// stores nothing. The paths that take no visibility (the Slack command,
// the web triage form) declare internal incidents only. Both databases.
func TestDeclareVisibilityMatrix(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		f := startFixture(t, dbURL)
		ctx := context.Background()
		nextSignal := 0
		newSignal := func() string {
			nextSignal++
			s := &intake.Signal{Source: "generic", Title: "matrix signal " + strconv.Itoa(nextSignal),
				Labels: map[string]string{"alertname": "matrix" + strconv.Itoa(nextSignal)}}
			if err := f.srv.Intake.Accept(ctx, []*intake.Signal{s}, nil); err != nil {
				t.Fatal(err)
			}
			if _, err := f.srv.Router.RouteAll(ctx); err != nil {
				t.Fatal(err)
			}
			return intake.SignalRef(s.ID)
		}
		sessions := map[caller]*http.Client{}
		for _, c := range people {
			cl := f.browser(t, c)
			cl.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			sessions[c] = cl
		}
		csrf := func(c caller) string {
			r, err := sessions[c].Get(f.base + "/incidents/new")
			if err != nil {
				t.Fatal(err)
			}
			defer r.Body.Close()
			var b strings.Builder
			buf := make([]byte, 32<<10)
			for {
				n, err := r.Body.Read(buf)
				b.Write(buf[:n])
				if err != nil {
					break
				}
			}
			m := csrfRE.FindStringSubmatch(b.String())
			if m == nil {
				t.Fatalf("%s: no csrf on the declare form", c)
			}
			return m[1]
		}

		// Each path declares and returns the status and the new incident's
		// reference ("" when none was made).
		type path struct {
			name    string
			callers []caller
			declare func(c caller, vis incident.Visibility) (int, string)
		}
		refOf := func(body string) string {
			var v struct {
				Ref string `json:"id"`
			}
			_ = json.Unmarshal([]byte(body), &v)
			return v.Ref
		}
		paths := []path{
			{"API (and CLI) token", callers, func(c caller, vis incident.Visibility) (int, string) {
				got := f.call(t, c, "POST", api.Prefix+"/incidents", map[string]any{"title": "matrix " + string(vis), "grade": "SEV4",
					"services": []string{"checkout-api"}, "visibility": vis})
				return got.status, refOf(got.body)
			}},
			{"declare from triage", callers, func(c caller, vis incident.Visibility) (int, string) {
				got := f.call(t, c, "POST", api.Prefix+"/signals/"+newSignal()+"/declare", map[string]any{"grade": "SEV4",
					"services": []string{"checkout-api"}, "visibility": vis})
				return got.status, refOf(got.body)
			}},
			{"web form", people, func(c caller, vis incident.Visibility) (int, string) {
				form := url.Values{"csrf": {csrf(c)}, "title": {"matrix web " + string(vis)}, "grade": {"SEV4"},
					"services": {"checkout-api"}, "visibility": {string(vis)}}
				resp, err := sessions[c].PostForm(f.base+"/incidents", form)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				status := resp.StatusCode
				if status == http.StatusSeeOther {
					status = http.StatusCreated // the form redirects to the new incident
				}
				return status, strings.TrimPrefix(resp.Header.Get("Location"), "/incidents/")
			}},
		}
		for _, p := range paths {
			for _, c := range p.callers {
				for _, vis := range visibilities {
					want := declareVisibility(c, vis)
					before := countIncidents(t, f)
					status, ref := p.declare(c, vis)
					if got := classify(status); got != want {
						t.Errorf("%s: %s declares %s: %d (%s), want %s", p.name, c, vis, status, got, want)
						continue
					}
					if want != allow {
						if after := countIncidents(t, f); after != before {
							t.Errorf("%s: %s declaring %s was refused but stored an incident", p.name, c, vis)
						}
						continue
					}
					inc := f.lookup(t, ref)
					if inc.Visibility != vis {
						t.Errorf("%s: %s declared %s, got %s", p.name, c, vis, inc.Visibility)
					}
					if slices.ContainsFunc(inc.Members, func(m string) bool { return strings.HasPrefix(m, "team:") }) {
						t.Errorf("%s: %s declared %s with a team token among its members: %v", p.name, c, ref, inc.Members)
					}
					if vis != incident.Internal && !hasVisibilityAudit(t, f, ref, vis) {
						t.Errorf("%s: no incident.visibility audit entry for %s declared %s by %s", p.name, ref, vis, c)
					}
				}
			}
		}

		// The web triage form takes no visibility: internal, for anyone who
		// may triage.
		for _, c := range []caller{payResponder, orgResponder} {
			sig := newSignal()
			page, err := sessions[c].Get(f.base + "/triage")
			if err != nil {
				t.Fatal(err)
			}
			page.Body.Close()
			resp, err := sessions[c].PostForm(f.base+"/triage/"+sig+"/declare", url.Values{"csrf": {csrf(c)}, "grade": {"SEV4"}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			ref := strings.TrimPrefix(resp.Header.Get("Location"), "/incidents/")
			if resp.StatusCode != http.StatusSeeOther || f.lookup(t, ref).Visibility != incident.Internal {
				t.Errorf("web triage as %s: %d %q", c, resp.StatusCode, ref)
			}
		}
	})
}

// hasVisibilityAudit reports whether the audit log has the incident's
// visibility set to vis.
func hasVisibilityAudit(t *testing.T, f *fixture, ref string, vis incident.Visibility) bool {
	t.Helper()
	entries, err := f.srv.DB.Users().ListAudit(context.Background(), 0, 500)
	if err != nil {
		t.Fatal(err)
	}
	return slices.ContainsFunc(entries, func(e auth.AuditEntry) bool {
		return e.Target == ref && strings.HasPrefix(e.Action, "incident.visibility") && strings.Contains(string(e.After), string(vis))
	})
}

// TestSlackDeclareVisibility: the Slack command takes no visibility, so
// whoever declares from chat — a responder of the owning team, a responder
// of another — gets an internal incident, with them as a member and no
// visibility audit entry; a viewer is refused and nothing is stored.
func TestSlackDeclareVisibility(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		cat, err := catalog.Parse("test.yaml", []byte(accessCatalog))
		if err != nil {
			t.Fatal(err)
		}
		in := intake.DefaultConfig()
		in.Slack.SigningSecret = hookSlack
		run := testutil.StartServer(t, server.Options{DatabaseURL: dbURL, Catalog: cat, Intake: in})
		ctx := context.Background()
		op := auth.User{Name: auth.SystemActor, Role: auth.Admin}
		for _, p := range []struct {
			name string
			team string
			role auth.TeamRole
		}{{"pay-resp", "payments", auth.TeamResponder}, {"plat-resp", "platform", auth.TeamResponder}, {"pay-viewer", "payments", auth.TeamViewer}} {
			if _, err := run.Server.Users.AddUser(ctx, p.name, "", auth.Viewer); err != nil {
				t.Fatal(err)
			}
			if _, err := run.Server.Users.SetTeamRole(ctx, op, p.name, p.team, p.role); err != nil {
				t.Fatal(err)
			}
		}
		count := func() int {
			items, err := run.Server.DB.Incidents().ListIncidents(ctx, incident.Filter{SeeAll: true, Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			return len(items)
		}
		for _, tc := range []struct {
			user    string
			declare bool
		}{{"pay-resp", true}, {"plat-resp", true}, {"pay-viewer", false}} {
			before := count()
			body := url.Values{"command": {"/incident"}, "text": {"declare sev3 checkout-api restricted please: checkout down"},
				"user_name": {tc.user}, "user_id": {"U" + tc.user}, "channel_name": {"ops"}}.Encode()
			ts := strconv.FormatInt(time.Now().Unix(), 10)
			got := sendHook(t, run.Base, hookCall{"/hooks/slack", body, map[string]string{
				"Content-Type": "application/x-www-form-urlencoded", slack.HeaderTimestamp: ts,
				slack.HeaderSignature: slack.Sign(hookSlack, ts, []byte(body))}})
			m := regexp.MustCompile(`INC-\d+`).FindString(string(got.body))
			if !tc.declare {
				if got.status != 200 || count() != before || strings.Contains(string(got.body), "declared*") {
					t.Errorf("Slack declare by %s: %d %s (incidents %d → %d)", tc.user, got.status, got.body, before, count())
				}
				continue
			}
			if m == "" {
				t.Fatalf("Slack declare by %s: %d %s", tc.user, got.status, got.body)
			}
			id, _ := incident.ParseRef(m)
			inc, err := run.Server.Incidents.Get(ctx, op, id)
			if err != nil {
				t.Fatal(err)
			}
			if inc.Visibility != incident.Internal || !inc.IsMember(tc.user) {
				t.Errorf("Slack declare by %s: %s, members %v", tc.user, inc.Visibility, inc.Members)
			}
		}
	})
}

// evilNexts are next parameters that a browser would follow off this site.
var evilNexts = []string{"//evil.example", "/\t/evil.example", "/%09/evil.example", "/%0a/evil.example", "/%0d/evil.example",
	`/\evil.example`, "https://evil.example", "/%2f/evil.example", "javascript:alert(1)"}

// TestRedirectEveryPath: every route that redirects to a next parameter —
// sign-in, the language switch (for every person), an action item's status
// and edit forms — sends every off-site next to the incident list, and
// the sign-in page does not carry one into its form. Both databases.
func TestRedirectEveryPath(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		f := startFixture(t, dbURL)
		noFollow := func(c caller) *http.Client {
			cl := f.browser(t, c)
			cl.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			return cl
		}
		location := func(cl *http.Client, path string, form url.Values) (int, string) {
			resp, err := cl.PostForm(f.base+path, form)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode, resp.Header.Get("Location")
		}
		for _, c := range people {
			cl := noFollow(c)
			for _, next := range evilNexts {
				if status, loc := location(cl, "/lang", url.Values{"lang": {"en"}, "next": {next}}); status != http.StatusSeeOther || loc != "/incidents" {
					t.Errorf("%s: POST /lang next=%q: %d %q", c, next, status, loc)
				}
			}
		}
		cl := noFollow(admin)
		page := fetch(t, cl, f.base+"/incidents/"+f.incident["internal"]).body
		token := csrfRE.FindStringSubmatch(page)[1]
		statuses := []string{"in_progress", "open"}
		for i, next := range evilNexts {
			path := "/action-items/" + f.item["internal"]
			if status, loc := location(cl, path+"/status", url.Values{"csrf": {token}, "status": {statuses[i%2]}, "next": {next}}); status != http.StatusSeeOther || loc != "/incidents" {
				t.Errorf("item status next=%q: %d %q", next, status, loc)
			}
			due := time.Now().AddDate(0, 1, i).Format("2006-01-02")
			if status, loc := location(cl, path, url.Values{"csrf": {token}, "owner": {"member"}, "due_at": {due}, "next": {next}}); status != http.StatusSeeOther || loc != "/incidents" {
				t.Errorf("item edit next=%q: %d %q", next, status, loc)
			}
			signIn := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			if status, loc := location(signIn, "/login", url.Values{"name": {string(viewer)}, "password": {"password-" + string(viewer)}, "next": {next}}); status != http.StatusSeeOther || loc != "/incidents" {
				t.Errorf("sign-in next=%q: %d %q", next, status, loc)
			}
			// The sign-in form's own next (the language switch's next is
			// this page's path, query and all, which stays on this site).
			login := fetch(t, signIn, f.base+"/login?next="+url.QueryEscape(next)).body
			form := regexp.MustCompile(`(?s)<form[^>]*action="/login".*?name="next" value="([^"]*)"`).FindStringSubmatch(login)
			if form == nil || form[1] != "/incidents" {
				t.Errorf("the sign-in form carries next=%q: %v", next, form)
			}
		}
	})
}
