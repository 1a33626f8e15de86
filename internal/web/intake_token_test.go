package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestIntakeToken: an API token with the intake scope may send alerts to the
// Alertmanager hook (configured with no shared token here); one without it,
// or revoked, may not.
func TestIntakeToken(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		f := startFixture(t, dbURL)
		ctx := context.Background()
		intakeTok, tok, err := f.srv.Users.OperatorToken(ctx, auth.TokenRequest{User: "pay-manager", Team: "payments", Label: "alertmanager", Scopes: []auth.Scope{auth.ScopeIntake}})
		if err != nil {
			t.Fatal(err)
		}
		send := func(token string) int {
			body := `{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"HighErrorRate","service":"checkout-api"},"startsAt":"2026-11-25T01:00:00Z"}]}`
			req, _ := http.NewRequest("POST", f.base+"/hooks/alertmanager", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		if got := send(intakeTok); got != http.StatusOK {
			t.Fatalf("intake token: %d", got)
		}
		if got := send(f.tokens[admin]); got != http.StatusUnauthorized {
			t.Fatalf("a read and write token sent alerts: %d", got)
		}
		// With API tokens on, the hook is reachable even without a shared
		// token, so a stranger's token gets the same 401 as a wrong one.
		if got := send("shared-secret-not-configured"); got != http.StatusUnauthorized {
			t.Fatalf("no shared token configured: %d", got)
		}
		// Its use is recorded; once revoked it is refused.
		toks, err := f.srv.Users.Tokens(ctx, auth.User{Name: auth.SystemActor, Role: auth.Admin}, 0, 200)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range toks {
			if x.ID == tok.ID && x.LastUsedAt == nil {
				t.Error("the intake token's last use is not recorded")
			}
		}
		if _, err := f.srv.Users.RevokeToken(ctx, auth.User{Name: "pay-manager", ID: -1, Teams: []auth.Membership{{Team: "payments", Role: auth.TeamManager}}}, tok.ID); err != nil {
			t.Fatal(err)
		}
		if got := send(intakeTok); got != http.StatusUnauthorized {
			t.Fatalf("revoked intake token: %d", got)
		}

		// A team manager makes one from the account page.
		web := f.browser(t, payManager)
		page := fetch(t, web, f.base+"/account").body
		csrf := csrfRE.FindStringSubmatch(page)[1]
		resp, err := web.PostForm(f.base+"/account/tokens", url.Values{"csrf": {csrf}, "scope": {"intake"}, "team": {"payments"}, "label": {"grafana"}, "ttl": {"720h"}})
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m := regexp.MustCompile(`<code id="new-token">(fbt_[a-z0-9]+)</code>`).FindStringSubmatch(string(body))
		if resp.StatusCode != http.StatusCreated || m == nil || resp.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("make a token on the web: %d %s", resp.StatusCode, clip(string(body)))
		}
		if got := send(m[1]); got != http.StatusOK {
			t.Fatalf("the web-made intake token: %d", got)
		}
	})
}
