package ui_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestPlanMaintenanceInTheBrowser: an admin plans tonight's ledger upgrade
// on /maintenance, sees a refused form name the field, and ends the
// window again.
func TestPlanMaintenanceInTheBrowser(t *testing.T) {
	s := startSite(t, testutil.SQLiteURL(t))
	testutil.AddUsers(t, s.srv, password, map[string]auth.Role{"ada": auth.Admin})
	b := testutil.StartBrowser(t)
	tab := b.NewTab(t)
	signIn(t, tab, s.base, "ada")
	start := time.Now().Add(3 * time.Hour)
	tab.Do(t,
		chromedp.Navigate(s.base+"/incidents"),
		chromedp.Click(chromedp.CSS(`a[href="/maintenance"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#maintenance-windows`)),
		chromedp.Click(chromedp.CSS(`details > summary`)),
		chromedp.SendKeys(chromedp.CSS(`#mw-title`), "원장 DB 업그레이드"),
		chromedp.SendKeys(chromedp.CSS(`#mw-services`), "ledger"),
		chromedp.SetValue(chromedp.CSS(`#mw-start`), start.Format("2006-01-02T15:04")),
		chromedp.SetValue(chromedp.CSS(`#mw-end`), start.Add(-time.Hour).Format("2006-01-02T15:04")),
		chromedp.Click(chromedp.CSS(`#plan-window button[type=submit]`)),
	)
	waitFor(t, tab, `(document.querySelector('p.error') || {}).innerText?.includes('ends_at: must be after starts_at')`)
	tab.Do(t,
		chromedp.SetValue(chromedp.CSS(`#mw-end`), start.Add(2*time.Hour).Format("2006-01-02T15:04")),
		chromedp.Click(chromedp.CSS(`#plan-window button[type=submit]`)),
	)
	waitFor(t, tab, `document.querySelector('#maintenance-windows').innerText.includes('원장 DB 업그레이드') && !document.querySelector('p.error')`)
	if got := text(t, tab, `#maintenance-windows tbody`); !strings.Contains(got, "MW-1") || !strings.Contains(got, "ledger") || !strings.Contains(got, "ada") {
		t.Errorf("the new row: %s", got)
	}
	tab.Screenshot(t, "maintenance")
	tab.Do(t, chromedp.Click(chromedp.CSS(`#mw-1 button.danger`)))
	waitFor(t, tab, `!document.querySelector('#maintenance-windows').innerText.includes('원장 DB 업그레이드')`)
	for _, e := range tab.JSErrors() {
		if !strings.Contains(e, "status of 400") {
			t.Errorf("JavaScript error: %s", e)
		}
	}
}
