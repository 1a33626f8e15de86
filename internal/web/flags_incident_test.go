package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/flag"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// matrixSwitch is the checkout-api switch the permission matrix flips.
const matrixSwitch = "checkout.matrix"

func init() {
	// Reading follows the incident; flipping needs the write scope and a
	// payments responder role (or admin), and an incident the caller sees.
	// The first allowed caller flips it off; the others get a 409 (off
	// already): past the check.
	flipper := signedIn(func(c caller, vis incident.Visibility) outcome {
		switch {
		case c == payReadOnly:
			return deny
		case !canSee(c, vis):
			return hidden
		case is(c, payResponder, payManager, payBot, admin):
			return allow
		}
		return deny
	})
	matrix["GET /incidents/{ref}/flags"] = row{rule: readIncident, perIncident: true, path: incidentPath("/flags")}
	matrix["POST /incidents/{ref}/flags/{key}/flip"] = row{rule: flipper, perIncident: true,
		path: func(f *fixture, v incident.Visibility) string {
			ensureSwitch(f, matrixSwitch)
			return "/incidents/" + f.incident[v] + "/flags/" + matrixSwitch + "/flip"
		},
		body: jsonBody(map[string]any{"to": "off", "reason": "matrix"})}
}

// ensureSwitch creates a boolean switch of checkout-api (payments), on by
// default and off for iOS before 5.2.0, unless it exists.
func ensureSwitch(f *fixture, key string) flag.Switch {
	ctx := context.Background()
	op := auth.User{Name: auth.SystemActor, Role: auth.Admin, Scopes: []auth.Scope{auth.ScopeRead, auth.ScopeWrite}}
	if sw, err := f.srv.Flags.Store.GetSwitch(ctx, key); err == nil {
		return sw
	}
	sw, err := f.srv.Flags.Create(ctx, op, flag.Definition{Key: key, Service: "checkout-api", Type: flag.Boolean, DefaultVariant: "on",
		Rules: []flag.Rule{{Variant: "off", Conditions: []flag.Condition{
			{Attribute: "platform", Op: flag.OpEq, Value: "ios"},
			{Attribute: "appVersion", Op: flag.OpSemverLt, Value: "5.2.0"},
		}}}})
	if err != nil && fail.CodeOf(err) != fail.Conflict {
		panic(err)
	}
	return sw
}

