package ui_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestTeamTargetsInTheBrowser: a payments responder adds a Slack channel for
// the team from the team's page, sees a mistake named on the form, and
// removes the target again.
func TestTeamTargetsInTheBrowser(t *testing.T) {
	s := startSite(t, testutil.SQLiteURL(t))
	testutil.AddUsers(t, s.srv, password, map[string]auth.Role{"pat": auth.Viewer})
	if _, err := s.srv.Users.SetTeamRole(t.Context(), auth.User{Name: auth.SystemActor, Role: auth.Admin}, "pat", "payments", auth.TeamResponder); err != nil {
		t.Fatal(err)
	}
	b := testutil.StartBrowser(t)
	tab := b.NewTab(t)
	signIn(t, tab, s.base, "pat")
	tab.Do(t,
		chromedp.Navigate(s.base+"/teams"),
		chromedp.Click(chromedp.CSS(`a[href="/teams/payments/targets"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#target-address`)),
	)
	if got := text(t, tab, `#team-targets`); !strings.Contains(got, "The team has added no targets.") {
		t.Fatalf("empty list: %s", got)
	}
	tab.Do(t,
		chromedp.SetValue(chromedp.CSS(`#target-channel`), "email"),
		chromedp.SendKeys(chromedp.CSS(`#target-address`), "not an address"),
		chromedp.Click(chromedp.CSS(`form[action="/teams/payments/targets"] button[type=submit]`)),
	)
	waitFor(t, tab, `(document.querySelector('p.error') || {}).innerText?.includes('address: must be a plain e-mail address')`)
	tab.Do(t,
		chromedp.SetValue(chromedp.CSS(`#target-channel`), "slack"),
		chromedp.SetValue(chromedp.CSS(`#target-address`), "#pay-war-room"),
		chromedp.SetValue(chromedp.CSS(`#target-grade`), "SEV2"),
		chromedp.Click(chromedp.CSS(`form[action="/teams/payments/targets"] button[type=submit]`)),
	)
	waitFor(t, tab, `document.querySelector('#team-targets').innerText.includes('#pay-war-room') && !document.querySelector('p.error')`)
	if got := text(t, tab, `#team-targets tbody`); !strings.Contains(got, "SEV2") || !strings.Contains(got, "pat") {
		t.Errorf("the new row: %s", got)
	}
	tab.Screenshot(t, "team-targets")
	tab.Do(t, chromedp.Click(chromedp.CSS(`#team-targets button.danger`)))
	waitFor(t, tab, `!document.querySelector('#team-targets').innerText.includes('#pay-war-room')`)
	for _, e := range tab.JSErrors() {
		if !strings.Contains(e, "status of 400") { // the refused form answers 400 on purpose
			t.Errorf("JavaScript error: %s", e)
		}
	}
}
