package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/teamtarget"
	"github.com/firebreak-oss/firebreak/internal/testutil"
	"github.com/firebreak-oss/firebreak/internal/web/api"
)

// spareTarget adds a payments target for the matrix's removal route to
// remove.
func spareTarget(f *fixture, _ incident.Visibility) string {
	t, err := f.srv.TeamTargets.Add(context.Background(), auth.User{Name: auth.SystemActor, Role: auth.Admin}, "payments",
		teamtarget.Input{Channel: "slack", Address: "#matrix-spare"})
	if err != nil {
		panic(fmt.Sprintf("spare team target: %v", err))
	}
	return fmt.Sprintf("/teams/payments/targets/%d", t.ID)
}

// TestTeamTargetsAPI: a payments responder adds targets and removes one;
// each change is in the audit log with actor and before/after, the secret
// never shows; bad input is refused naming the field and stores nothing;
// another team's responder is refused; the targets are in the preview.
func TestTeamTargetsAPI(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) { testTeamTargetsAPI(t, startFixture(t, dbURL)) })
}

func testTeamTargetsAPI(t *testing.T, f *fixture) {
	path := api.Prefix + "/teams/payments/targets"
	list := func() []map[string]any {
		t.Helper()
		got := f.call(t, viewer, "GET", path, nil)
		var body struct{ Items []map[string]any }
		if got.status != 200 || json.Unmarshal([]byte(got.body), &body) != nil {
			t.Fatalf("list: %d %s", got.status, got.body)
		}
		return body.Items
	}
	bad := []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"channel": "pager", "address": "x"}, "channel"},
		{map[string]any{"channel": "email", "address": "not-an-address"}, "address"},
		{map[string]any{"channel": "email", "address": "Ops <ops@example.com>"}, "address"},
		{map[string]any{"channel": "webhook", "address": "http://hooks.example.com/x", "secret": "s3cret-s3cret"}, "address"},
		{map[string]any{"channel": "webhook", "address": "https://hooks.example.com/x"}, "secret"},
		{map[string]any{"channel": "mattermost", "address": "ftp://chat.example.com/hooks/x"}, "address"},
		{map[string]any{"channel": "slack", "address": "#ops", "secret": "x"}, "secret"},
		{map[string]any{"channel": "slack", "address": "#ops", "lang": "fr"}, "lang"},
		{map[string]any{"channel": "slack", "address": "#ops", "from_grade": "SEV9"}, "from_grade"},
		{map[string]any{"channel": "teams", "address": "https://x.webhook.office.com/a"}, "address"},
		{map[string]any{"channel": "lineworks", "address": "no-such-room"}, "address"}, // not in the notify config
	}
	for _, b := range bad {
		got := f.call(t, payResponder, "POST", path, b.body)
		var p struct{ Field string }
		_ = json.Unmarshal([]byte(got.body), &p)
		if got.status != 400 || p.Field != b.field {
			t.Errorf("%v: got %d field %q, want 400 naming %q: %s", b.body, got.status, p.Field, b.field, got.body)
		}
	}
	if items := list(); len(items) != 0 {
		t.Fatalf("bad input stored targets: %v", items)
	}
	if got := f.call(t, otherTeam, "POST", path, map[string]any{"channel": "email", "address": "plat@example.com"}); got.status != 403 {
		t.Fatalf("another team's responder: %d %s", got.status, got.body)
	}
	if got := f.call(t, payResponder, "POST", api.Prefix+"/teams/nosuch/targets", map[string]any{"channel": "email", "address": "a@example.com"}); got.status != 404 {
		t.Fatalf("unknown team: %d %s", got.status, got.body)
	}

	hook := map[string]any{"channel": "webhook", "address": "http://127.0.0.1:9/hook", "secret": "team-hook-secret-1", "from_grade": "SEV2", "lang": "ko"}
	got := f.call(t, payResponder, "POST", path, hook)
	if got.status != 201 || strings.Contains(got.body, "team-hook-secret-1") || !strings.Contains(got.body, `"has_secret":true`) {
		t.Fatalf("add webhook: %d %s", got.status, got.body)
	}
	var added struct {
		ID int64 `json:"id"`
	}
	_ = json.Unmarshal([]byte(got.body), &added)
	if got := f.call(t, payManager, "POST", path, map[string]any{"channel": "email", "address": "payments-leads@example.com"}); got.status != 201 {
		t.Fatalf("add e-mail: %d %s", got.status, got.body)
	}
	if got := f.call(t, payManager, "POST", path, map[string]any{"channel": "email", "address": "payments-leads@example.com"}); got.status != 409 {
		t.Fatalf("the same address twice: %d %s", got.status, got.body)
	}
	items := list()
	if len(items) != 2 || strings.Contains(fmt.Sprint(items), "team-hook-secret-1") || items[0]["from_grade"] != "SEV2" {
		t.Fatalf("list: %v", items)
	}

	// The preview of a SEV3 on checkout-api (payments) names the e-mail
	// target; the webhook, from SEV2, comes with SEV2.
	preview := func(grade string) string {
		got := f.call(t, viewer, "POST", api.Prefix+"/policy/preview", map[string]any{"grade": grade, "services": []string{"checkout-api"}})
		if got.status != 200 {
			t.Fatalf("preview: %d %s", got.status, got.body)
		}
		return got.body
	}
	if p := preview("SEV3"); !strings.Contains(p, "payments-leads@example.com") || strings.Contains(p, "127.0.0.1:9/hook") {
		t.Fatalf("SEV3 preview: %s", p)
	}
	if p := preview("SEV2"); !strings.Contains(p, "127.0.0.1:9/hook") {
		t.Fatalf("SEV2 preview lacks the team's webhook: %s", p)
	}

	del := fmt.Sprintf("%s/%d", path, added.ID)
	if got := f.call(t, otherTeam, "DELETE", del, nil); got.status != 403 {
		t.Fatalf("another team removes: %d %s", got.status, got.body)
	}
	if got := f.call(t, payResponder, "DELETE", api.Prefix+"/teams/platform/targets/"+fmt.Sprint(added.ID), nil); got.status != 403 {
		t.Fatalf("payments responder removes in platform: %d %s", got.status, got.body)
	}
	if got := f.call(t, payResponder, "DELETE", del, nil); got.status != 200 {
		t.Fatalf("remove: %d %s", got.status, got.body)
	}
	if got := f.call(t, payResponder, "DELETE", del, nil); got.status != 409 {
		t.Fatalf("remove twice: %d %s", got.status, got.body)
	}
	if items := list(); len(items) != 1 || items[0]["address"] != "payments-leads@example.com" {
		t.Fatalf("after removing: %v", items)
	}

	entries, err := f.srv.Users.Audit(context.Background(), auth.User{Role: auth.Admin}, 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	var adds, removes []auth.AuditEntry
	for _, e := range entries {
		switch e.Action {
		case teamtarget.ActionAdd:
			adds = append(adds, e)
		case teamtarget.ActionRemove:
			removes = append(removes, e)
		}
	}
	if len(adds) != 2 || len(removes) != 1 {
		t.Fatalf("audit: %d adds, %d removes, want 2 and 1", len(adds), len(removes))
	}
	r := removes[0]
	if r.Actor != string(payResponder) || r.Target != "team:payments" || string(r.After) != "null" ||
		!strings.Contains(string(r.Before), "127.0.0.1:9/hook") || strings.Contains(string(r.Before), "team-hook-secret-1") {
		t.Fatalf("removal entry: %+v before=%s after=%s", r, r.Before, r.After)
	}
	last := adds[len(adds)-1] // the first add: newest first
	if last.Actor != string(payResponder) || string(last.Before) != "null" || !strings.Contains(string(last.After), fmt.Sprintf(`"id":%d`, added.ID)) {
		t.Fatalf("add entry: %+v before=%s after=%s", last, last.Before, last.After)
	}
}

