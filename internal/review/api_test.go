package review_test

import (
	"testing"

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
