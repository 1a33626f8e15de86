package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/testutil"
	"github.com/firebreak-oss/firebreak/internal/web/api"
)

// stateTables are counted before and after each refused request: a refusal
// must add nothing to any of them. (The timeline is left out: deliveries
// of the fixture's own incidents land on it in the background.)
var stateTables = []string{"incidents", "action_items", "api_tokens", "team_targets", "report_revisions", "retrospectives",
	"team_members", "flags"}

// snapshot counts the rows of stateTables and records the fields of the
// fixture's internal incident and of its action item that the refused
// requests below try to change.
func (f *fixture) snapshot(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, table := range stateTables {
		var n int
		if err := f.srv.DB.SQL.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		b.WriteString(table + "=" + itoa(int64(n)) + " ")
	}
	inc := f.lookup(t, f.incident["internal"])
	b.WriteString("status=" + string(inc.Status) + " grade=" + inc.Grade.String() + " visibility=" + string(inc.Visibility) + " ")
	it := f.call(t, admin, "GET", api.Prefix+"/action-items/"+f.item["internal"], nil)
	var got struct {
		Item struct {
			Title, Description, Status, Category, Term, TaskForce string
			DueAt                                                 time.Time `json:"due_at"`
		} `json:"action_item"`
	}
	if err := json.Unmarshal([]byte(it.body), &got); err != nil {
		t.Fatalf("read the action item: %v %s", err, it.body)
	}
	b.WriteString(got.Item.Title + "|" + got.Item.Description + "|" + got.Item.Status + "|" + got.Item.Category + "|" +
		got.Item.Term + "|" + got.Item.TaskForce + "|" + got.Item.DueAt.UTC().Format(time.RFC3339))
	return b.String()
}

// inputCase is one refused request: sent as JSON to the API (body is the
// raw JSON text, so invalid UTF-8 can be sent), or as a form to the web UI
// when form is set, or a GET when body and form are empty.
type inputCase struct {
	name, method, path string
	body               string
	form               url.Values
	field              string // the field the 400 must name
}

