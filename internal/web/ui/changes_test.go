package ui_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/change"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestRecentChangesInTheBrowser: an incident on a service whose newest
// deploy carries a not-rollbackable PR shows the verdict with its reason and
// the PR, and no version to return to; a deploy of a dependency that lands
// while the page is open appears on the live timeline; marking the deploy
// as the suspected trigger and recording that the impact stopped go on the
// timeline, readable in Korean too.
func TestRecentChangesInTheBrowser(t *testing.T) {
	s := startSite(t, testutil.SQLiteURL(t))
	ctx := t.Context()
	alice := auth.User{Name: "alice", Role: auth.Responder}
	inc, err := s.srv.Incidents.Declare(ctx, alice, incident.Declaration{Title: "결제 승인 실패 증가", Grade: incident.SEV2,
		Services: []string{"checkout-api"}, Visibility: incident.Internal})
	if err != nil {
		t.Fatal(err)
	}
	record := func(c change.Change) change.Change {
		t.Helper()
		if _, err := s.srv.Changes.Record(ctx, &c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	now := time.Now()
	record(change.Change{Kind: change.KindDeploy, Source: change.SourceAPI, Services: []string{"checkout-api"}, Version: "v2.13.0",
		Title: "checkout v2.13.0", At: now.Add(-6 * time.Hour)})
	blocked := record(change.Change{Kind: change.KindDeploy, Source: change.SourceAPI, Services: []string{"checkout-api"}, Version: "v2.14.0",
		Title: "주문 테이블 스키마 변경", At: now.Add(-2 * time.Hour), Labels: []string{"롤백불가"},
		Links: []change.Link{{Title: "PR #42", URL: "https://github.com/acme/shop/pull/42"}}})

	b := testutil.StartBrowser(t)
	tab := b.NewTab(t)
	signIn(t, tab, s.base, "alice")
	tab.Do(t, chromedp.Navigate(s.base+"/incidents/"+inc.Ref()), chromedp.WaitVisible(chromedp.CSS(`#recent-changes`)))
	got := text(t, tab, `#recent-changes`)
	for _, want := range []string{"not rollbackable", `PR #42 is labelled "롤백불가"`, "checkout-api: do not roll back v2.14.0", "v2.13.0"} {
		if !strings.Contains(got, want) {
			t.Errorf("recent changes lack %q:\n%s", want, got)
		}
	}
	if href := testutil.Run(t, tab, chromedp.Evaluate[string](`document.querySelector('#recent-changes li.change-blocked a').href`)); href != "https://github.com/acme/shop/pull/42" {
		t.Errorf("the verdict links to %q", href)
	}

	// A change to ledger, which checkout-api depends on, lands while the page is open.
	record(change.Change{Kind: change.KindConfig, Source: change.SourceAPI, Services: []string{"ledger"}, Title: "connection pool 20 → 50"})
	waitFor(t, tab, `document.querySelector('#timeline').innerText.includes('change landed: config — connection pool 20 → 50 (ledger)')`)

	tab.Do(t, chromedp.Click(chromedp.CSS(`button[data-testid="suspect-`+strconv.FormatInt(blocked.ID, 10)+`"]`)))
	waitFor(t, tab, `document.querySelector('#timeline').innerText.includes('marked as suspected trigger: deploy v2.14.0 — 주문 테이블 스키마 변경 (checkout-api); not rollbackable: PR #42 is labelled "롤백불가"')`)
	waitFor(t, tab, `document.querySelector('#recent-changes').innerText.includes('suspected trigger')`)
	tab.Screenshot(t, "recent-changes")

	tab.Do(t, chromedp.Click(chromedp.CSS(`button[data-testid="mitigate"]`)))
	waitFor(t, tab, `document.querySelector('#timeline').innerText.includes('impact stopped at')`)
	after, _ := s.srv.Incidents.Get(ctx, alice, inc.ID)
	if after.MitigatedAt == nil {
		t.Fatal("mitigated_at not set from the page")
	}
	ev, err := s.srv.DB.Incidents().LatestEvent(ctx, inc.ID, change.EventSuspected)
	if err != nil || ev == nil || ev.Actor != "alice" {
		t.Fatalf("change_suspected event: %+v %v", ev, err)
	}

	// The same page in Korean: no raw event kinds.
	tab.Do(t,
		chromedp.Click(chromedp.CSS(`form[action="/lang"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang=ko] #recent-changes`)),
	)
	ko := text(t, tab, `main`)
	for _, want := range []string{"최근 변경", "롤백 불가", `PR #42에 "롤백불가" 라벨이 붙어 있음`, "원인으로 의심:", "변경 반영됨:", "영향 종료:"} {
		if !strings.Contains(ko, want) {
			t.Errorf("the Korean page lacks %q", want)
		}
	}
	for _, raw := range []string{"change_landed", "change_suspected", "mitigated"} {
		if strings.Contains(text(t, tab, `#timeline`), raw) {
			t.Errorf("the timeline shows the raw kind %q", raw)
		}
	}
	tab.Screenshot(t, "recent-changes-ko")
	for _, e := range tab.JSErrors() {
		t.Errorf("JavaScript error: %s", e)
	}
}