func switchNow(t *testing.T, f *fixture, key string) flag.Switch {
	t.Helper()
	sw, err := f.srv.Flags.Store.GetSwitch(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return sw
}

// TestIncidentFlipAPI: an owning-team responder flips a switch of the
// incident's service through the API: the switch serves off, its revision
// names the incident, the timeline has a flag_flipped event and the audit
// log a flag.flip entry. Another team's responder and a viewer are refused
// with 403, a missing reason with 400 naming reason; none of them changes
// anything. A flip through /api/v1/flags naming the incident (as the CLI's
// --incident does) is on the timeline too, and an unknown incident there
// is a 400 naming incident.
func TestIncidentFlipAPI(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		f := startFixture(t, dbURL)
		ctx := context.Background()
		ref := f.incident[incident.Internal]
		ensureSwitch(f, "checkout.new-payment-sheet")
		flipPath := "/api/v1/incidents/" + ref + "/flags/checkout.new-payment-sheet/flip"
		before := switchNow(t, f, "checkout.new-payment-sheet")

		refusals := []struct {
			who    caller
			body   map[string]any
			status int
			field  string
		}{
			{otherTeam, map[string]any{"to": "off", "reason": "not mine"}, 403, ""},
			{viewer, map[string]any{"to": "off", "reason": "just looking"}, 403, ""},
			{payViewer, map[string]any{"to": "off", "reason": "team viewer"}, 403, ""},
			{payResponder, map[string]any{"to": "off"}, 400, "reason"},
			{payResponder, map[string]any{"to": "off", "reason": "   "}, 400, "reason"},
			{payResponder, map[string]any{"to": "sideways", "reason": "bad variant"}, 400, "to"},
		}
		for _, c := range refusals {
			r := f.call(t, c.who, "POST", flipPath, c.body)
			if r.status != c.status || (c.field != "" && !strings.Contains(r.body, `"field":"`+c.field+`"`)) {
				t.Fatalf("%s %v: got %d %s, want %d naming %q", c.who, c.body, r.status, r.body, c.status, c.field)
			}
			if !strings.HasPrefix(r.body, "{") || !strings.Contains(r.body, `"status":`) {
				t.Fatalf("%s: not a problem: %s", c.who, r.body)
			}
		}
		if after := switchNow(t, f, "checkout.new-payment-sheet"); after.Version != before.Version || after.Flipped() {
			t.Fatalf("refused flips changed the switch: %+v", after)
		}

		r := f.call(t, payResponder, "POST", flipPath, map[string]any{"to": "off", "reason": "payment sheet crashes on iOS"})
		if r.status != 200 {
			t.Fatalf("flip: %d %s", r.status, r.body)
		}
		sw := switchNow(t, f, "checkout.new-payment-sheet")
		if sw.State != "off" || sw.Incident != ref || sw.UpdatedBy != string(payResponder) {
			t.Fatalf("switch after the flip: %+v", sw)
		}
		op := auth.User{Name: auth.SystemActor, Role: auth.Admin}
		_, revs, err := f.srv.Flags.Get(ctx, op, sw.Key)
		if err != nil || revs[0].Kind != flag.KindFlip || revs[0].Incident != ref || revs[0].From != "default" || revs[0].To != "off" ||
			revs[0].Reason != "payment sheet crashes on iOS" || revs[0].Actor != string(payResponder) {
			t.Fatalf("revision: %+v %v", revs, err)
		}
		id, _ := incident.ParseRef(ref)
		events, err := f.srv.Incidents.Timeline(ctx, op, id, 0, 500)
		if err != nil {
			t.Fatal(err)
		}
		var flips []incident.Event
		for _, ev := range events {
			if ev.Kind == flag.EventFlipped {
				flips = append(flips, ev)
			}
		}
		if len(flips) != 1 || flips[0].Actor != string(payResponder) || flips[0].Data["key"] != sw.Key || flips[0].Data["to"] != "off" ||
			flips[0].Data["reason"] != "payment sheet crashes on iOS" {
			t.Fatalf("timeline flips: %+v", flips)
		}
		entries, err := f.srv.Users.Audit(ctx, f.admin(t), 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		var audited bool
		for _, e := range entries {
			audited = audited || (e.Action == flag.ActionFlip && e.Actor == string(payResponder) && e.Target == "flag:"+sw.Key)
		}
		if !audited {
			t.Fatalf("no flag.flip audit entry: %+v", entries)
		}

		// The switch API naming the incident, for a dependency's switch.
		op = auth.User{Name: auth.SystemActor, Role: auth.Admin, Scopes: []auth.Scope{auth.ScopeRead, auth.ScopeWrite}}
		if _, err := f.srv.Flags.Create(ctx, op, flag.Definition{Key: "auth.sso", Service: "auth", Type: flag.Boolean}); err != nil {
			t.Fatal(err)
		}
		if r := f.call(t, otherTeam, "POST", "/api/v1/flags/auth.sso/flip", map[string]any{"to": "off", "reason": "x", "incident": "INC-999"}); r.status != 400 || !strings.Contains(r.body, `"field":"incident"`) {
			t.Fatalf("an unknown incident: %d %s", r.status, r.body)
		}
		if r := f.call(t, otherTeam, "POST", "/api/v1/flags/auth.sso/flip", map[string]any{"to": "off", "reason": "sso loops", "incident": ref}); r.status != 200 {
			t.Fatalf("flip naming the incident: %d %s", r.status, r.body)
		}
		events, _ = f.srv.Incidents.Timeline(ctx, op, id, 0, 500)
		if last := events[len(events)-1]; last.Kind != flag.EventFlipped || last.Data["key"] != "auth.sso" || last.Actor != string(otherTeam) {
			t.Fatalf("the switch API's flip is not on the timeline: %+v", last)
		}

		var list struct {
			Mitigated bool
			Items     []flag.IncidentSwitch
		}
		r = f.call(t, payResponder, "GET", "/api/v1/incidents/"+ref+"/flags", nil)
		if err := json.Unmarshal([]byte(r.body), &list); err != nil || r.status != 200 {
			t.Fatalf("list: %d %s", r.status, r.body)
		}
		if len(list.Items) != 1 || list.Items[0].Key != sw.Key || !list.Items[0].FlippedHere || !list.Items[0].MayFlip || list.Items[0].OfferBack || list.Mitigated {
			t.Fatalf("list during the incident: %s", r.body)
		}
		if r := f.call(t, otherTeam, "GET", "/api/v1/incidents/"+ref+"/flags", nil); r.status != 200 || !strings.Contains(r.body, `"may_flip":false`) {
			t.Fatalf("another team's list: %d %s", r.status, r.body)
		}
		if _, err := f.srv.Incidents.SetStatus(ctx, f.admin(t), id, incident.Resolved, "fixed"); err != nil {
			t.Fatal(err)
		}
		r = f.call(t, payResponder, "GET", "/api/v1/incidents/"+ref+"/flags", nil)
		if !strings.Contains(r.body, `"offer_back":true`) || !strings.Contains(r.body, `"mitigated":true`) {
			t.Fatalf("list once resolved: %s", r.body)
		}
	})
}

