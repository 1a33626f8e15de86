package review_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/review/reviewtest"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestReviewAPIRefusesBadInput: each bad request is a 4xx problem naming
// the field, and changes nothing.
func TestReviewAPIRefusesBadInput(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		s := reviewtest.Start(t, url, server.Options{})
		inc := s.Call(t, "alice", "POST", "/api/v1/incidents", map[string]any{"title": "x", "grade": "SEV3"}, 201)["id"].(string)
		items := "/api/v1/incidents/" + inc + "/action-items"
		good := func() map[string]any {
			return map[string]any{"title": "Add a retry budget", "category": "prevent", "term": "short", "owner": "alice", "due_at": "2026-12-31"}
		}
		for _, c := range []struct {
			user, method, path string
			body               map[string]any
			change             func(map[string]any)
			status             int
			field              string
		}{
			{"alice", "POST", items, good(), func(b map[string]any) { b["due_at"] = "next week" }, 400, "due_at"},
			{"alice", "POST", items, good(), func(b map[string]any) { b["colour"] = "red" }, 400, "colour"},
			{"alice", "POST", items, good(), func(b map[string]any) { b["term"] = "forever" }, 400, "term"},
			{"alice", "POST", items, good(), func(b map[string]any) { b["tracker"] = "gitlab" }, 400, "tracker"},
			{"vic", "POST", items, good(), func(map[string]any) {}, 403, ""},
			{"alice", "POST", "/api/v1/incidents/INC-99/action-items", good(), func(map[string]any) {}, 404, ""},
			{"alice", "PUT", "/api/v1/incidents/" + inc + "/review/party", map[string]any{}, func(map[string]any) {}, 400, "stage"},
			{"alice", "PUT", "/api/v1/incidents/" + inc + "/review/team", map[string]any{"scheduled_at": "tomorrow"}, func(map[string]any) {}, 400, "scheduled_at"},
			{"alice", "PUT", "/api/v1/incidents/" + inc + "/review/team", map[string]any{"attendees": []string{"ghost"}}, func(map[string]any) {}, 400, "attendees[0]"},
			{"alice", "POST", "/api/v1/incidents/" + inc + "/close-override", map[string]any{"reason": "x"}, func(map[string]any) {}, 403, ""},
			{"root", "POST", "/api/v1/incidents/" + inc + "/close-override", map[string]any{"reason": ""}, func(map[string]any) {}, 400, "reason"},
			{"alice", "POST", "/api/v1/task-forces", map[string]any{"name": "x", "items": []int{}}, func(map[string]any) {}, 400, "items"},
		} {
			c.change(c.body)
			p := s.Call(t, c.user, c.method, c.path, c.body, c.status)
			if f, _ := p["field"].(string); f != c.field {
				t.Errorf("%s %s %v: field %q, want %q (%v)", c.method, c.path, c.body, f, c.field, p["detail"])
			}
		}
		if got := s.Call(t, "alice", "GET", "/api/v1/action-items", nil, 200)["items"].([]any); len(got) != 0 {
			t.Errorf("refused requests stored %d items", len(got))
		}
		if st := s.Call(t, "vic", "GET", "/api/v1/incidents/"+inc+"/review", nil, 200)["stages"].([]any); st[0].(map[string]any)["facilitator"] != "" {
			t.Errorf("refused review saved: %v", st)
		}
		s.Call(t, "alice", "GET", "/api/v1/action-items?status=finished", nil, 400)
		s.Call(t, "alice", "GET", "/api/v1/action-items/board?group=colour", nil, 400)
		s.Call(t, "alice", "GET", "/api/v1/action-items/12345", nil, 404)
	})
}

