package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/testutil"
	"github.com/firebreak-oss/firebreak/internal/web/api"
)

// TestDeclareVisibility: declaring a public or restricted incident follows
// the rule PATCH applies to visibility (a manager of an owning team, or an
// admin) on every path that declares — the API (and so the CLI), the web
// form and declare-from-triage; a team token never becomes a member; a
// restricted incident on another team's service stays visible to that
// team's lead; and the visibility set at declaration is in the audit log.
func TestDeclareVisibility(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		f := startFixture(t, dbURL)
		ctx := context.Background()
		decl := func(vis, service string) map[string]any {
			return map[string]any{"title": "declared " + vis, "grade": "SEV3", "services": []string{service}, "visibility": vis}
		}
		for _, tc := range []struct {
			who     caller
			vis     string
			service string
			want    int
		}{
			{payResponder, "restricted", "checkout-api", 403},
			{payResponder, "public", "checkout-api", 403},
			{payResponder, "internal", "checkout-api", 201},
			{orgResponder, "restricted", "checkout-api", 403},
			{payBot, "restricted", "checkout-api", 403},
			{payBot, "public", "checkout-api", 403},
			{payManager, "restricted", "auth", 403}, // platform's service
			{payManager, "public", "checkout-api", 201},
			{payManager, "restricted", "checkout-api", 201},
			{admin, "restricted", "auth", 201},
		} {
			before := countIncidents(t, f)
			got := f.call(t, tc.who, "POST", api.Prefix+"/incidents", decl(tc.vis, tc.service))
			if got.status != tc.want {
				t.Errorf("API declare %s on %s as %s: got %d, want %d: %s", tc.vis, tc.service, tc.who, got.status, tc.want, clip(got.body))
				continue
			}
			if tc.want == 403 {
				if !strings.Contains(got.body, "manager role") {
					t.Errorf("refusal does not say what is needed: %s", clip(got.body))
				}
				if after := countIncidents(t, f); after != before {
					t.Errorf("a refused declaration stored an incident (%d → %d)", before, after)
				}
				continue
			}
			var v struct {
				Ref string `json:"id"`
			}
			_ = json.Unmarshal([]byte(got.body), &v)
			inc := f.lookup(t, v.Ref)
			if tc.vis == "internal" {
				continue
			}
			entries, err := f.srv.DB.Users().ListAudit(ctx, 0, 50)
			if err != nil {
				t.Fatal(err)
			}
			found := slices.ContainsFunc(entries, func(e auth.AuditEntry) bool {
				return e.Target == inc.Ref() && strings.HasPrefix(e.Action, "incident.visibility") && strings.Contains(string(e.After), tc.vis)
			})
			if !found {
				t.Errorf("no incident.visibility audit entry for %s declared %s", inc.Ref(), tc.vis)
			}
			if tc.who == admin && tc.service == "auth" {
				if !inc.IsMember(string(otherTeam)) {
					t.Errorf("restricted incident on auth hides it from platform's lead: members %v", inc.Members)
				}
				if r := f.call(t, otherTeam, "GET", api.Prefix+"/incidents/"+inc.Ref(), nil); r.status != 200 {
					t.Errorf("platform's lead reads %s: %d", inc.Ref(), r.status)
				}
			}
		}

		// A team token declares an internal incident; it is no member, so a
		// manager making it restricted later does not leave it visible to
		// every holder of the token.
		got := f.call(t, payBot, "POST", api.Prefix+"/incidents", decl("internal", "checkout-api"))
		if got.status != 201 {
			t.Fatalf("team token declares internal: %d %s", got.status, clip(got.body))
		}
		var v struct {
			Ref string `json:"id"`
		}
		_ = json.Unmarshal([]byte(got.body), &v)
		if inc := f.lookup(t, v.Ref); slices.ContainsFunc(inc.Members, func(m string) bool { return strings.HasPrefix(m, "team:") }) {
			t.Errorf("a team token became a member: %v", inc.Members)
		}
		if r := f.call(t, payManager, "PATCH", api.Prefix+"/incidents/"+v.Ref, map[string]any{"visibility": "restricted"}); r.status != 200 {
			t.Fatalf("manager restricts: %d %s", r.status, clip(r.body))
		}
		if r := f.call(t, payBot, "GET", api.Prefix+"/incidents/"+v.Ref, nil); r.status != 404 {
			t.Errorf("team token still sees the restricted incident it declared: %d", r.status)
		}

		// Declare from triage.
		sig := f.pending[3]
		if r := f.call(t, payResponder, "POST", api.Prefix+"/signals/"+sig+"/declare", map[string]any{"grade": "SEV4", "visibility": "restricted"}); r.status != 403 {
			t.Errorf("triage declare restricted as a responder: %d %s", r.status, clip(r.body))
		}

		// The web form.
		before := countIncidents(t, f)
		web := f.browser(t, payResponder)
		page := fetch(t, web, f.base+"/incidents/new").body
		form := url.Values{"csrf": {csrfRE.FindStringSubmatch(page)[1]},
			"title": {"web restricted"}, "grade": {"SEV3"}, "services": {"checkout-api"}, "visibility": {"restricted"}}
		resp, err := web.PostForm(f.base+"/incidents", form)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "manager") {
			t.Errorf("web declare restricted as a responder: %d %s", resp.StatusCode, clip(string(body)))
		}
		if after := countIncidents(t, f); after != before {
			t.Errorf("the refused web form stored an incident")
		}
	})
}

func (f *fixture) lookup(t *testing.T, ref string) *incident.Incident {
	t.Helper()
	id, ok := incident.ParseRef(ref)
	if !ok {
		t.Fatalf("no incident ref in answer: %q", ref)
	}
	inc, err := f.srv.DB.Incidents().GetIncident(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

func countIncidents(t *testing.T, f *fixture) int {
	t.Helper()
	items, err := f.srv.DB.Incidents().ListIncidents(context.Background(), incident.Filter{SeeAll: true, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return len(items)
}
