package ui_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/flag"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestIncidentFlipInTheBrowser: a payments responder flips checkout's
// switch off from the incident page with a reason; a colleague watching
// the same page sees the flip arrive on the timeline and the switch's new
// state live. Once the incident is set to resolved on the page, it offers
// to flip the switch back with the reason filled in (a second page of
// hers, left open, gets the offer live), and one click does.
func TestIncidentFlipInTheBrowser(t *testing.T) {
	s := startSite(t, testutil.SQLiteURL(t))
	op := auth.User{Name: auth.SystemActor, Role: auth.Admin}
	if _, err := s.srv.Users.SetTeamRole(t.Context(), op, "alice", "payments", auth.TeamResponder); err != nil {
		t.Fatal(err)
	}
	const key = "new-payment-sheet"
	_, err := s.srv.Flags.Create(t.Context(), op, flag.Definition{Key: key, Service: "checkout-api",
		Description: "새 결제 시트", Rules: []flag.Rule{{Variant: "off", Conditions: []flag.Condition{
			{Attribute: "platform", Op: flag.OpEq, Value: "ios"}, {Attribute: "appVersion", Op: flag.OpSemverLt, Value: "5.2.0"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	inc, err := s.srv.Incidents.Declare(t.Context(), auth.User{Name: "alice", Role: auth.Responder}, incident.Declaration{
		Title: "결제 시트 오류 Payment sheet crashes", Grade: incident.SEV2, Services: []string{"checkout-api"}})
	if err != nil {
		t.Fatal(err)
	}
	page := s.base + "/incidents/" + inc.Ref()
	b := testutil.StartBrowser(t)
	alice, bob := b.NewTab(t), b.NewTab(t)
	signIn(t, alice, s.base, "alice")
	signIn(t, bob, s.base, "bob")
	bob.Do(t, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`#switches`)))
	if n := testutil.Run(t, bob, chromedp.Evaluate[int](`document.querySelectorAll('#switches form').length`)); n != 0 {
		t.Errorf("bob, of no owning team, is offered %d flip forms", n)
	}
	alice.Do(t, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`#flip-to-`+key)))
	if got := text(t, alice, `[data-testid="switch-`+key+`"]`); !strings.Contains(got, "platform eq ios and appVersion semver_lt 5.2.0 → off") ||
		!strings.Contains(got, "serving its definition") {
		t.Errorf("switch row: %q", got)
	}
	alice.Do(t,
		chromedp.SetValue(chromedp.CSS(`#flip-to-`+key), "off"),
		chromedp.SendKeys(chromedp.CSS(`#flip-reason-`+key), "iOS 결제 시트 멈춤 sheet freezes"),
		chromedp.Click(chromedp.CSS(`[data-testid="switch-`+key+`"] form.flip-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#timeline li.ev-flag_flipped`)),
	)
	if got := text(t, alice, `[data-testid="switch-state-`+key+`"]`); got != "flipped to off" {
		t.Errorf("state after the flip: %q", got)
	}
	// Bob's page was not reloaded: the row came over the live stream.
	waitFor(t, bob, `document.querySelectorAll('#timeline li.ev-flag_flipped').length === 1`)
	if row := text(t, bob, `#timeline li.ev-flag_flipped .what`); row != "flipped kill switch "+key+" from its definition (default) to off — iOS 결제 시트 멈춤 sheet freezes" {
		t.Errorf("live timeline row: %q", row)
	}
	waitFor(t, bob, `document.querySelector('[data-testid="switch-state-`+key+`"]').innerText === 'flipped to off'`)
	if n := testutil.Run(t, alice, chromedp.Evaluate[int](`document.querySelectorAll('.flip-back').length`)); n != 0 {
		t.Error("a flip back is offered before the incident is mitigated")
	}
	watching := b.NewTab(t)
	signIn(t, watching, s.base, "alice")
	watching.Do(t, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`#flip-to-`+key)))

	alice.Do(t,
		chromedp.SetValue(chromedp.CSS(`#new-status`), "resolved"),
		chromedp.Click(chromedp.CSS(`form[action$="/status"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="flip-back-`+key+`"]`)),
	)
	if v := testutil.Run(t, alice, chromedp.Evaluate[string](`document.getElementById('back-reason-`+key+`').value`)); v != "incident "+inc.Ref()+" mitigated" {
		t.Errorf("flip back reason: %q", v)
	}
	alice.Screenshot(t, "incident-flip-back-offer")
	waitFor(t, watching, `document.querySelector('[data-testid="flip-back-`+key+`"]') !== null`)
	if n := testutil.Run(t, bob, chromedp.Evaluate[int](`document.querySelectorAll('.flip-back').length`)); n != 0 {
		t.Error("bob, of no owning team, is offered the flip back")
	}
	alice.Do(t,
		chromedp.Click(chromedp.CSS(`[data-testid="flip-back-`+key+`"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#timeline li.ev-flag_flipped:nth-of-type(2), #timeline li.ev-flag_flipped ~ li.ev-flag_flipped`)),
	)
	if got := text(t, alice, `[data-testid="switch-state-`+key+`"]`); got != "serving its definition" {
		t.Errorf("state after the flip back: %q", got)
	}
	if n := testutil.Run(t, alice, chromedp.Evaluate[int](`document.querySelectorAll('.flip-back').length`)); n != 0 {
		t.Error("still offered a flip back after flipping back")
	}
	sw, revs, err := s.srv.Flags.Get(t.Context(), op, key)
	if err != nil || sw.Flipped() || len(revs) != 3 || revs[0].Reason != "incident "+inc.Ref()+" mitigated" || revs[0].Incident != inc.Ref() {
		t.Fatalf("after the flip back: %+v %+v %v", sw, revs, err)
	}
	alice.Screenshot(t, "incident-flipped-back")
	for _, tb := range []*testutil.Tab{alice, bob, watching} {
		for _, e := range tb.JSErrors() {
			t.Errorf("JavaScript error: %s", e)
		}
	}
}
