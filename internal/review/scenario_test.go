package review_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/review/reviewtest"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestRecurringIncidentSurfacesOpenLongTermItems is the story the review
// exists for. Over half a year the ledger's connection pool runs dry under
// checkout three times. The first review files a long-term fix that nobody
// finishes; each later incident shows the earlier ones and that still-open
// item on its page, the timeline records the match, the overdue item is
// escalated to the team lead, and the long-term board keeps it in view.
// Everything goes through the HTTP API of a running server whose clock the
// test moves; the periodic sweep (a real queue job) finds the matches.
func TestRecurringIncidentSurfacesOpenLongTermItems(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		clock := reviewtest.NewClock(time.Date(2026, 1, 10, 20, 5, 0, 0, time.UTC))
		s := reviewtest.Start(t, url, server.Options{Now: clock.Now, ReviewSweepEvery: 200 * time.Millisecond})
		api := func(user, method, path string, body any, want int) map[string]any {
			t.Helper()
			return s.Call(t, user, method, path, body, want)
		}
		declare := func(title, summary string, causes []string) string {
			t.Helper()
			inc := api("alice", "POST", "/api/v1/incidents", map[string]any{"title": title, "summary": summary, "grade": "SEV2",
				"services": []string{"checkout-api", "ledger"}, "cause_tags": causes}, 201)
			return inc["id"].(string)
		}
		addItem := func(ref, title, category, term, owner, due string) string {
			t.Helper()
			r := api("alice", "POST", "/api/v1/incidents/"+ref+"/action-items", map[string]any{"title": title, "category": category,
				"term": term, "owner": owner, "due_at": due, "stage": "team"}, 201)
			return reviewtest.ID(r["action_item"].(map[string]any)["id"])
		}
		reviewOf := func(ref string) map[string]any {
			t.Helper()
			return api("vic", "GET", "/api/v1/incidents/"+ref+"/review", nil, 200)
		}
		recurrences := func(ref string) map[string][]string { // earlier incident → its open items
			out := map[string][]string{}
			for _, m := range reviewOf(ref)["recurrences"].([]any) {
				m := m.(map[string]any)
				items := []string{}
				for _, it := range m["open_items"].([]any) {
					items = append(items, it.(map[string]any)["title"].(string))
				}
				out[m["incident"].(string)] = items
			}
			return out
		}
		timeline := func(ref string) string {
			var kinds []string
			for _, ev := range api("vic", "GET", "/api/v1/incidents/"+ref+"/timeline?limit=500", nil, 200)["items"].([]any) {
				kinds = append(kinds, ev.(map[string]any)["kind"].(string))
			}
			return strings.Join(kinds, " ")
		}

		// January: the first time. Both reviews are held; one short-term
		// item is done, the long-term fix stays open.
		inc1 := declare("결제 승인 지연 — ledger connection pool exhausted", "Evening peak; checkout waits on ledger connections.", []string{"db-connection-pool"})
		for _, st := range []string{"identified", "resolved"} {
			api("alice", "POST", "/api/v1/incidents/"+inc1+"/status", map[string]any{"status": st}, 200)
		}
		for _, stage := range []string{"team", "developer"} {
			api("minji.kim", "PUT", "/api/v1/incidents/"+inc1+"/review/"+stage, map[string]any{
				"facilitator": "minji.kim", "attendees": []string{"alice", "bob"}, "held": true,
				"narrative": map[string]string{"background": "연말 프로모션 트래픽", "trigger": "원장 배치 작업을 피크 시간으로 옮김",
					"chain": "배치가 커넥션을 점유 → 결제 요청 대기 → 타임아웃 재시도 폭증", "impact": "결제 승인 18분 지연"}}, 200)
		}
		pooler := addItem(inc1, "Put ledger behind a connection pooler (PgBouncer)", "prevent", "long", "alice", "2026-04-30")
		alert := addItem(inc1, "Alert when ledger pool use stays above 80% for 5 minutes", "detect", "short", "bob", "2026-01-31")
		api("bob", "PATCH", "/api/v1/action-items/"+alert, map[string]any{"status": "done"}, 200)
		api("alice", "POST", "/api/v1/incidents/"+inc1+"/status", map[string]any{"status": "closed"}, 200)
		if r := recurrences(inc1); len(r) != 0 {
			t.Fatalf("the first incident matched %v", r)
		}

		// March: same services, same cause tag, different words.
		clock.Set(time.Date(2026, 3, 12, 19, 40, 0, 0, time.UTC))
		inc2 := declare("Checkout 502s during evening peak", "Gateway errors from checkout-api.", []string{"db-connection-pool"})
		testutil.WaitFor(t, inc2+" matched with "+inc1, func() bool { return len(recurrences(inc2)) == 1 })
		if got := recurrences(inc2)[inc1]; !slices.Equal(got, []string{"Put ledger behind a connection pooler (PgBouncer)"}) {
			t.Fatalf("%s shows open items %v of %s (the done short-term item must not show)", inc2, got, inc1)
		}
		if tl := timeline(inc2); !strings.Contains(tl, "recurrence_matched") {
			t.Fatalf("%s timeline lacks the match: %s", inc2, tl)
		}
		loadTest := addItem(inc2, "Load test ledger at 2× evening peak before each promotion", "prevent", "long", "bob", "2026-09-30")

		// June: declared without a cause tag yet; its text is close to the
		// first one's. The cause is tagged later and the second one joins.
		clock.Set(time.Date(2026, 6, 20, 21, 15, 0, 0, time.UTC))
		inc3 := declare("결제 승인 지연 — ledger connection pool", "", nil)
		testutil.WaitFor(t, inc3+" matched by text", func() bool { _, ok := recurrences(inc3)[inc1]; return ok })
		clock.Set(time.Date(2026, 6, 20, 21, 40, 0, 0, time.UTC)) // the cause is found
		api("alice", "PATCH", "/api/v1/incidents/"+inc3, map[string]any{"cause_tags": []string{"db-connection-pool"}}, 200)
		testutil.WaitFor(t, inc3+" matched with both", func() bool { return len(recurrences(inc3)) == 2 })
		r3 := recurrences(inc3)
		if !slices.Contains(r3[inc1], "Put ledger behind a connection pooler (PgBouncer)") ||
			!slices.Contains(r3[inc2], "Load test ledger at 2× evening peak before each promotion") {
			t.Fatalf("%s shows %v", inc3, r3)
		}
		if n := strings.Count(timeline(inc3), "recurrence_matched"); n != 2 {
			t.Fatalf("%s records %d matches, want 2 (text, then service and cause)", inc3, n)
		}
		var reasons []string
		for _, m := range reviewOf(inc3)["recurrences"].([]any) {
			reasons = append(reasons, fmt.Sprint(m.(map[string]any)["incident"], ":", m.(map[string]any)["reason"]))
		}
		slices.Sort(reasons)
		if strings.Join(reasons, " ") != inc1+":text "+inc2+":service_cause" {
			t.Errorf("reasons: %v", reasons)
		}

		// The pooler item is long overdue: the sweep escalated it to the
		// payments lead, once.
		testutil.WaitFor(t, "the escalation", func() bool { return strings.Contains(timeline(inc1), "action_item_escalated") })
		if n := strings.Count(timeline(inc1), "action_item_escalated"); n != 1 {
			t.Errorf("escalated %d times", n)
		}

		// The long-term board shows both open long-term items by team, oldest
		// first within a team, and keeps them together once grouped into a task force.
		board := api("vic", "GET", "/api/v1/action-items/board", nil, 200)["groups"].([]any)
		var rows []string
		for _, g := range board {
			for _, it := range g.(map[string]any)["items"].([]any) {
				it := it.(map[string]any)
				rows = append(rows, fmt.Sprintf("%s/%s/%v/%v", g.(map[string]any)["name"], it["incident"], it["age_days"], it["overdue"]))
			}
		}
		if want := []string{"messaging/" + inc2 + "/100/false", "payments/" + inc1 + "/161/true"}; !slices.Equal(rows, want) { // teams by name
			t.Errorf("board rows %v, want %v", rows, want)
		}
		api("minji.kim", "POST", "/api/v1/task-forces", map[string]any{"name": "ledger-capacity", "items": []json.Number{json.Number(pooler), json.Number(loadTest)}}, 200)
		tf := api("vic", "GET", "/api/v1/action-items/board?group=task_force", nil, 200)["groups"].([]any)
		if len(tf) != 1 || tf[0].(map[string]any)["name"] != "ledger-capacity" || len(tf[0].(map[string]any)["items"].([]any)) != 2 {
			t.Errorf("task force board: %v", tf)
		}
	})
}
