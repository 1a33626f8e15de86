package ui_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/firebreak-oss/firebreak/internal/demo"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// chartContrast is JavaScript that measures, in the page as drawn, the
// lowest contrast ratio (WCAG) of the insight charts' text: axis ticks,
// legends and labels against the page background behind the chart, and the
// numbers in heatmap cells against their cell's fill. It returns
// {min, where, ticks, bg} so a failure says which text lost.
const chartContrast = `(() => {
  const rgb = (c) => {
    let m = c.match(/^rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)$/);
    if (m) return {r: +m[1] / 255, g: +m[2] / 255, b: +m[3] / 255, a: m[4] === undefined ? 1 : +m[4]};
    m = c.match(/^color\(srgb\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)(?:\s*\/\s*([\d.]+))?\)$/);
    if (m) return {r: +m[1], g: +m[2], b: +m[3], a: m[4] === undefined ? 1 : +m[4]};
    throw new Error('unreadable colour ' + c);
  };
  const lum = (c) => {
    const ch = (v) => v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    return 0.2126 * ch(c.r) + 0.7152 * ch(c.g) + 0.0722 * ch(c.b);
  };
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.a > 0) return c;
    }
    return {r: 1, g: 1, b: 1, a: 1};
  };
  let min = Infinity, where = '', ticks = 0, bg = '';
  for (const svg of document.querySelectorAll('svg.chart')) {
    const back = background(svg);
    bg = getComputedStyle(document.documentElement).backgroundColor;
    for (const t of svg.querySelectorAll('text')) {
      let behind = back;
      if (t.classList.contains('cell')) behind = rgb(getComputedStyle(t.previousElementSibling).fill);
      const r = ratio(rgb(getComputedStyle(t).fill), behind);
      if (t.classList.contains('tick')) ticks++;
      if (r < min) { min = r; where = (t.getAttribute('class') || '') + ' "' + t.textContent + '" fill ' + getComputedStyle(t).fill; }
    }
  }
  return {min, where, ticks, bg};
})()`

type contrast struct {
	Min   float64 `json:"min"`
	Where string  `json:"where"`
	Ticks int     `json:"ticks"`
	BG    string  `json:"bg"`
}

// darkTheme sets the page's theme variables to a dark palette, as a dark
// theme of the app would: the charts must follow it without a rule of their
// own.
const darkTheme = `(() => {
  const s = document.documentElement.style;
  for (const [k, v] of Object.entries({'--fg': '#e6edf3', '--muted': '#9da7b3', '--bg': '#0d1117', '--panel': '#161b22',
      '--line': '#3d444d', '--link': '#6ea8fe', '--sev1': '#ff7b72', '--sev2': '#ffa657', '--sev3': '#e3b341',
      '--sev4': '#79c0ff', '--sev5': '#9da7b3'})) s.setProperty(k, v);
  return true;
})()`

// TestInsightsThemes renders the insights page in English and Korean with
// the browser asking for a light and for a dark colour scheme, keeps a
// screenshot of each in test-artifacts/, and checks that no chart text
// loses its contrast: every label and tick reads at 4.5:1 or better against
// what is behind it. It then switches the page's theme variables to a dark
// palette and checks the charts follow.
func TestInsightsThemes(t *testing.T) {
	s := startSite(t, testutil.SQLiteURL(t))
	if err := demo.SeedHistory(context.Background(), s.srv.DB.Incidents(), s.srv.DB.Reviews(), s.srv.Catalog, time.Now()); err != nil {
		t.Fatal(err)
	}
	b := testutil.StartBrowser(t)
	tab := b.NewTab(t, testutil.Viewport(1280, 2400))
	signIn(t, tab, s.base, "alice")
	check := func(name string) contrast {
		t.Helper()
		c := testutil.Run(t, tab, chromedp.Evaluate[contrast](chartContrast))
		if c.Ticks < 10 {
			t.Errorf("%s: %d axis labels measured, want the charts' ticks", name, c.Ticks)
		}
		if c.Min < 4.5 {
			t.Errorf("%s: chart text at contrast %.2f:1 (below 4.5:1): %s on %s", name, c.Min, c.Where, c.BG)
		}
		tab.Screenshot(t, "insights-"+name)
		return c
	}
	seen := map[string]contrast{}
	for _, lang := range []string{"en", "ko"} {
		for _, scheme := range []string{"light", "dark"} {
			name := lang + "-" + scheme
			tab.Do(t, protocol(emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}}))
			tab.Do(t, chromedp.Navigate(s.base+"/insights?period=last-365d"),
				chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`html[lang=%s] svg.chart`, lang))))
			if got := testutil.Run(t, tab, chromedp.Evaluate[bool](`matchMedia('(prefers-color-scheme: dark)').matches`)); got != (scheme == "dark") {
				t.Fatalf("%s: the browser does not report the %s scheme", name, scheme)
			}
			seen[name] = check(name)
			if lang == "en" && scheme == "dark" {
				// Switch the language for the next round the way a user does.
				tab.Do(t, chromedp.Click(chromedp.CSS(`button[name=lang][value=ko]`)), chromedp.WaitVisible(chromedp.CSS(`html[lang=ko] svg.chart`)))
			}
		}
		// The page has one theme whatever the browser asks for, and the
		// charts draw the same in it.
		if l, d := seen[lang+"-light"], seen[lang+"-dark"]; l.BG != d.BG || l.Min != d.Min {
			t.Errorf("%s: light %+v and dark %+v differ", lang, l, d)
		}
	}
	if !testutil.Run(t, tab, chromedp.Evaluate[bool](darkTheme)) {
		t.Fatal("could not set the dark palette")
	}
	dark := check("ko-dark-palette")
	if dark.BG == seen["ko-light"].BG {
		t.Errorf("the dark palette did not change the page background (%s)", dark.BG)
	}
	if errs := tab.JSErrors(); len(errs) > 0 {
		t.Errorf("JavaScript errors: %v", errs)
	}
}
