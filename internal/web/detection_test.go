package web_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/testutil"
)

type detectionDoc struct {
	ID         string    `json:"id"`
	Source     string    `json:"source"`
	Detection  string    `json:"detection"`
	StartedAt  time.Time `json:"started_at"`
	DetectedAt time.Time `json:"detected_at"`
}

// TestDetection: an incident declared from a signal in triage records how
// (from the signal's source) and when (the signal's first arrival) it was
// detected; both can be changed through PATCH, which puts the change on the
// timeline; bad values are refused naming the field and change nothing; the
// incident page shows and edits them.
func TestDetection(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		f := startFixture(t, dbURL)
		sig := f.call(t, admin, "GET", "/api/v1/signals/"+f.pending[0], nil)
		var s struct {
			Source    string    `json:"source"`
			FirstSeen time.Time `json:"first_seen"`
		}
		if err := json.Unmarshal([]byte(sig.body), &s); err != nil || sig.status != http.StatusOK {
			t.Fatalf("signal: %d %s", sig.status, sig.body)
		}
		rep := f.call(t, admin, "POST", "/api/v1/signals/"+f.pending[0]+"/declare", map[string]any{"grade": "SEV3", "services": []string{"checkout-api"}})
		if rep.status != http.StatusCreated {
			t.Fatalf("declare from triage: %d %s", rep.status, rep.body)
		}
		var inc detectionDoc
		if err := json.Unmarshal([]byte(rep.body), &inc); err != nil {
			t.Fatal(err)
		}
		if inc.Detection != "monitoring_alert" && s.Source != "form" && s.Source != "email" && s.Source != "slack" {
			t.Errorf("declared from a %s signal: detection %q, want monitoring_alert", s.Source, inc.Detection)
		}
		if !inc.DetectedAt.Equal(s.FirstSeen.Truncate(time.Microsecond)) && !inc.DetectedAt.Equal(s.FirstSeen) {
			t.Errorf("detected at %s, want the signal's first arrival %s", inc.DetectedAt, s.FirstSeen)
		}
		path := "/api/v1/incidents/" + inc.ID

		// Bad input names the field and changes nothing.
		for _, c := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"detection": "pager"}, "detection"},
			{map[string]any{"detection": "chat_report", "detected_at": time.Now().Add(time.Hour).Format(time.RFC3339)}, "detected_at"},
			{map[string]any{"detected_at": inc.StartedAt.Add(-time.Hour).Format(time.RFC3339)}, "detected_at"},
			{map[string]any{"detected_at": "yesterday"}, "detected_at"},
		} {
			rep := f.call(t, admin, "PATCH", path, c.body)
			if rep.status != http.StatusBadRequest || !strings.Contains(rep.body, `"field":"`+c.field+`"`) {
				t.Errorf("PATCH %v: %d %s, want 400 naming %s", c.body, rep.status, rep.body, c.field)
			}
		}
		var same detectionDoc
		_ = json.Unmarshal([]byte(f.call(t, admin, "GET", path, nil).body), &same)
		if same.Detection != inc.Detection || !same.DetectedAt.Equal(inc.DetectedAt) {
			t.Fatalf("refused changes changed the incident: %+v", same)
		}

		// A real correction: a staff member saw it in chat a little later.
		at := inc.DetectedAt.Add(time.Second).Truncate(time.Second).Add(time.Second)
		rep = f.call(t, payResponder, "PATCH", path, map[string]any{"detection": "chat_report", "detected_at": at.Format(time.RFC3339)})
		var got detectionDoc
		if err := json.Unmarshal([]byte(rep.body), &got); err != nil || rep.status != http.StatusOK {
			t.Fatalf("PATCH detection: %d %s", rep.status, rep.body)
		}
		if got.Detection != "chat_report" || !got.DetectedAt.Equal(at) {
			t.Fatalf("after PATCH: %+v, want chat_report at %s", got, at)
		}
		tl := f.call(t, admin, "GET", path+"/timeline", nil)
		if !strings.Contains(tl.body, `"detection":"chat_report"`) || !strings.Contains(tl.body, "fields_changed") {
			t.Errorf("timeline lacks the change: %s", tl.body)
		}

		// The incident page shows it, and its form changes it.
		web := f.browser(t, payResponder)
		page := fetch(t, web, f.base+"/incidents/"+inc.ID).body
		if !strings.Contains(page, `<dd id="inc-detection">Staff report in chat</dd>`) || !strings.Contains(page, `id="detection-form"`) {
			t.Fatalf("incident page lacks detection:\n%s", clip(page))
		}
	})
}
