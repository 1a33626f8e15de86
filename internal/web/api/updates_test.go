package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestStatusUpdates: a responder posts updates; bad input is refused with
// the field named and leaves the timeline as it was.
func TestStatusUpdates(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		internal := e.call(t, "bob", "POST", "/api/v1/incidents", map[string]any{
			"title": "원장 지연 Ledger lag", "grade": "SEV4", // SEV4 closes without reviews "services": []string{"ledger"},
		}).want(t, http.StatusCreated).str("id")
		// Only an admin or an owning team's manager declares public incidents.
		public := e.call(t, "alice", "POST", "/api/v1/incidents", map[string]any{
			"title": "결제 실패 Checkout failing", "grade": "SEV1", "services": []string{"checkout-api"}, "visibility": "public",
		}).want(t, http.StatusCreated).str("id")

		ev := e.call(t, "carol", "POST", "/api/v1/incidents/"+internal+"/updates", map[string]any{
			"text": "  DB 잠금을 해제했습니다. Released the DB lock; lag falling.  ",
		}).want(t, http.StatusCreated)
		data, _ := ev.body["data"].(map[string]any)
		if ev.str("kind") != "status_update" || ev.str("actor") != "carol" || ev.body["id"].(float64) <= 0 ||
			data["text"] != "DB 잠금을 해제했습니다. Released the DB lock; lag falling." || data["public"] != false {
			t.Fatalf("update event: %s", ev.raw)
		}
		ev = e.call(t, "bob", "POST", "/api/v1/incidents/"+public+"/updates", map[string]any{
			"text": "Payments fail for some cards; we are on it.", "public": true,
		}).want(t, http.StatusCreated)
		if data, _ := ev.body["data"].(map[string]any); data["public"] != true {
			t.Fatalf("public update: %s", ev.raw)
		}

		timeline := func(ref string) []string {
			return kinds(e.call(t, "bob", "GET", "/api/v1/incidents/"+ref+"/timeline", nil).want(t, http.StatusOK))
		}
		before := timeline(internal)
		for _, c := range []struct {
			name, user, ref string
			body            any
			status          int
			field           string
		}{
			{"empty text", "bob", internal, map[string]any{"text": "   "}, 400, "text"},
			{"no text", "bob", internal, map[string]any{"public": false}, 400, "text"},
			{"too long", "bob", internal, map[string]any{"text": strings.Repeat("가", 3001)}, 400, "text"},
			{"public update of an internal incident", "bob", internal, map[string]any{"text": "x", "public": true}, 400, "public"},
			{"public not a bool", "bob", internal, `{"text":"x","public":"yes"}`, 400, "public"},
			{"unknown field", "bob", internal, map[string]any{"text": "x", "audience": "all"}, 400, "audience"},
			{"viewer", "vic", internal, map[string]any{"text": "x"}, 403, ""},
			{"no token", "", internal, map[string]any{"text": "x"}, 401, ""},
			{"unknown incident", "bob", "INC-999", map[string]any{"text": "x"}, 404, ""},
		} {
			r := e.call(t, c.user, "POST", "/api/v1/incidents/"+c.ref+"/updates", c.body)
			if r.status != c.status || r.str("field") != c.field || r.header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s: %d field %q: %s", c.name, r.status, r.str("field"), r.raw)
			}
		}
		if after := timeline(internal); strings.Join(after, ",") != strings.Join(before, ",") {
			t.Fatalf("refused updates changed the timeline: %v → %v", before, after)
		}

		// A closed incident takes no more updates.
		for _, st := range []string{"resolved", "closed"} {
			e.call(t, "bob", "POST", "/api/v1/incidents/"+internal+"/status", map[string]any{"status": st}).want(t, http.StatusOK)
		}
		r := e.call(t, "bob", "POST", "/api/v1/incidents/"+internal+"/updates", map[string]any{"text": "late news"}).want(t, http.StatusConflict)
		if !strings.Contains(r.str("detail"), "closed") {
			t.Fatalf("closed: %s", r.raw)
		}
	})
}
