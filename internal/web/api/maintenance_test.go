package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestMaintenanceAPI: an admin plans a window on checkout-api; a bad one
// is a 400 naming the field and stores nothing; the policy preview warns
// that the window is in progress; a responder silences an alert for 2 h
// (a comment is required), lists it, and ends it; a viewer may not.
func TestMaintenanceAPI(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		e := startPropagating(t, url)
		now := time.Now().UTC()
		bad := map[string]any{"title": "x", "services": []string{"checkout-api"},
			"recurrence": map[string]any{"weekdays": []string{"mon"}, "at": "7pm", "duration": "1h"}}
		if r := e.call(t, "alice", "POST", "/api/v1/maintenance", bad).want(t, 400); r.str("field") != "recurrence.at" {
			t.Errorf("bad window: field %q (%s)", r.str("field"), r.raw)
		}
		if items := e.call(t, "vic", "GET", "/api/v1/maintenance", nil).want(t, 200).items(); len(items) != 0 {
			t.Fatalf("a refused window was stored: %v", items)
		}
		win := map[string]any{"title": "결제 DB 업그레이드", "services": []string{"checkout-api"},
			"starts_at": now.Add(-time.Minute).Format(time.RFC3339), "ends_at": now.Add(time.Hour).Format(time.RFC3339)}
		e.call(t, "bob", "POST", "/api/v1/maintenance", win).want(t, 403) // a responder, not a manager
		if r := e.call(t, "alice", "POST", "/api/v1/maintenance", win).want(t, 201); r.str("created_by") != "alice" {
			t.Errorf("created window: %s", r.raw)
		}
		r := e.call(t, "bob", "POST", "/api/v1/policy/preview", map[string]any{"title": "결제 실패", "grade": "SEV2",
			"services": []string{"checkout-api"}}).want(t, 200)
		if w, _ := r.body["warnings"].([]any); len(w) != 1 || !strings.Contains(w[0].(string), "maintenance window MW-1") {
			t.Errorf("preview warnings %v", r.body["warnings"])
		}
		// The warning follows ?lang=, then Accept-Language, as an
		// incident's warnings do; the role warning beside it too.
		draft := map[string]any{"title": "결제 실패", "grade": "SEV2", "services": []string{"checkout-api"},
			"roles": map[string]string{"resolver": "bob", "communicator": "bob"}}
		ko := e.call(t, "bob", "POST", "/api/v1/policy/preview?lang=ko", draft).want(t, 200)
		if w, _ := ko.body["warnings"].([]any); len(w) != 2 || !strings.Contains(w[0].(string), "해결 담당과 전파 담당") ||
			!strings.Contains(w[1].(string), "checkout-api에서 점검 시간 MW-1이 진행 중입니다(결제 DB 업그레이드)") {
			t.Errorf("Korean preview warnings %v", ko.body["warnings"])
		}
		en := e.call(t, "bob", "POST", "/api/v1/policy/preview?lang=en", draft).want(t, 200)
		if w, _ := en.body["warnings"].([]any); len(w) != 2 || !strings.Contains(w[0].(string), "holds both the resolver and the communicator role") ||
			w[1] != "maintenance window MW-1 (결제 DB 업그레이드) is in progress on checkout-api: its alerts are kept quiet; this declaration still goes ahead" {
			t.Errorf("English preview warnings %v", en.body["warnings"])
		}
		if w := previewWarnings(t, e, "bob", draft, "ko-KR,ko;q=0.9"); len(w) != 2 || !strings.Contains(w[1], "진행 중입니다") {
			t.Errorf("Accept-Language: ko preview warnings %q", w)
		}

		sil := map[string]any{"matchers": []map[string]string{{"name": "alertname", "op": "=~", "value": "Disk.*"}}, "duration": "2h"}
		if r := e.call(t, "bob", "POST", "/api/v1/silences", sil).want(t, 400); r.str("field") != "comment" {
			t.Errorf("silence without comment: %s", r.raw)
		}
		sil["comment"] = "디스크 교체"
		e.call(t, "vic", "POST", "/api/v1/silences", sil).want(t, 403)
		made := e.call(t, "bob", "POST", "/api/v1/silences", sil).want(t, 201)
		if made.str("created_by") != "bob" || made.str("comment") != "디스크 교체" {
			t.Errorf("silence: %s", made.raw)
		}
		if items := e.call(t, "vic", "GET", "/api/v1/silences", nil).want(t, 200).items(); len(items) != 1 {
			t.Errorf("active silences: %v", items)
		}
		e.call(t, "bob", "POST", "/api/v1/silences/1/end", nil).want(t, 200)
		e.call(t, "bob", "POST", "/api/v1/silences/1/end", nil).want(t, 409)
		if items := e.call(t, "vic", "GET", "/api/v1/silences?state=expired", nil).want(t, 200).items(); len(items) != 1 {
			t.Errorf("expired silences: %v", items)
		}
		e.call(t, "vic", "GET", "/api/v1/silences?state=later", nil).want(t, 400)
	})
}

// previewWarnings asks for a policy preview with an Accept-Language header
// and no ?lang=, and returns its warnings.
func previewWarnings(t *testing.T, e *env, user string, draft map[string]any, acceptLanguage string) []string {
	t.Helper()
	body, _ := json.Marshal(draft)
	req, _ := http.NewRequest("POST", e.base+"/api/v1/policy/preview", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.tokens[user])
	req.Header.Set("Accept-Language", acceptLanguage)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Warnings []string `json:"warnings"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
		t.Fatalf("preview: %d %v", resp.StatusCode, err)
	}
	return out.Warnings
}