// TestInputRules: each input rule of #17 — due dates, enumerations (lang
// among them), and the text rules on action items, reviews, task forces,
// report sections, team targets and token labels — answers 400 naming the
// field and changes nothing, on both databases. (Declaration text, caps
// and base_revision: TestTextRules and TestLimits.)
func TestInputRules(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		f := startFixture(t, dbURL)
		inc := "/incidents/" + f.incident["internal"]
		item := "/action-items/" + f.item["internal"]
		future := time.Now().AddDate(11, 0, 0).Format("2006-01-02")
		newItem := func(extra string) string {
			return `{"title": "Add a checklist to the PR template", "category": "prevent", "term": "short", "owner": "member", "due_at": "2027-01-15", "tracker": "none"` + extra + `}`
		}
		declare := func(extra string) string {
			return `{"title": "enums", "grade": "SEV4", "services": ["checkout-api"]` + extra + `}`
		}
		cases := []inputCase{
			// Due dates: not before 2000-01-01, not more than 10 years ahead.
			{name: "due date in 1999", method: "POST", path: inc + "/action-items", body: strings.Replace(newItem(""), "2027-01-15", "1999-12-31", 1), field: "due_at"},
			{name: "due date 11 years ahead", method: "POST", path: inc + "/action-items", body: strings.Replace(newItem(""), "2027-01-15", future, 1), field: "due_at"},
			{name: "due date at the epoch", method: "POST", path: inc + "/action-items", body: strings.Replace(newItem(""), `"2027-01-15"`, `"1970-01-01T00:00:00Z"`, 1), field: "due_at"},
			{name: "PATCHed due date in year 1", method: "PATCH", path: item, body: `{"due_at": "0001-01-01"}`, field: "due_at"},
			{name: "PATCHed due date 11 years ahead", method: "PATCH", path: item, body: `{"due_at": "` + future + `"}`, field: "due_at"},

			// lang, wherever it is accepted.
			{name: "lang in a query", method: "GET", path: "/incidents?lang=kr", field: "lang"},
			{name: "lang on the report template", method: "GET", path: "/report-template?lang=jp", field: "lang"},
			{name: "lang on an export", method: "GET", path: inc + "/report/export?format=md&lang=de", field: "lang"},
			{name: "lang of a new action item", method: "POST", path: inc + "/action-items", body: newItem(`, "lang": "kr"`), field: "lang"},
			{name: "lang of the vague check", method: "POST", path: "/action-items/check", body: `{"title": "be careful", "lang": "english"}`, field: "lang"},
			{name: "lang of an import", method: "POST", path: inc + "/report/import", body: `{"markdown": "## Summary\n\nx", "lang": "fr"}`, field: "lang"},
			{name: "lang of a report start", method: "POST", path: "/incidents/" + f.incident["public"] + "/report", body: `{"lang": "fr"}`, field: "lang"},
			{name: "lang of a team target", method: "POST", path: "/teams/payments/targets", body: `{"channel": "email", "address": "pay@example.com", "lang": "jp"}`, field: "lang"},

			// The other enumerations.
			{name: "grade", method: "POST", path: "/incidents", body: declare(`, "grade": "SEV9"`), field: "grade"},
			{name: "visibility", method: "POST", path: "/incidents", body: declare(`, "visibility": "secret"`), field: "visibility"},
			{name: "detection source", method: "POST", path: "/incidents", body: declare(`, "detection": "psychic"`), field: "detection"},
			{name: "status", method: "POST", path: inc + "/status", body: `{"status": "sleeping"}`, field: "status"},
			{name: "role", method: "POST", path: inc + "/roles", body: `{"role": "boss", "user": "member"}`, field: "role"},
			{name: "PATCHed grade", method: "PATCH", path: inc, body: `{"grade": "SEV0"}`, field: "grade"},
			{name: "PATCHed visibility", method: "PATCH", path: inc, body: `{"visibility": "everyone"}`, field: "visibility"},
			{name: "category", method: "POST", path: inc + "/action-items", body: strings.Replace(newItem(""), `"prevent"`, `"misc"`, 1), field: "category"},
			{name: "term", method: "POST", path: inc + "/action-items", body: strings.Replace(newItem(""), `"short"`, `"forever"`, 1), field: "term"},
			{name: "stage", method: "POST", path: inc + "/action-items", body: newItem(`, "stage": "board"`), field: "stage"},
			{name: "tracker", method: "POST", path: inc + "/action-items", body: strings.Replace(newItem(""), `"none"`, `"trello"`, 1), field: "tracker"},
			{name: "item status", method: "PATCH", path: item, body: `{"status": "paused"}`, field: "status"},
			{name: "term filter", method: "GET", path: "/action-items?term=forever", field: "term"},
			{name: "category filter", method: "GET", path: "/action-items?category=misc", field: "category"},
			{name: "triage filter", method: "GET", path: "/signals?triage=maybe", field: "triage"},
			{name: "export format", method: "GET", path: inc + "/report/export?format=pdf", field: "format"},
			{name: "board grouping", method: "GET", path: "/action-items/board?group=colour", field: "group"},
			{name: "token scope", method: "POST", path: "/tokens", body: `{"scopes": ["root"]}`, field: "scopes"},
			{name: "team role", method: "PUT", path: "/users/viewer/teams/payments", body: `{"role": "owner"}`, field: "role"},
			{name: "organisation role", method: "PUT", path: "/users/viewer/role", body: `{"role": "king"}`, field: "role"},
			{name: "target channel", method: "POST", path: "/teams/payments/targets", body: `{"channel": "fax", "address": "123"}`, field: "channel"},
			{name: "target from_grade", method: "POST", path: "/teams/payments/targets", body: `{"channel": "email", "address": "pay@example.com", "from_grade": "SEV0"}`, field: "from_grade"},
			{name: "review stage", method: "PUT", path: inc + "/review/board", body: `{"notes": "x"}`, field: "stage"},

			// The text rules on the paths the first pass left.
			{name: "NUL in an item title", method: "POST", path: inc + "/action-items", body: strings.Replace(newItem(""), "PR template", `PR\u0000template`, 1), field: "title"},
			{name: "RLO in an item title", method: "POST", path: inc + "/action-items", body: strings.Replace(newItem(""), "PR template", `PR \u202etemplate`, 1), field: "title"},
			{name: "invalid UTF-8 in an item description", method: "POST", path: inc + "/action-items", body: newItem(`, "description": "bad ` + "\xff" + `"`), field: "description"},
			{name: "ESC in a PATCHed item description", method: "PATCH", path: item, body: `{"description": "\u001b[2J"}`, field: "description"},
			{name: "NUL in a PATCHed task force", method: "PATCH", path: item, body: `{"task_force": "a\u0000"}`, field: "task_force"},
			{name: "NUL in review notes", method: "PUT", path: inc + "/review/team", body: `{"notes": "a\u0000b"}`, field: "notes"},
			{name: "C0 in a review narrative", method: "PUT", path: inc + "/review/team", body: `{"narrative": {"chain": "a\u0008b"}}`, field: "narrative.chain"},
			{name: "NUL in a task force name", method: "POST", path: "/task-forces", body: `{"name": "tf\u0000", "items": [` + f.item["internal"] + `]}`, field: "name"},
			{name: "NUL in a report section", method: "PUT", path: inc + "/report", body: `{"base_revision": 1, "sections": {"summary": "a\u0000b"}}`, field: "sections.summary"},
			{name: "NUL in a team target secret", method: "POST", path: "/teams/payments/targets", body: `{"channel": "webhook", "address": "https://hooks.example.com/x", "secret": "s\u0000"}`, field: "secret"},
			{name: "ESC in a token label", method: "POST", path: "/tokens", body: `{"label": "\u001b]0;x", "scopes": ["read"]}`, field: "label"},
		}
		web := f.browser(t, admin)
		page := fetch(t, web, f.base+"/incidents/"+f.incident["internal"]).body
		csrf := csrfRE.FindStringSubmatch(page)[1]
		form := func(kv ...string) url.Values {
			v := url.Values{"csrf": {csrf}}
			for i := 0; i+1 < len(kv); i += 2 {
				v.Set(kv[i], kv[i+1])
			}
			return v
		}
		itemForm := func(k, v string) url.Values {
			fv := form("title", "Add a checklist", "category", "prevent", "term", "short", "owner", "member", "due_at", "2027-01-15", "tracker", "none")
			fv.Set(k, v)
			return fv
		}
		cases = append(cases,
			inputCase{name: "web: due date 11 years ahead", method: "POST", path: "/incidents/" + f.incident["internal"] + "/action-items", form: itemForm("due_at", future), field: "due_at"},
			inputCase{name: "web: due date in 1999", method: "POST", path: "/incidents/" + f.incident["internal"] + "/action-items", form: itemForm("due_at", "1999-01-01"), field: "due_at"},
			inputCase{name: "web: NUL in an item title", method: "POST", path: "/incidents/" + f.incident["internal"] + "/action-items", form: itemForm("title", "a\x00b"), field: "title"},
			inputCase{name: "web: edited due date in 2100", method: "POST", path: "/action-items/" + f.item["internal"], form: form("owner", "member", "due_at", "2100-01-01"), field: "due_at"},
			inputCase{name: "web: unknown language", method: "POST", path: "/lang", form: form("lang", "jp", "next", "/"), field: "lang"},
			inputCase{name: "web: team target lang", method: "POST", path: "/teams/payments/targets", form: form("channel", "email", "address", "pay@example.com", "lang", "jp"), field: "lang"},
			inputCase{name: "web: team target NUL secret", method: "POST", path: "/teams/payments/targets", form: form("channel", "webhook", "address", "https://hooks.example.com/x", "secret", "a\x00"), field: "secret"},
			inputCase{name: "web: review notes with ESC", method: "POST", path: "/incidents/" + f.incident["internal"] + "/review/team", form: form("notes", "\x1b[31m"), field: "notes"},
			inputCase{name: "web: report section with NUL", method: "POST", path: "/incidents/" + f.incident["internal"] + "/report/edit", form: form("base_revision", "1", "s.summary", "a\x00b"), field: "sections.summary"},
			inputCase{name: "status page: unknown language", method: "GET", path: "/status?lang=jp", field: "lang"},
		)

		for _, tc := range cases {
			before := f.snapshot(t)
			got := f.sendInput(t, web, tc)
			switch {
			case strings.HasPrefix(tc.name, "web: "):
				// The web UI answers with its error page naming the field.
				if got.status != 400 || !strings.Contains(got.body, tc.field+":") {
					t.Errorf("%s: %d %s, want 400 naming %s", tc.name, got.status, clip(got.body), tc.field)
				}
			default:
				var p struct{ Field string }
				_ = json.Unmarshal([]byte(got.body), &p)
				if got.status != 400 || p.Field != tc.field {
					t.Errorf("%s: %d %s, want 400 naming %s", tc.name, got.status, clip(got.body), tc.field)
				}
			}
			if after := f.snapshot(t); after != before {
				t.Errorf("%s: something changed:\n%s\n%s", tc.name, before, after)
			}
		}

		// The bounds themselves are accepted: a due date 9 years ahead.
		ok := f.call(t, admin, "PATCH", api.Prefix+item, map[string]string{"due_at": time.Now().AddDate(9, 0, 0).Format("2006-01-02")})
		if ok.status != 200 {
			t.Errorf("a due date 9 years ahead: %d %s", ok.status, clip(ok.body))
		}
	})
}

// sendInput sends one case as the admin: to the API with the admin's
// token, or as a form through the signed-in browser.
func (f *fixture) sendInput(t *testing.T, web *http.Client, tc inputCase) reply {
	t.Helper()
	var req *http.Request
	switch {
	case tc.form != nil:
		req, _ = http.NewRequest(tc.method, f.base+tc.path, strings.NewReader(tc.form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	case strings.HasPrefix(tc.path, "/status"):
		req, _ = http.NewRequest(tc.method, f.base+tc.path, nil)
	default:
		req, _ = http.NewRequest(tc.method, f.base+api.Prefix+tc.path, bytes.NewReader([]byte(tc.body)))
		if tc.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		req.Header.Set("Authorization", "Bearer "+f.tokens[admin])
	}
	resp, err := web.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, string(b)}
}
