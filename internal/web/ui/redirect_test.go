package ui_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestRedirectStaysOnSiteInChromium: a sign-in link or a language switch
// whose next is "/<tab>/evil.example" (or CR, LF) would, in a real browser,
// leave the site once the browser strips the control character; Chromium
// must end up on this site's incident list instead.
func TestRedirectStaysOnSiteInChromium(t *testing.T) {
	s := startSite(t, testutil.SQLiteURL(t))
	b := testutil.StartBrowser(t)
	base, _ := url.Parse(s.base)
	onSite := func(tab *testutil.Tab, what string) {
		t.Helper()
		tab.Do(t, chromedp.WaitVisible(chromedp.CSS(`table.incidents`)))
		loc, err := url.Parse(testutil.Run(t, tab, chromedp.Location()))
		if err != nil || loc.Host != base.Host || loc.Path != "/incidents" {
			t.Errorf("%s: Chromium is at %v, want %s/incidents", what, loc, s.base)
		}
	}
	for _, ctl := range []string{"%09", "%0a", "%0d"} {
		tab := b.NewTab(t)
		tab.Do(t,
			chromedp.Navigate(s.base+"/login?next=/"+ctl+"/evil.example"),
			chromedp.WaitVisible(chromedp.CSS(`#name`)),
			chromedp.SendKeys(chromedp.CSS(`#name`), "alice"),
			chromedp.SendKeys(chromedp.CSS(`#password`), password),
			chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
		)
		onSite(tab, "sign-in with next=/"+ctl+"/evil.example")

		// The language switch, with next set to the same trick.
		js := `(() => { const f = document.querySelector('form[action="/lang"]');
			let n = f.querySelector('input[name=next]');
			if (!n) { n = document.createElement('input'); n.type = 'hidden'; n.name = 'next'; f.appendChild(n); }
			const l = document.createElement('input'); l.type = 'hidden'; l.name = 'lang'; l.value = 'ko'; f.appendChild(l);
			n.value = decodeURIComponent('/` + ctl + `/evil.example');
			f.submit(); return true; })()`
		testutil.Run(t, tab, chromedp.Evaluate[bool](js))
		onSite(tab, "POST /lang with next=/"+ctl+"/evil.example")
		if strings.Contains(testutil.Run(t, tab, chromedp.Location()), "evil") {
			t.Errorf("left for evil.example")
		}
	}
}
