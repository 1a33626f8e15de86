package sso_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestSignInInTheBrowser signs in through the provider from the login page
// in Chromium, typing a password into the provider's own form, sees the
// roles its groups map to, makes and revokes an API token, and signs out;
// the session cookie it had is refused afterwards.
func TestSignInInTheBrowser(t *testing.T) {
	e := startSSO(t, testutil.SQLiteURL(t))
	// Nobody is signed in at the provider yet, so it asks who this is.
	e.idp.AddUser(t, testutil.OIDCUser{Subject: "u-42", Username: "jaehyun.park", Password: "correct horse 42",
		Email: "jaehyun@example.com", Groups: []string{"pay-leads", "platform-all"}})
	b := testutil.StartBrowser(t)
	tab := b.NewTab(t)
	tab.Do(t,
		chromedp.Navigate(e.run.Base+"/account"),
		chromedp.WaitVisible(chromedp.CSS(`#sso`)),
	)
	if got := testutil.Run(t, tab, chromedp.Text(chromedp.CSS(`#sso`))); got != "Sign in with Test IdP" {
		t.Errorf("sign-on button reads %q", got)
	}
	tab.Do(t,
		chromedp.Click(chromedp.CSS(`#sso`)),
		chromedp.WaitVisible(chromedp.CSS(`#username`)),
	)
	if loc := testutil.Run(t, tab, chromedp.Location()); !strings.HasPrefix(loc, e.idp.URL+"/login") {
		t.Errorf("the sign-on button led to %s, want the provider's sign-in page", loc)
	}
	tab.Do(t,
		chromedp.SendKeys(chromedp.CSS(`#username`), "jaehyun.park"),
		chromedp.SendKeys(chromedp.CSS(`#password`), "correct horse 42"),
		chromedp.Click(chromedp.CSS(`#submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#team-roles`)),
	)
	if loc := testutil.Run(t, tab, chromedp.Location()); !strings.HasSuffix(loc, "/account") {
		t.Errorf("after sign-in the browser is at %s, want the page it asked for", loc)
	}
	roles := testutil.Run(t, tab, chromedp.Text(chromedp.CSS(`#team-roles tbody`)))
	for _, want := range []string{"payments", "Manager", "platform", "Viewer", "single sign-on groups"} {
		if !strings.Contains(roles, want) {
			t.Errorf("team roles %q lack %q", roles, want)
		}
	}
	if got := testutil.Run(t, tab, chromedp.Text(chromedp.CSS(`#org-role`))); got != "Viewer" {
		t.Errorf("organisation role %q, want Viewer", got)
	}

	// A payments team token, made and revoked from the page.
	tab.Do(t,
		chromedp.SendKeys(chromedp.CSS(`#tok-label`), "deploy bot"),
		chromedp.SetValue(chromedp.CSS(`#tok-team`), "payments"),
		chromedp.Click(chromedp.CSS(`form[action="/account/tokens"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#new-token`)),
	)
	secret := testutil.Run(t, tab, chromedp.Text(chromedp.CSS(`#new-token`)))
	if !strings.HasPrefix(secret, "fbt_") {
		t.Fatalf("new token %q", secret)
	}
	tab.Screenshot(t, "account")
	if got := apiStatus(t, e.run.Base, secret); got != http.StatusOK {
		t.Fatalf("the new token: GET /me %d", got)
	}
	tab.Do(t,
		chromedp.Navigate(e.run.Base+"/account"),
		chromedp.Click(chromedp.CSS(`#tokens form button`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#tokens form`)),
	)
	if state := testutil.Run(t, tab, chromedp.Text(chromedp.CSS(`#tokens tbody tr`))); !strings.Contains(state, "Revoked by jaehyun.park") {
		t.Errorf("token row after revoking: %q", state)
	}
	if got := apiStatus(t, e.run.Base, secret); got != http.StatusUnauthorized {
		t.Errorf("the revoked token: GET /me %d, want 401", got)
	}

	session := testutil.Run(t, tab, func(ctx context.Context, tg *chromedp.Target) (string, error) {
		res, err := cdp.Call(ctx, tg, network.GetCookies, network.GetCookiesParams{URLs: []string{e.run.Base + "/"}})
		if err != nil {
			return "", err
		}
		for _, c := range res.Cookies {
			if c.Name == "fb_session" {
				return c.Value, nil
			}
		}
		return "", nil
	})
	if session == "" {
		t.Fatal("no session cookie after sign-in")
	}
	tab.Do(t,
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`#sso`)),
	)
	req, _ := http.NewRequest("GET", e.run.Base+"/account", nil)
	req.AddCookie(&http.Cookie{Name: "fb_session", Value: session})
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("the old session cookie after sign-out: %d %s, want a redirect to sign in", resp.StatusCode, resp.Header.Get("Location"))
	}
	if errs := tab.JSErrors(); len(errs) > 0 {
		t.Errorf("the pages reported errors: %q", errs)
	}
}

func apiStatus(t *testing.T, base, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
