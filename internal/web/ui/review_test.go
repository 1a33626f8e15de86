package ui_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/firebreak-oss/firebreak/internal/review/reviewtest"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestReviewPageAndBoard walks through a review in the browser: the
// incident page shows an earlier incident of the same cause with its open
// long-term item, the team review is recorded, a vague item is saved with
// advice and a concrete rewrite, and the long-term board groups items into a
// task force. Screenshots in English and Korean.
func TestReviewPageAndBoard(t *testing.T) {
	s := reviewtest.Start(t, testutil.SQLiteURL(t), server.Options{ReviewSweepEvery: 200 * time.Millisecond})
	due := time.Now().AddDate(0, 1, 0).Format("2006-01-02")
	first := s.Call(t, "alice", "POST", "/api/v1/incidents", map[string]any{"title": "결제 승인 지연 (ledger pool)", "grade": "SEV2",
		"services": []string{"checkout-api"}, "cause_tags": []string{"db-connection-pool"}}, 201)["id"].(string)
	s.Call(t, "alice", "POST", "/api/v1/incidents/"+first+"/action-items", map[string]any{"title": "Put ledger behind PgBouncer",
		"category": "prevent", "term": "long", "owner": "alice", "due_at": due}, 201)
	s.Call(t, "alice", "POST", "/api/v1/incidents/"+first+"/action-items", map[string]any{"title": "Page on ledger pool saturation",
		"category": "detect", "term": "short", "owner": "alice", "due_at": due}, 201)
	inc := s.Call(t, "alice", "POST", "/api/v1/incidents", map[string]any{"title": "Checkout 502s at evening peak", "grade": "SEV2",
		"services": []string{"checkout-api"}, "cause_tags": []string{"db-connection-pool"}}, 201)["id"].(string)
	testutil.WaitFor(t, "the recurrence match", func() bool {
		return len(s.Call(t, "vic", "GET", "/api/v1/incidents/"+inc+"/review", nil, 200)["recurrences"].([]any)) == 1
	})

	tab := testutil.StartBrowser(t).NewTab(t)
	signIn(t, tab, s.Base, "alice")
	tab.Do(t, chromedp.Navigate(s.Base+"/incidents/"+inc), chromedp.WaitVisible(chromedp.CSS(`#recurrences`)))
	if rec := text(t, tab, `#recurrences`); !strings.Contains(rec, first) || !strings.Contains(rec, "Put ledger behind PgBouncer") {
		t.Fatalf("incident page recurrences: %q", rec)
	}
	// The quick form offers earlier titles of the chosen category: one
	// datalist per category, the first category's in use until the select
	// changes, and the lists per category in the page for a browser without
	// script.
	lists := func(form string) string {
		return testutil.Run(t, tab, chromedp.Evaluate[string](`[...document.querySelectorAll("#`+form+` datalist")].map(d =>
			d.id + "=" + [...d.options].map(o => o.value).join(",")).join(" ") + " list=" + document.querySelector("#`+form+` input[name=title]").getAttribute("list")`))
	}
	if got, want := lists("quick-item"), "qi-sugg-prevent=Put ledger behind PgBouncer qi-sugg-detect=Page on ledger pool saturation qi-sugg-handle= list=qi-sugg-prevent"; got != want {
		t.Errorf("quick form suggestions:\n got %s\nwant %s", got, want)
	}
	pickCategory := func(sel, c string) {
		tab.Do(t, chromedp.Evaluate[chromedp.Void](`(s => { s.value = "`+c+`"; s.dispatchEvent(new Event("change")); })(document.querySelector("`+sel+`"))`))
	}
	pickCategory("#qi-category", "detect")
	if l := testutil.Run(t, tab, chromedp.Evaluate[string](`document.querySelector("#qi-title").getAttribute("list")`)); l != "qi-sugg-detect" {
		t.Errorf("after choosing detect, the title offers %q", l)
	}
	if g := testutil.Run(t, tab, chromedp.Evaluate[string](`[...document.querySelectorAll("#qi-suggestions ul")].map(u => u.dataset.category + ":" + u.textContent.trim()).join(" | ")`)); !strings.Contains(g, "prevent:Put ledger behind PgBouncer") || !strings.Contains(g, "detect:Page on ledger pool saturation") {
		t.Errorf("suggestion lists: %q", g)
	}
	// An item added from the incident page lands on the review page.
	tab.Do(t,
		chromedp.SendKeys(chromedp.CSS(`#qi-title`), "Alert when ledger pool use stays above 80% for 5 minutes"),
		chromedp.SetValue(chromedp.CSS(`#qi-category`), "detect"),
		chromedp.SetValue(chromedp.CSS(`#qi-owner`), "alice"),
		chromedp.SetValue(chromedp.CSS(`#qi-due`), due),
		chromedp.Click(chromedp.CSS(`#quick-item button`)),
		chromedp.WaitVisible(chromedp.CSS(`#vague-advice`)),
	)
	if adv := text(t, tab, `#vague-advice`); !strings.Contains(adv, "was added") {
		t.Errorf("a concrete item drew advice: %q", adv)
	}
	tab.Do(t, chromedp.Navigate(s.Base+"/incidents/"+inc), chromedp.Click(chromedp.CSS(`#review-link`)), chromedp.WaitVisible(chromedp.CSS(`#review-title`)))
	if m := text(t, tab, `#missing-stages`); !strings.Contains(m, "Team review") || !strings.Contains(m, "Cross-team developer review") {
		t.Errorf("missing stages: %q", m)
	}

	// The team review: facilitator, attendees, narrative, held.
	tab.Do(t,
		chromedp.SetValue(chromedp.CSS(`#fac-team`), "minji.kim"),
		chromedp.Click(chromedp.CSS(`#stage-team input[name="team.attendees"][value=bob]`)),
		chromedp.SendKeys(chromedp.CSS(`#bg-team`), "Evening promotion traffic"),
		chromedp.SendKeys(chromedp.CSS(`#trig-team`), "A ledger batch was moved into peak hours"),
		chromedp.SendKeys(chromedp.CSS(`#chain-team`), "Batch held connections → checkout waited → retries piled up"),
		chromedp.SendKeys(chromedp.CSS(`#impact-team`), "18 minutes of slow payments"),
		chromedp.Click(chromedp.CSS(`#held-team`)),
		chromedp.Click(chromedp.CSS(`#save-team`)),
		chromedp.WaitVisible(chromedp.CSS(`#stage-team .badge`)),
	)
	if m := text(t, tab, `#missing-stages`); strings.Contains(m, "Team review") || !strings.Contains(m, "developer") {
		t.Errorf("after the team review, missing: %q", m)
	}

	// The review page's form offers them per category too.
	if got, want := lists("add-item"), "item-sugg-prevent=Put ledger behind PgBouncer item-sugg-detect=Alert when ledger pool use stays above 80% for 5 minutes,"+
		"Page on ledger pool saturation item-sugg-handle= list=item-sugg-prevent"; got != want {
		t.Errorf("review form suggestions:\n got %s\nwant %s", got, want)
	}
	pickCategory("#item-category", "handle")
	if l := testutil.Run(t, tab, chromedp.Evaluate[string](`document.querySelector("#item-title").getAttribute("list")`)); l != "item-sugg-handle" {
		t.Errorf("after choosing handle, the title offers %q", l)
	}
	if g := text(t, tab, `#suggestions`); !strings.Contains(g, "Put ledger behind PgBouncer") {
		t.Errorf("suggestions below the form: %q", g)
	}

	// A vague item is saved, with advice and a concrete rewrite.
	tab.Do(t,
		chromedp.SendKeys(chromedp.CSS(`#item-title`), "Review code more carefully"),
		chromedp.SetValue(chromedp.CSS(`#item-category`), "prevent"),
		chromedp.SetValue(chromedp.CSS(`#item-term`), "long"),
		chromedp.SetValue(chromedp.CSS(`#item-owner`), "bob"),
		chromedp.SetValue(chromedp.CSS(`#item-due`), due),
		chromedp.Click(chromedp.CSS(`#add-item-submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#vague-advice`)),
	)
	if adv := text(t, tab, `#vague-advice`); !strings.Contains(adv, "PR template") || !strings.Contains(adv, "saved as written") {
		t.Errorf("advice: %q", adv)
	}
	if rows := text(t, tab, `#item-rows`); !strings.Contains(rows, "Review code more carefully") || !strings.Contains(rows, "Long term") {
		t.Errorf("items: %q", rows)
	}
	// Hand the vague item to another owner with a later date.
	later := time.Now().AddDate(0, 2, 0).Format("2006-01-02")
	row := `#item-rows tbody tr:last-child`
	tab.Do(t,
		chromedp.Click(chromedp.CSS(row+` details.edit-item summary`)),
		chromedp.WaitVisible(chromedp.CSS(row+` select[name=owner]`)),
		chromedp.SetValue(chromedp.CSS(row+` select[name=owner]`), "minji.kim"),
		chromedp.SetValue(chromedp.CSS(row+` input[name=due_at]`), later),
		chromedp.Click(chromedp.CSS(row+` details.edit-item button`)),
	)
	waitFor(t, tab, `(document.querySelector("#item-rows tbody tr:last-child")?.textContent ?? "").includes("`+later+`")`)
	if owner := text(t, tab, row+` td:nth-child(4)`); owner != "minji.kim" {
		t.Errorf("owner after edit: %q", owner)
	}
	tab.Screenshot(t, "review-en")
	tab.Do(t, chromedp.Click(chromedp.CSS(`button[name=lang][value=ko]`)), chromedp.WaitVisible(chromedp.CSS(`html[lang=ko] #review-title`)))
	if h := text(t, tab, `#stage-h-team`); !strings.Contains(h, "팀 회고") {
		t.Errorf("Korean stage heading: %q", h)
	}
	tab.Screenshot(t, "review-ko")

	// The long-term board, then two items grouped into a task force.
	tab.Do(t, chromedp.Navigate(s.Base+"/action-items/board"), chromedp.WaitVisible(chromedp.CSS(`#board-title`)))
	if board := text(t, tab, `#board`); !strings.Contains(board, "Put ledger behind PgBouncer") || !strings.Contains(board, "payments") {
		t.Errorf("board: %q", board)
	}
	tab.Screenshot(t, "board-ko")
	tab.Do(t, chromedp.Click(chromedp.CSS(`button[name=lang][value=en]`)), chromedp.WaitVisible(chromedp.CSS(`html[lang=en] #board-title`)))
	tab.Do(t,
		chromedp.Click(chromedp.CSS(`#board tr[data-item] input[type=checkbox]`)),
		chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("#board tr[data-item] input[type=checkbox]").forEach(c => c.checked = true)`),
		chromedp.SendKeys(chromedp.CSS(`#tf-name`), "ledger-capacity"),
		chromedp.Click(chromedp.CSS(`#board button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#g-ledger-capacity`)),
	)
	if n := testutil.Run(t, tab, chromedp.Evaluate[int](`document.querySelectorAll("#board tr[data-item]").length`)); n != 2 {
		t.Errorf("task force holds %d items, want 2", n)
	}
	tab.Screenshot(t, "board-en")
	if errs := tab.JSErrors(); len(errs) > 0 {
		t.Errorf("JavaScript errors: %v", errs)
	}
}
