package ui_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/flag"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestFlagsInTheBrowser: a payments responder finds checkout's switch,
// flips it off with a reason, and sees the state and the revision; a
// viewer sees the page without the flip form.
func TestFlagsInTheBrowser(t *testing.T) {
	s := startSite(t, testutil.SQLiteURL(t))
	testutil.AddUsers(t, s.srv, password, map[string]auth.Role{"pat": auth.Viewer})
	op := auth.User{Name: auth.SystemActor, Role: auth.Admin}
	if _, err := s.srv.Users.SetTeamRole(t.Context(), op, "pat", "payments", auth.TeamResponder); err != nil {
		t.Fatal(err)
	}
	_, err := s.srv.Flags.Create(t.Context(), op, flag.Definition{Key: "new-payment-sheet", Service: "checkout-api",
		Description: "새 결제 시트", Rules: []flag.Rule{{Variant: "off", Conditions: []flag.Condition{
			{Attribute: "platform", Op: flag.OpEq, Value: "ios"}, {Attribute: "appVersion", Op: flag.OpSemverLt, Value: "5.2.0"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	b := testutil.StartBrowser(t)
	tab := b.NewTab(t)
	signIn(t, tab, s.base, "pat")
	tab.Do(t,
		chromedp.Navigate(s.base+"/flags"),
		chromedp.Click(chromedp.CSS(`a[href="/flags/new-payment-sheet"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#flag-flip`)),
	)
	if got := text(t, tab, `#flag-rules`); !strings.Contains(got, "off when platform = ios and appVersion < (version) 5.2.0") {
		t.Fatalf("rules: %q", got)
	}
	tab.Do(t,
		chromedp.SetValue(chromedp.CSS(`#flip-to`), "off"),
		chromedp.SendKeys(chromedp.CSS(`#flip-reason`), "3-D Secure 실패 급증"),
		chromedp.Click(chromedp.CSS(`#flag-flip button[type=submit]`)),
	)
	waitFor(t, tab, `document.querySelector('#flag-state').innerText.includes('flipped to off')`)
	if got := text(t, tab, `#flag-revisions tbody`); !strings.Contains(got, "flipped from default to off") || !strings.Contains(got, "3-D Secure 실패 급증") {
		t.Fatalf("revisions: %q", got)
	}
	if got := s.srv.FlagsServed.Load().Get("new-payment-sheet"); got.State != "off" {
		t.Fatalf("served state %q", got.State)
	}
	tab.Screenshot(t, "flag-flipped")
	for _, e := range tab.JSErrors() {
		t.Errorf("JavaScript error: %s", e)
	}

	viewer := b.NewTab(t)
	signIn(t, viewer, s.base, "vic")
	viewer.Do(t, chromedp.Navigate(s.base+"/flags/new-payment-sheet"), chromedp.WaitVisible(chromedp.CSS(`#flag-revisions`)))
	if n := testutil.Run(t, viewer, chromedp.Evaluate[int](`document.querySelectorAll('#flag-flip').length`)); n != 0 {
		t.Errorf("a viewer sees the flip form")
	}
}