// TestTeamTargetsPage: on the web a payments responder adds a target (the
// form keeps what was typed when refused, never the secret) and removes it;
// a form without the session's token changes nothing; someone of another
// team sees the list without the form and is refused; the page speaks
// Korean; the timeline names members not told.
func TestTeamTargetsPage(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		f := startFixture(t, dbURL)
		page := f.base + "/teams/payments/targets"
		post := func(c *http.Client, action string, form url.Values, withToken bool) reply {
			t.Helper()
			if withToken {
				return postForm(t, c, page, f.base+action, form)
			}
			return postForm(t, c, "", f.base+action, form)
		}
		resp := f.browser(t, payResponder)
		if r := fetch(t, resp, f.base+"/teams"); !strings.Contains(r.body, `href="/teams/payments/targets"`) {
			t.Fatalf("the teams page does not link the targets: %s", clip(r.body))
		}
		bad := url.Values{"channel": {"webhook"}, "address": {"http://hooks.example.com/x"}, "secret": {"typed-secret-xyz"}}
		if r := post(resp, "/teams/payments/targets", bad, true); r.status != 400 || !strings.Contains(r.body, "address: must use https") ||
			!strings.Contains(r.body, `value="http://hooks.example.com/x"`) || strings.Contains(r.body, "typed-secret-xyz") {
			t.Fatalf("refused form: %d %s", r.status, clip(r.body))
		}
		good := url.Values{"channel": {"email"}, "address": {"pay-web@example.com"}, "from_grade": {"SEV2"}, "lang": {"ko"}}
		if r := post(resp, "/teams/payments/targets", good, false); r.status != 403 {
			t.Fatalf("a form without the session's token: %d", r.status)
		}
		if ts, _ := f.srv.TeamTargets.List(context.Background(), auth.User{}, "payments"); len(ts) != 0 {
			t.Fatalf("refused forms stored %v", ts)
		}
		r := post(resp, "/teams/payments/targets", good, true)
		if r.status != 200 || !strings.Contains(r.body, "<td>pay-web@example.com</td>") || !strings.Contains(r.body, "<td>SEV2</td>") {
			t.Fatalf("add on the web: %d %s", r.status, clip(r.body))
		}
		ts, _ := f.srv.TeamTargets.List(context.Background(), auth.User{}, "payments")
		if len(ts) != 1 || ts[0].CreatedBy != string(payResponder) || ts[0].Lang != "ko" {
			t.Fatalf("stored %+v", ts)
		}
		remove := fmt.Sprintf("/teams/payments/targets/%d/remove", ts[0].ID)

		other := f.browser(t, otherTeam)
		if r := fetch(t, other, page); r.status != 200 || !strings.Contains(r.body, "pay-web@example.com") || strings.Contains(r.body, `action="/teams/payments/targets"`) {
			t.Fatalf("another team's view: %d (must list, without the form)", r.status)
		}
		if r := post(other, remove, url.Values{}, true); r.status != 403 {
			t.Fatalf("another team removed: %d", r.status)
		}
		req, _ := http.NewRequest("GET", page, nil)
		req.AddCookie(&http.Cookie{Name: "lang", Value: "ko"})
		kr, err := resp.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		kb, _ := io.ReadAll(kr.Body)
		kr.Body.Close()
		if !strings.Contains(string(kb), "payments 팀 알림 대상") || !strings.Contains(string(kb), "이메일") {
			t.Fatalf("Korean page: %s", clip(string(kb)))
		}
		if r := post(resp, remove, url.Values{}, true); r.status != 200 || strings.Contains(r.body, "<td>pay-web@example.com</td>") {
			t.Fatalf("remove on the web: %d %s", r.status, clip(r.body))
		}
		if r := post(resp, remove, url.Values{}, true); r.status != 400 || !strings.Contains(r.body, "removed already") {
			t.Fatalf("remove twice: %d %s", r.status, clip(r.body))
		}

		// The fixture's restricted incident has members without an address:
		// its page says they could not be told.
		mem := f.browser(t, member)
		incPage := f.base + "/incidents/" + strings.TrimPrefix(f.incident[incident.Restricted], "INC-")
		deadline := time.Now().Add(30 * time.Second)
		for {
			r := fetch(t, mem, incPage)
			if r.status == 200 && strings.Contains(r.body, "could not tell") && strings.Contains(r.body, "no e-mail address") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the restricted incident's page does not say who was not told: %d %s", r.status, clip(r.body))
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}

// TestRestrictedPreview: the preview of a restricted declaration names no
// team, only its members with an address, and says who could not be told,
// in the API and on the declare form.
func TestRestrictedPreview(t *testing.T) {
	f := startFixture(t, testutil.SQLiteURL(t))
	got := f.call(t, payResponder, "POST", api.Prefix+"/policy/preview",
		map[string]any{"grade": "SEV1", "services": []string{"checkout-api"}, "visibility": "restricted", "roles": map[string]string{"resolver": "member"}})
	var res struct {
		Messages []any    `json:"messages"`
		NotTold  []string `json:"not_told"`
	}
	if err := json.Unmarshal([]byte(got.body), &res); err != nil || got.status != 200 || len(res.Messages) != 0 ||
		strings.Join(res.NotTold, ",") != "pay-resp,member" {
		t.Fatalf("restricted preview: %d %s", got.status, got.body)
	}
	c := f.browser(t, payResponder)
	body := fetch(t, c, f.base+"/incidents/new").body
	csrf := csrfRE.FindStringSubmatch(body)[1]
	resp, err := c.PostForm(f.base+"/incidents", url.Values{"csrf": {csrf}, "title": {"x"}, "grade": {"SEV1"}, "services": {"checkout-api"},
		"visibility": {"restricted"}, "action": {"preview"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "Not told (no e-mail address): pay-resp") {
		t.Fatalf("the declare form's preview: %s", clip(string(b)))
	}
}
