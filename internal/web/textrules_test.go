package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/testutil"
	"github.com/firebreak-oss/firebreak/internal/web/api"
)

// TestTextRules: the API and the web form refuse NUL and other control
// characters, invalid UTF-8 (never repaired) and bidi overrides in titles
// with a 400 naming the field, and store nothing — on both databases
// (PostgreSQL could not store NUL at all, so SQLite must refuse it too).
func TestTextRules(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		f := startFixture(t, dbURL)
		raw := func(method, path, body string) reply {
			t.Helper()
			req, _ := http.NewRequest(method, f.base+api.Prefix+path, bytes.NewReader([]byte(body)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+f.tokens[admin])
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return reply{resp.StatusCode, string(b)}
		}
		declare := `{"grade": "SEV4", "services": ["checkout-api"], `
		for _, tc := range []struct {
			name, method, path, body, field string
		}{
			{"NUL in a title", "POST", "/incidents", declare + `"title": "disk\u0000full"}`, "title"},
			{"newline in a title", "POST", "/incidents", declare + `"title": "disk\nfull"}`, "title"},
			{"RLO in a title", "POST", "/incidents", declare + `"title": "invoice \u202efdp.exe"}`, "title"},
			{"LRI in a title", "POST", "/incidents", declare + `"title": "a\u2066b"}`, "title"},
			{"ESC in a summary", "POST", "/incidents", declare + `"title": "ok", "summary": "\u001b[31mred"}`, "summary"},
			{"invalid UTF-8 in a title", "POST", "/incidents", declare + "\"title\": \"disk\xff\"}", "title"},
			{"invalid UTF-8 in a label", "POST", "/incidents", declare + "\"title\": \"ok\", \"labels\": {\"team\": \"pay\xc3\x28\"}}", "labels.team"},
			{"NUL in a label", "POST", "/incidents", declare + `"title": "ok", "labels": {"team": "a\u0000"}}`, "labels.team"},
			{"control in a cause tag", "POST", "/incidents", declare + `"title": "ok", "cause_tags": ["deploy", "a\u0007"]}`, "cause_tags[1]"},
			{"NUL in a note", "POST", "/incidents/" + f.incident["internal"] + "/notes", `{"text": "a\u0000b"}`, "text"},
			{"NUL in a status update", "POST", "/incidents/" + f.incident["internal"] + "/updates", `{"text": "a\u0000b"}`, "text"},
			{"NUL in a PATCHed title", "PATCH", "/incidents/" + f.incident["internal"], `{"title": "a\u0000b"}`, "title"},
		} {
			before := countIncidents(t, f)
			got := raw(tc.method, tc.path, tc.body)
			var p struct{ Field string }
			_ = json.Unmarshal([]byte(got.body), &p)
			if got.status != 400 || p.Field != tc.field {
				t.Errorf("%s: %d %s, want 400 naming %s", tc.name, got.status, clip(got.body), tc.field)
			}
			if after := countIncidents(t, f); after != before {
				t.Errorf("%s: an incident was stored", tc.name)
			}
		}
		if inc := f.lookup(t, f.incident["internal"]); strings.ContainsRune(inc.Title, 0) {
			t.Errorf("the PATCH changed the title: %q", inc.Title)
		}
		// Multi-line text with tabs is fine.
		if got := raw("POST", "/incidents/"+f.incident["internal"]+"/notes", `{"text": "line 1\r\n\tline 2"}`); got.status != 201 && got.status != 200 {
			t.Errorf("a multi-line note: %d %s", got.status, clip(got.body))
		}

		// The web form.
		before := countIncidents(t, f)
		web := f.browser(t, admin)
		page := fetch(t, web, f.base+"/incidents/new").body
		form := url.Values{"csrf": {csrfRE.FindStringSubmatch(page)[1]},
			"title": {"web \u202e title"}, "grade": {"SEV3"}, "services": {"checkout-api"}, "visibility": {"internal"}}
		resp, err := web.PostForm(f.base+"/incidents", form)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 400 || !strings.Contains(string(body), "title: holds a bidirectional control character") {
			t.Errorf("web form with RLO in the title: %d %s", resp.StatusCode, clip(string(body)))
		}
		if after := countIncidents(t, f); after != before {
			t.Errorf("the refused web form stored an incident")
		}
	})
}
