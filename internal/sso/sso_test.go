package sso_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/sso"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

func TestMain(m *testing.M) { os.Exit(testutil.Main(m)) }

const testCatalog = `
teams:
  - name: payments
  - name: platform
services:
  - name: checkout-api
    team: payments
  - name: auth
    team: platform
`

// ssoEnv is a Firebreak whose single sign-on goes to a test provider.
type ssoEnv struct {
	idp *testutil.OIDCProvider
	run *testutil.Running
}

func startSSO(t *testing.T, dbURL string) *ssoEnv {
	t.Helper()
	cat, err := catalog.Parse("test.yaml", []byte(testCatalog))
	if err != nil {
		t.Fatal(err)
	}
	idp := testutil.StartOIDCProvider(t, "firebreak", "s3cret-for-tests")
	run := testutil.StartServerWith(t, func(base string) server.Options {
		idp.AllowRedirect(t, base+"/auth/oidc/callback")
		return server.Options{DatabaseURL: dbURL, Catalog: cat, Auth: &sso.Config{
			LoginLimit: 10, LoginWindow: sso.DefaultLoginWindow,
			OIDC: &sso.OIDC{
				Issuer: idp.URL, ClientID: "firebreak", ClientSecret: "s3cret-for-tests", RedirectURL: base + "/auth/oidc/callback",
				Scopes: []string{"openid", "profile", "email", "groups"}, Label: "Test IdP",
				UsernameClaim: "preferred_username", GroupsClaim: "groups", DefaultRole: auth.Viewer,
				Groups: []sso.GroupRule{
					{Group: "pay-oncall", Team: "payments", Role: "responder"},
					{Group: "pay-leads", Team: "payments", Role: "manager"},
					{Group: "platform-all", Team: "platform", Role: "viewer"},
					{Group: "fb-admins", Role: "admin"},
				},
			},
		}}
	})
	return &ssoEnv{idp: idp, run: run}
}

// browserClient keeps cookies and follows redirects, as a browser would.
func browserClient(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar}
}

