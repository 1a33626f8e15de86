package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestTeamRolesPage: a team's manager gives and takes roles on the web; a
// responder of the team may only look.
func TestTeamRolesPage(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		f := startFixture(t, dbURL)
		post := func(c *http.Client, form url.Values) reply {
			return postForm(t, c, f.base+"/teams/payments/roles", f.base+"/teams/payments/roles", form)
		}
		mgr := f.browser(t, payManager)
		if r := post(mgr, url.Values{"user": {"target"}, "role": {"responder"}}); r.status != 200 || !strings.Contains(r.body, "<td>target</td><td>Responder</td>") {
			t.Fatalf("grant on the web: %d %s", r.status, clip(r.body))
		}
		if r := post(mgr, url.Values{"user": {"nobody"}, "role": {"viewer"}}); r.status != 400 || !strings.Contains(r.body, `user: unknown user &#34;nobody&#34;`) {
			t.Fatalf("unknown user: %d %s", r.status, clip(r.body))
		}
		if r := post(mgr, url.Values{"user": {"target"}, "role": {"owner"}}); r.status != 400 || !strings.Contains(r.body, "role: must be one of viewer, responder, manager") {
			t.Fatalf("unknown role: %d", r.status)
		}
		resp := f.browser(t, payResponder)
		if r := fetch(t, resp, f.base+"/teams/payments/roles"); r.status != 200 || strings.Contains(r.body, `action="/teams/payments/roles"`) {
			t.Fatalf("a responder's view of the roles page: %d (must list, without the form)", r.status)
		}
		if r := post(resp, url.Values{"user": {"target"}, "role": {"manager"}}); r.status != 403 {
			t.Fatalf("a responder gave a role: %d", r.status)
		}
		if r := post(mgr, url.Values{"user": {"target"}, "role": {""}}); r.status != 200 || strings.Contains(r.body, "<td>target</td>") {
			t.Fatalf("take the role away: %d", r.status)
		}
		u, err := f.srv.DB.Users().UserByName(context.Background(), "target")
		if err != nil || u.TeamRole("payments") != "" {
			t.Fatalf("target's roles after: %+v %v", u.Teams, err)
		}
		entries, _ := f.srv.Users.Audit(context.Background(), auth.User{Role: auth.Admin}, 0, 50)
		n := 0
		for _, e := range entries {
			if e.Action == "team.role" && e.Actor == "pay-manager" && e.Target == "user:target" {
				n++
			}
		}
		if n != 2 {
			t.Errorf("%d team.role entries by pay-manager, want 2 (grant, take away)", n)
		}
		if r := fetch(t, mgr, f.base+"/teams/nosuch/roles"); r.status != 404 {
			t.Errorf("unknown team: %d", r.status)
		}
	})
}
