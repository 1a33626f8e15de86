package ui_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestWritingAReportInTheBrowser writes a report with the preview, leaves a
// section TBD, saves, sees the TBD markers, and shows the report, the
// pending list, the library, similar past incidents and the guide in
// English and Korean.
func TestWritingAReportInTheBrowser(t *testing.T) {
	s := startSite(t, testutil.SQLiteURL(t))
	ctx := context.Background()
	alice := auth.User{Name: "alice", Role: auth.Responder}
	earlier, err := s.srv.Incidents.Declare(ctx, alice, incident.Declaration{Title: "카드 결제가 실패함 card payments failing",
		Grade: incident.SEV3, Services: []string{"checkout-api"}})
	if err != nil {
		t.Fatal(err)
	}
	inc, err := s.srv.Incidents.Declare(ctx, alice, incident.Declaration{Title: "결제 승인 지연 Payment approvals slow",
		Grade: incident.SEV2, Services: []string{"checkout-api"}, Summary: "카드 결제 승인이 3초를 넘깁니다."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.srv.Incidents.AddNote(ctx, alice, inc.ID, "연결 풀 고갈 확인 connection pool exhausted"); err != nil {
		t.Fatal(err)
	}
	b := testutil.StartBrowser(t)
	tab := b.NewTab(t)
	signIn(t, tab, s.base, "alice")
	reportURL := s.base + "/incidents/" + inc.Ref() + "/report"

	// The incident page lists the earlier payment incident as similar.
	tab.Do(t, chromedp.Navigate(s.base+"/incidents/"+inc.Ref()), chromedp.WaitVisible(chromedp.CSS(`[data-testid=similar]`)))
	if got := text(t, tab, `[data-testid=similar]`); !strings.Contains(got, earlier.Ref()) {
		t.Errorf("similar past incidents: %q, want %s", got, earlier.Ref())
	}

	// Start: the timeline events to keep are offered, ticked.
	tab.Do(t, chromedp.Navigate(reportURL), chromedp.WaitVisible(chromedp.CSS(`form[action$="/report/start"]`)))
	if n := testutil.Run(t, tab, chromedp.Evaluate[int](`document.querySelectorAll("input[name=event]:checked").length`)); n < 2 {
		t.Errorf("%d events ticked for pre-fill", n)
	}
	tab.Do(t,
		chromedp.Click(chromedp.CSS(`form[action$="/report/start"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#s-cause`)),
	)
	if pre := testutil.Run(t, tab, chromedp.Evaluate[string](`document.getElementById("s-timeline").value`)); !strings.Contains(pre, "connection pool exhausted") {
		t.Errorf("timeline not pre-filled: %q", pre)
	}

	// Write with the preview; leave the resolution empty (TBD). A textarea's
	// text is set as typing would leave it.
	setText := func(id, value string) chromedp.Action[chromedp.Void] {
		js, _ := json.Marshal(value)
		return chromedp.Evaluate[chromedp.Void](`document.getElementById("` + id + `").value = ` + string(js))
	}
	tab.Do(t,
		setText("s-cause", "The gateway **pool** shrank to 20.\n\n<script>window.pwned=1</script>\n\n[x](javascript:alert(1))"),
		setText("s-resolution", ""),
		chromedp.Click(chromedp.CSS(`[data-testid=preview]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=preview-cause] strong`)),
	)
	if got := text(t, tab, `[data-testid=preview-cause] strong`); got != "pool" {
		t.Errorf("preview bold = %q", got)
	}
	if got := text(t, tab, `[data-testid=preview-resolution]`); got != "TBD" {
		t.Errorf("preview of an empty section = %q", got)
	}
	if testutil.Run(t, tab, chromedp.Evaluate[bool](`window.pwned === 1 || document.querySelector("[data-testid=preview-cause] a[href^=javascript]") !== null`)) {
		t.Error("the preview ran a script or kept a javascript: link")
	}
	if v := testutil.Run(t, tab, chromedp.Evaluate[string](`document.getElementById("s-cause").value`)); !strings.Contains(v, "**pool**") {
		t.Errorf("the preview lost the text being written: %q", v)
	}
	tab.Screenshot(t, "report-edit-preview")
	tab.Do(t,
		chromedp.Click(chromedp.CSS(`[data-testid=save]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=tbd-resolution]`)),
	)
	if got := text(t, tab, `[data-testid=tbd-count]`); !strings.Contains(got, "TBD × 1") {
		t.Errorf("TBD count = %q", got)
	}
	if got := text(t, tab, `#sec-cause`); !strings.Contains(got, "The gateway pool shrank to 20.") {
		t.Errorf("cause section = %q", got)
	}
	tab.Screenshot(t, "report-en")

	// The list marks the incident, the pending page names the section and its age.
	tab.Do(t, chromedp.Navigate(s.base+"/incidents"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=tbd-marker]`)))
	if got := text(t, tab, `[data-testid=tbd-marker]`); !regexp.MustCompile(`^TBD 1 · \d+m$`).MatchString(got) {
		t.Errorf("list marker = %q, want TBD 1 · <minutes>m", got)
	}
	tab.Do(t, chromedp.Navigate(s.base+"/reports"), chromedp.WaitVisible(chromedp.CSS(`table.pending-reports`)))
	if got := text(t, tab, `table.pending-reports tbody`); !strings.Contains(got, inc.Ref()) || !strings.Contains(got, "Resolution and prevention") {
		t.Errorf("pending reports: %q", got)
	}
	tab.Screenshot(t, "reports-pending")
	tab.Do(t, chromedp.Navigate(s.base+"/library?q="+"결제가%20gateway"), chromedp.WaitVisible(chromedp.CSS(`ol.hits`)))
	if got := text(t, tab, `ol.hits`); !strings.Contains(got, inc.Ref()) {
		t.Errorf("library search: %q", got)
	}
	tab.Screenshot(t, "library")

	// In Korean.
	tab.Do(t,
		chromedp.Navigate(reportURL), chromedp.WaitVisible(chromedp.CSS(`[data-testid=tbd-resolution]`)),
		chromedp.Click(chromedp.CSS(`form[action="/lang"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang=ko] [data-testid=tbd-resolution]`)),
	)
	if got := text(t, tab, `main`); !strings.Contains(got, "장애 보고서") || !strings.Contains(got, "해결 및 재발 방지") || !strings.Contains(got, "이메일로 공유") {
		t.Errorf("Korean report page: %q", got)
	}
	tab.Screenshot(t, "report-ko")
	tab.Do(t, chromedp.Navigate(s.base+"/incidents"), chromedp.WaitVisible(chromedp.CSS(`html[lang=ko] [data-testid=tbd-marker]`)))
	if got := text(t, tab, `[data-testid=tbd-marker]`); !regexp.MustCompile(`^TBD 1 · \d+분$`).MatchString(got) {
		t.Errorf("Korean list marker = %q, want TBD 1 · <minutes>분", got)
	}
	tab.Do(t, chromedp.Navigate(s.base+"/guide/report"), chromedp.WaitVisible(chromedp.CSS(`article.example`)))
	if got := text(t, tab, `article.example`); !strings.Contains(got, "재발 방지") || !strings.Contains(got, "PAY-1432") {
		t.Errorf("guide example: %q", got)
	}
	tab.Screenshot(t, "guide-ko")
	if errs := tab.JSErrors(); len(errs) > 0 {
		t.Errorf("JavaScript errors: %v", errs)
	}
}
