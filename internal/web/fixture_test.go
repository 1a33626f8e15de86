package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/report"
	"github.com/firebreak-oss/firebreak/internal/review"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

func TestMain(m *testing.M) { os.Exit(testutil.Main(m)) }

const accessCatalog = `
teams:
  - name: payments
  - name: platform
    lead: plat-resp
services:
  - name: checkout-api
    team: payments
  - name: auth
    team: platform
`

// caller is who makes a request in the access tests. Each is a person with
// an API token (or a team's token, or nobody), with the roles named.
type caller string

const (
	anon         caller = "anonymous"
	viewer       caller = "viewer"        // organisation viewer, no team
	payViewer    caller = "pay-viewer"    // viewer in payments
	payResponder caller = "pay-resp"      // responder in payments (owns checkout-api)
	payReadOnly  caller = "pay-resp-ro"   // pay-resp's token with the read scope only
	payManager   caller = "pay-manager"   // manager in payments
	otherTeam    caller = "plat-resp"     // responder in platform only, its lead
	orgResponder caller = "org-resp"      // organisation-wide responder
	member       caller = "member"        // platform responder, member of every test incident
	admin        caller = "admin"         // organisation admin
	payBot       caller = "team:payments" // a payments team token with read and write
)

var callers = []caller{anon, viewer, payViewer, payResponder, payReadOnly, payManager, otherTeam, orgResponder, member, admin, payBot}

var visibilities = []incident.Visibility{incident.Public, incident.Internal, incident.Restricted}

// fixture is a running Firebreak with the callers' users and tokens, one
// incident of each visibility on checkout-api (declared by admin, with
// member as a member), a signal joined to each, and pending signals for
// the triage routes.
type fixture struct {
	base     string
	srv      *server.Server
	tokens   map[caller]string
	incident map[incident.Visibility]string // visibility → INC-n
	signal   map[incident.Visibility]string // visibility → SIG-n joined to that incident
	pending  []string                       // SIG-n waiting in triage
	spare    string                         // id of a payments team token for the revoke route
	item     map[incident.Visibility]string // visibility → id of an action item on that incident
}

// secret is in the restricted incident's title and summary, so a leak of
// either is easy to find.
const secret = "ZZSECRET-credential-leak"

