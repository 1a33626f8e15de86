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
	inc := s.Call(t, "alice", "POST", "/api/v1/incidents", map[string]any{"title": "Checkout 502s at evening peak", "grade": "SEV2",
		"services": []string{"checkout-api"}, "cause_tags": []string{"db-connection-pool"}}, 201)["id"].(string)
	reviewtest.WaitFor(t, "the recurrence match", func() bool {
		return len(s.Call(t, "vic", "GET", "/api/v1/incidents/"+inc+"/review", nil, 200)["recurrences"].([]any)) == 1
	})

	tab := testutil.StartBrowser(t).NewTab(t)
	signIn(t, tab, s.Base, "alice")
	tab.Do(t, chromedp.Navigate(s.Base+"/incidents/"+inc), chromedp.WaitVisible(chromedp.CSS(`#recurrences`)))
	if rec := text(t, tab, `#recurrences`); !strings.Contains(rec, first) || !strings.Contains(rec, "Put ledger behind PgBouncer") {
		t.Fatalf("incident page recurrences: %q", rec)
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
		chromedp.Click(chromedp.CSS(`#stage-team input[name=attendees][value=bob]`)),
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