// TestIncidentFlipPage: on the incident page a payments responder sees the
// switch with its targeting, flips it with a reason (a form without the
// session's token and one without a reason change nothing), the timeline
// says so in English and Korean, and once the incident is resolved the
// page offers to flip it back with the reason filled in, which works.
// Another team's responder sees no form and is refused.
func TestIncidentFlipPage(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		f := startFixture(t, dbURL)
		ctx := context.Background()
		ref := f.incident[incident.Internal]
		key := "checkout.new-payment-sheet"
		ensureSwitch(f, key)
		page := f.base + "/incidents/" + ref
		action := "/incidents/" + ref + "/flags/" + key + "/flip"
		post := func(c *http.Client, form url.Values, withToken bool) reply {
			t.Helper()
			if withToken {
				return postForm(t, c, page, f.base+action, form)
			}
			return postForm(t, c, "", f.base+action, form)
		}
		resp := f.browser(t, payResponder)
		body := fetch(t, resp, page).body
		if !strings.Contains(body, `id="switches"`) || !strings.Contains(body, "platform eq ios and appVersion semver_lt 5.2.0 → off") ||
			!strings.Contains(body, `action="`+action+`"`) || strings.Contains(body, "flip-back") {
			t.Fatalf("the page's switch section: %s", clip(body))
		}
		if r := post(resp, url.Values{"to": {"off"}, "reason": {"x"}}, false); r.status != 403 {
			t.Fatalf("a form without the session's token: %d", r.status)
		}
		if r := post(resp, url.Values{"to": {"off"}, "reason": {""}}, true); r.status != 400 || !strings.Contains(r.body, "reason: is required") {
			t.Fatalf("no reason: %d %s", r.status, clip(r.body))
		}
		other := f.browser(t, otherTeam)
		if b := fetch(t, other, page).body; strings.Contains(b, `action="`+action+`"`) || !strings.Contains(b, "Only responders of the owning team") {
			t.Fatalf("another team's page offers the form")
		}
		if r := post(other, url.Values{"to": {"off"}, "reason": {"mine now"}}, true); r.status == 200 && !strings.Contains(r.body, "responder role") {
			t.Fatalf("another team's flip: %d", r.status)
		}
		if sw := switchNow(t, f, key); sw.Flipped() {
			t.Fatalf("refused forms flipped it: %+v", sw)
		}

		r := post(resp, url.Values{"to": {"off"}, "reason": {"sheet crashes"}}, true)
		if r.status != 200 || !strings.Contains(r.body, "flipped kill switch "+key+" from its definition (default) to off — sheet crashes") {
			t.Fatalf("after the flip: %d %s", r.status, clip(r.body))
		}
		if !strings.Contains(r.body, "flipped to off") || strings.Contains(r.body, ">flag_flipped") {
			t.Fatalf("state or raw kind on the page: %s", clip(r.body))
		}
		req, _ := http.NewRequest("GET", page, nil)
		req.AddCookie(&http.Cookie{Name: "lang", Value: "ko"})
		kr, err := resp.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		kb, _ := io.ReadAll(kr.Body)
		kr.Body.Close()
		if !strings.Contains(string(kb), "킬 스위치 "+key+" 전환: 원래 정의 (기본) → off — sheet crashes") || !strings.Contains(string(kb), "off로 전환됨") {
			t.Fatalf("Korean page: %s", clip(string(kb)))
		}

		id, _ := incident.ParseRef(ref)
		if _, err := f.srv.Incidents.SetStatus(ctx, f.admin(t), id, incident.Resolved, "fixed"); err != nil {
			t.Fatal(err)
		}
		body = fetch(t, resp, page).body
		if !strings.Contains(body, `data-testid="flip-back-`+key+`"`) || !strings.Contains(body, `value="incident `+ref+` mitigated"`) {
			t.Fatalf("no flip-back offer once resolved: %s", clip(body))
		}
		if b := fetch(t, other, page).body; strings.Contains(b, "flip-back-"+key) {
			t.Fatal("another team is offered the flip back")
		}
		r = post(resp, url.Values{"to": {"default"}, "reason": {"incident " + ref + " mitigated"}}, true)
		if r.status != 200 || strings.Contains(r.body, `data-testid="flip-back-`) {
			t.Fatalf("flip back: %d %s", r.status, clip(r.body))
		}
		if sw := switchNow(t, f, key); sw.Flipped() || sw.Version != 3 {
			t.Fatalf("after the flip back: %+v", sw)
		}
	})
}