func startFixture(t *testing.T, dbURL string) *fixture {
	t.Helper()
	ctx := context.Background()
	cat, err := catalog.Parse("test.yaml", []byte(accessCatalog))
	if err != nil {
		t.Fatal(err)
	}
	run := testutil.StartServer(t, server.Options{DatabaseURL: dbURL, Catalog: cat})
	f := &fixture{base: run.Base, srv: run.Server, tokens: map[caller]string{}, incident: map[incident.Visibility]string{}, signal: map[incident.Visibility]string{}, item: map[incident.Visibility]string{}}
	users := run.Server.Users
	op := auth.User{Name: auth.SystemActor, Role: auth.Admin}
	people := []struct {
		who  caller
		role auth.Role
		team string
		as   auth.TeamRole
	}{
		{viewer, auth.Viewer, "", ""}, {payViewer, auth.Viewer, "payments", auth.TeamViewer},
		{payResponder, auth.Viewer, "payments", auth.TeamResponder}, {payManager, auth.Viewer, "payments", auth.TeamManager},
		{otherTeam, auth.Viewer, "platform", auth.TeamResponder}, {orgResponder, auth.Responder, "", ""},
		{member, auth.Viewer, "platform", auth.TeamResponder}, {admin, auth.Admin, "", ""}, {"target", auth.Viewer, "", ""},
	}
	for _, p := range people {
		name := string(p.who)
		if _, err := users.AddUser(ctx, name, "", p.role); err != nil {
			t.Fatal(err)
		}
		if p.team != "" {
			if _, err := users.SetTeamRole(ctx, op, name, p.team, p.as); err != nil {
				t.Fatal(err)
			}
		}
		if err := run.Server.Passwords.SetPassword(ctx, name, "password-"+name); err != nil {
			t.Fatal(err)
		}
		tok := func(team string, scopes ...auth.Scope) string {
			s, _, err := users.OperatorToken(ctx, auth.TokenRequest{User: name, Team: team, Scopes: scopes})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		f.tokens[p.who] = tok("", auth.ScopeRead, auth.ScopeWrite)
		switch p.who {
		case payResponder:
			f.tokens[payReadOnly] = tok("", auth.ScopeRead)
		case payManager:
			f.tokens[payBot] = tok("payments", auth.ScopeRead, auth.ScopeWrite)
			_, spare, err := users.OperatorToken(ctx, auth.TokenRequest{User: name, Team: "payments", Label: "spare", Scopes: []auth.Scope{auth.ScopeRead}})
			if err != nil {
				t.Fatal(err)
			}
			f.spare = itoa(spare.ID)
		}
	}
	adminUser := f.admin(t)
	var sigs []*intake.Signal
	for i := range 3 + 4 {
		sigs = append(sigs, &intake.Signal{Source: "generic", Title: "signal " + itoa(int64(i)), Labels: map[string]string{"alertname": "a" + itoa(int64(i))}})
	}
	if err := run.Server.Intake.Accept(ctx, sigs, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := run.Server.Router.RouteAll(ctx); err != nil {
		t.Fatal(err)
	}
	for i, v := range visibilities {
		title := "Checkout failing (" + string(v) + ")"
		if v == incident.Restricted {
			title = secret
		}
		inc, err := run.Server.Incidents.Declare(ctx, adminUser, incident.Declaration{
			Title: title, Summary: "about " + title, Grade: incident.SEV2, Services: []string{"checkout-api"}, Visibility: v, Members: []string{string(member)},
		})
		if err != nil {
			t.Fatal(err)
		}
		f.incident[v] = inc.Ref()
		if err := run.Server.Inbox.Merge(ctx, adminUser, sigs[i].ID, inc.ID); err != nil {
			t.Fatal(err)
		}
		f.signal[v] = intake.SignalRef(sigs[i].ID)
		f.item[v] = withReviewAndReport(t, run.Server, adminUser, inc)
	}
	for _, s := range sigs[3:] {
		f.pending = append(f.pending, intake.SignalRef(s.ID))
	}
	return f
}

// withReviewAndReport gives an incident what the report, review and status
// pages show: a started report, a long-term action item and a status update
// (public for a public incident), each naming the incident's title so a leak
// of any shows. It returns the item's id.
func withReviewAndReport(t *testing.T, srv *server.Server, by auth.User, inc *incident.Incident) string {
	t.Helper()
	ctx := context.Background()
	if _, err := srv.Reports.Start(ctx, by, inc.ID, report.StartOptions{}); err != nil {
		t.Fatal(err)
	}
	due := time.Now().Add(30 * 24 * time.Hour)
	added, err := srv.Review.AddItem(ctx, by, inc.ID, review.ItemInput{Title: "Watch " + inc.Title, Category: review.Prevent,
		Term: review.Long, Owner: string(member), DueAt: &due, Tracker: "none"}, "en")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Incidents.PostUpdate(ctx, by, inc.ID, incident.StatusUpdate{Text: "Working on " + inc.Title,
		Public: inc.Visibility == incident.Public}); err != nil {
		t.Fatal(err)
	}
	return itoa(added.Item.ID)
}

// admin returns the organisation admin.
func (f *fixture) admin(t *testing.T) auth.User {
	t.Helper()
	u, err := f.srv.DB.Users().UserByName(context.Background(), string(admin))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func atoi(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

type reply struct {
	status int
	body   string
}

// call sends a request as c; body is sent as JSON when not nil.
func (f *fixture) call(t *testing.T, c caller, method, path string, body any) reply {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, f.base+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c != anon {
		req.Header.Set("Authorization", "Bearer "+f.tokens[c])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, string(b)}
}

// browser signs c in to the web UI and returns a client holding the session.
func (f *fixture) browser(t *testing.T, c caller) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	cl := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	resp, err := cl.PostForm(f.base+"/login", url.Values{"name": {string(c)}, "password": {"password-" + string(c)}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Request.URL.Path == "/login" {
		t.Fatalf("%s could not sign in", c)
	}
	return cl
}