// TestTaskForceAllOrNothing: a task-force request naming one item that
// exists and one that does not is refused with the field of the missing one,
// and the existing item is left as it was; a good request moves all of them.
func TestTaskForceAllOrNothing(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		s := reviewtest.Start(t, url, server.Options{})
		inc := s.Call(t, "alice", "POST", "/api/v1/incidents", map[string]any{"title": "Checkout timeouts", "grade": "SEV2",
			"services": []string{"checkout-api"}}, 201)["id"].(string)
		var ids []string
		for _, title := range []string{"Split the ledger write path", "Move retries to a queue"} {
			added := s.Call(t, "alice", "POST", "/api/v1/incidents/"+inc+"/action-items", map[string]any{"title": title,
				"category": "prevent", "term": "long", "owner": "alice", "due_at": "2027-06-30"}, 201)
			ids = append(ids, reviewtest.ID(added["action_item"].(map[string]any)["id"]))
		}
		taskForce := func(id string) string {
			return s.Call(t, "alice", "GET", "/api/v1/action-items/"+id, nil, 200)["action_item"].(map[string]any)["task_force"].(string)
		}
		timeline := func() int {
			return len(s.Call(t, "root", "GET", "/api/v1/incidents/"+inc+"/timeline", nil, 200)["items"].([]any))
		}
		// The declaration's messages write their deliveries on the timeline
		// as the job queue sends them (after it starts, if it had paused
		// for want of work): count once they have.
		before := timeline()
		for settled := false; !settled; {
			time.Sleep(300 * time.Millisecond)
			n := timeline()
			settled, before = n == before, n
		}
		p := s.Call(t, "alice", "POST", "/api/v1/task-forces", map[string]any{"name": "checkout-reliability",
			"items": []any{json.Number(ids[0]), 9999}}, 404)
		if p["field"] != "items[1]" || !strings.Contains(p["detail"].(string), "9999") {
			t.Errorf("problem: %v", p)
		}
		p = s.Call(t, "alice", "POST", "/api/v1/task-forces", map[string]any{"name": strings.Repeat("x", 101),
			"items": []any{json.Number(ids[0])}}, 400)
		if p["field"] != "name" {
			t.Errorf("long name: %v", p)
		}
		if got := taskForce(ids[0]); got != "" {
			t.Fatalf("a refused request moved item %s into %q", ids[0], got)
		}
		if after := timeline(); after != before {
			t.Fatalf("a refused request wrote %d timeline events", after-before)
		}
		s.Call(t, "alice", "POST", "/api/v1/task-forces", map[string]any{"name": "checkout-reliability",
			"items": []any{json.Number(ids[0]), json.Number(ids[1])}}, 200)
		for _, id := range ids {
			if got := taskForce(id); got != "checkout-reliability" {
				t.Errorf("item %s in %q", id, got)
			}
		}
	})
}

// TestSuggestionsPerCategory: GET /api/v1/action-items/suggestions offers,
// per category, the titles earlier items used most (the same title in any
// letter case counts once, most used first), never a vague title, only the
// category asked for when one is, and refuses an unknown category naming
// the field.
func TestSuggestionsPerCategory(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		s := reviewtest.Start(t, url, server.Options{})
		for i, it := range []struct{ title, category string }{
			{"Add a canary stage to the checkout deploy", "prevent"},
			{"add a canary stage to the checkout deploy", "prevent"},
			{"Cap retries at 2", "prevent"},
			{"Alert on ledger queue depth", "detect"},
			{"Alert on ledger queue depth", "detect"},
			{"Alert on ledger queue depth", "detect"},
			{"Write a runbook for PG failover", "handle"},
			// Vague titles are never offered, however often they were used.
			{"Improve monitoring", "detect"},
			{"improve monitoring", "detect"},
			{"Improve monitoring", "detect"},
			{"Improve monitoring", "detect"},
			{"모니터링을 강화해야 함", "handle"},
		} {
			inc := s.Call(t, "alice", "POST", "/api/v1/incidents", map[string]any{"title": fmt.Sprintf("Incident %d", i), "grade": "SEV3"}, 201)["id"].(string)
			s.Call(t, "alice", "POST", "/api/v1/incidents/"+inc+"/action-items", map[string]any{"title": it.title, "category": it.category,
				"term": "short", "owner": "alice", "due_at": "2027-01-31"}, 201)
		}
		list := func(query string) string {
			var out []string
			for _, sg := range s.Call(t, "vic", "GET", "/api/v1/action-items/suggestions"+query, nil, 200)["suggestions"].([]any) {
				m := sg.(map[string]any)
				out = append(out, fmt.Sprintf("%s:%s×%v", m["category"], strings.ToLower(m["title"].(string)), m["count"]))
			}
			return strings.Join(out, " | ")
		}
		if got, want := list(""), "prevent:add a canary stage to the checkout deploy×2 | prevent:cap retries at 2×1 | "+
			"detect:alert on ledger queue depth×3 | handle:write a runbook for pg failover×1"; got != want {
			t.Errorf("all categories:\n got %s\nwant %s", got, want)
		}
		if got, want := list("?category=detect"), "detect:alert on ledger queue depth×3"; got != want {
			t.Errorf("detect: got %s, want %s", got, want)
		}
		if p := s.Call(t, "vic", "GET", "/api/v1/action-items/suggestions?category=fix", nil, 400); p["field"] != "category" {
			t.Errorf("unknown category: %v", p)
		}
	})
}