func get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func TestSignInThroughProvider(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		e := startSSO(t, dbURL)
		ctx := context.Background()
		e.idp.SetUser(t, testutil.OIDCUser{Subject: "u-1001", Username: "Min-Ji.Kim", Email: "minji@example.com", Groups: []string{"pay-oncall", "platform-all", "unrelated"}})

		c := browserClient(t)
		resp, body := get(t, c, e.run.Base+"/auth/oidc/start?next=/account")
		if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/account" {
			t.Fatalf("after sign-in: %d at %s, want 200 at /account:\n%s", resp.StatusCode, resp.Request.URL, body)
		}
		// Created at first sign-in, with the name cleaned up and the groups mapped.
		u, err := e.run.Server.DB.Users().UserByName(ctx, "min-ji.kim")
		if err != nil {
			t.Fatalf("user not created: %v", err)
		}
		if u.Role != auth.Viewer || u.TeamRole("payments") != auth.TeamResponder || u.TeamRole("platform") != auth.TeamViewer || len(u.Teams) != 2 {
			t.Fatalf("mapped roles: org %s, teams %+v", u.Role, u.Teams)
		}
		for _, want := range []string{"min-ji.kim", "payments", "platform"} {
			if !strings.Contains(body, want) {
				t.Errorf("account page lacks %q", want)
			}
		}

		// Groups change at the provider: the next sign-in follows, and the
		// audit log says so.
		e.idp.SetUser(t, testutil.OIDCUser{Subject: "u-1001", Username: "someone-else", Email: "minji@example.com", Groups: []string{"pay-leads", "fb-admins"}})
		c2 := browserClient(t)
		if resp, body := get(t, c2, e.run.Base+"/auth/oidc/start"); resp.Request.URL.Path != "/incidents" {
			t.Fatalf("second sign-in ended at %s:\n%s", resp.Request.URL, body)
		}
		u, _ = e.run.Server.DB.Users().UserByName(ctx, "min-ji.kim")
		if u.Role != auth.Admin || u.TeamRole("payments") != auth.TeamManager || u.TeamRole("platform") != "" {
			t.Fatalf("after the groups changed: org %s, teams %+v", u.Role, u.Teams)
		}
		entries, err := e.run.Server.DB.Users().ListAudit(ctx, 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		actions := map[string]int{}
		for _, en := range entries {
			if en.Target == "user:min-ji.kim" {
				actions[en.Action]++
			}
		}
		if actions["user.create"] != 1 || actions["user.role"] != 1 || actions["team.sso_sync"] != 2 {
			t.Errorf("audit entries for the user: %v", actions)
		}

		// A role an admin gives by hand wins over the groups, and signing in
		// again with the same groups changes (and logs) nothing.
		op := auth.User{Name: auth.SystemActor, Role: auth.Admin}
		if _, err := e.run.Server.Users.SetTeamRole(ctx, op, "min-ji.kim", "platform", auth.TeamManager); err != nil {
			t.Fatal(err)
		}
		e.idp.SetUser(t, testutil.OIDCUser{Subject: "u-1001", Username: "x", Groups: []string{"pay-leads", "fb-admins", "platform-all"}})
		for range 2 {
			get(t, browserClient(t), e.run.Base+"/auth/oidc/start")
		}
		u, _ = e.run.Server.DB.Users().UserByName(ctx, "min-ji.kim")
		if u.TeamRole("platform") != auth.TeamManager || u.TeamRole("payments") != auth.TeamManager {
			t.Fatalf("after a manual role: %+v", u.Teams)
		}
		if after, _ := e.run.Server.DB.Users().ListAudit(ctx, 0, 50); len(after) != len(entries)+1 {
			t.Errorf("audit grew by %d entries, want 1 (the manual grant only)", len(after)-len(entries))
		}

		// Sign out: the old session cookie is refused afterwards.
		base, _ := url.Parse(e.run.Base)
		old := c.Jar.Cookies(base)
		csrf := csrfOf(t, c, e.run.Base+"/account")
		resp, err = c.PostForm(e.run.Base+"/logout", url.Values{"csrf": {csrf}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		replay := browserClient(t)
		replay.Jar.SetCookies(base, old)
		replay.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		resp, _ = get(t, replay, e.run.Base+"/account")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Fatalf("old session after sign-out: %d %s, want a redirect to /login", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
}

// csrfOf reads the form token from a signed-in page.
func csrfOf(t *testing.T, c *http.Client, page string) string {
	t.Helper()
	_, body := get(t, c, page)
	const mark = `name="csrf" value="`
	i := strings.Index(body, mark)
	if i < 0 {
		t.Fatalf("no csrf field on %s", page)
	}
	rest := body[i+len(mark):]
	return rest[:strings.IndexByte(rest, '"')]
}

// TestSignInRefusals: each check of the flow refuses what it must, and the
// refused browser holds no session.
func TestSignInRefusals(t *testing.T) {
	e := startSSO(t, testutil.SQLiteURL(t))
	e.idp.SetUser(t, testutil.OIDCUser{Subject: "u-7", Username: "mallory", Groups: []string{"fb-admins"}})
	noFollow := func() *http.Client {
		c := browserClient(t)
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		return c
	}
	// start returns the provider URL the browser would be sent to.
	start := func(c *http.Client) *url.URL {
		resp, _ := get(t, c, e.run.Base+"/auth/oidc/start")
		loc, err := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusFound || err != nil || !strings.HasPrefix(loc.String(), e.idp.URL+"/authorize") {
			t.Fatalf("start: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		q := loc.Query()
		if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" || q.Get("state") == "" {
			t.Fatalf("authorization request lacks PKCE, nonce or state: %s", loc)
		}
		return loc
	}
	// callback asks the provider for a code, following its redirects
	// through its own pages (sign-in, then its authorize callback), and
	// returns its redirect back to Firebreak.
	callback := func(c *http.Client, authorize *url.URL) *url.URL {
		next := authorize
		for range 5 {
			resp, _ := get(t, c, next.String())
			loc, err := next.Parse(resp.Header.Get("Location"))
			if resp.StatusCode != http.StatusFound || err != nil {
				t.Fatalf("provider answered %d %q", resp.StatusCode, resp.Header.Get("Location"))
			}
			if strings.HasPrefix(loc.String(), e.run.Base+"/") {
				if loc.Query().Get("code") == "" {
					t.Fatalf("provider answered without a code: %s", loc)
				}
				return loc
			}
			next = loc
		}
		t.Fatalf("provider redirected more than 5 times")
		return nil
	}
	finish := func(c *http.Client, back *url.URL) int {
		resp, body := get(t, c, back.String())
		if resp.StatusCode == http.StatusSeeOther && strings.Contains(body, "login.") {
			t.Fatalf("untranslated page: %s", body)
		}
		return resp.StatusCode
	}
	signedIn := func(c *http.Client) bool {
		resp, _ := get(t, c, e.run.Base+"/account")
		return resp.StatusCode == http.StatusOK
	}

	t.Run("state from another browser", func(t *testing.T) {
		victim, attacker := noFollow(), noFollow()
		back := callback(attacker, start(attacker))
		if got := finish(victim, back); got != http.StatusUnauthorized || signedIn(victim) {
			t.Fatalf("login CSRF: status %d, signed in %v", got, signedIn(victim))
		}
	})
	t.Run("answer replayed", func(t *testing.T) {
		c := noFollow()
		back := callback(c, start(c))
		if got := finish(c, back); got != http.StatusSeeOther {
			t.Fatalf("first use: %d", got)
		}
		c2 := noFollow()
		base, _ := url.Parse(e.run.Base + "/auth/oidc/")
		c2.Jar.SetCookies(base, []*http.Cookie{{Name: "fb_sso_state", Value: back.Query().Get("state")}})
		if got := finish(c2, back); got != http.StatusUnauthorized || signedIn(c2) {
			t.Fatalf("replay: status %d", got)
		}
	})
	t.Run("signature by a key not in the JWKS", func(t *testing.T) {
		e.idp.SetFaults(t, testutil.OIDCFaults{SignWithUnknownKey: true})
		defer e.idp.SetFaults(t, testutil.OIDCFaults{})
		c := noFollow()
		if got := finish(c, callback(c, start(c))); got != http.StatusUnauthorized || signedIn(c) {
			t.Fatalf("forged ID token: status %d", got)
		}
	})
	t.Run("nonce mismatch", func(t *testing.T) {
		e.idp.SetFaults(t, testutil.OIDCFaults{WrongNonce: true})
		defer e.idp.SetFaults(t, testutil.OIDCFaults{})
		c := noFollow()
		if got := finish(c, callback(c, start(c))); got != http.StatusUnauthorized || signedIn(c) {
			t.Fatalf("wrong nonce: status %d", got)
		}
	})
	t.Run("code without the PKCE verifier", func(t *testing.T) {
		c := noFollow()
		back := callback(c, start(c))
		// The code alone, redeemed by someone who lacks the verifier, buys nothing.
		form := url.Values{"grant_type": {"authorization_code"}, "code": {back.Query().Get("code")},
			"redirect_uri": {e.run.Base + "/auth/oidc/callback"}, "client_id": {"firebreak"}, "client_secret": {"s3cret-for-tests"}}
		resp, err := http.PostForm(tokenEndpoint(t, e.idp.URL), form)
		if err != nil {
			t.Fatal(err)
		}
		var answer map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&answer)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || answer["id_token"] != nil {
			t.Fatalf("token without verifier: %d %v", resp.StatusCode, answer)
		}
	})
}

// tokenEndpoint reads the provider's token endpoint from its discovery
// document.
func tokenEndpoint(t *testing.T, issuer string) string {
	t.Helper()
	resp, err := http.Get(issuer + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		TokenEndpoint string `json:"token_endpoint"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || doc.TokenEndpoint == "" {
		t.Fatalf("discovery document: %v, token endpoint %q", err, doc.TokenEndpoint)
	}
	return doc.TokenEndpoint
}
