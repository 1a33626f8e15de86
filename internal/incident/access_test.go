package incident_test

import (
	"testing"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

type owners map[string]string

func (o owners) TeamOf(s string) string { return o[s] }

func TestDecide(t *testing.T) {
	own := owners{"checkout-api": "payments", "auth": "platform"}
	team := func(name string, role auth.Role, team string, tr auth.TeamRole) auth.User {
		return auth.User{Name: name, Role: role, Teams: []auth.Membership{{Team: team, Role: tr}}}
	}
	var (
		viewer     = auth.User{Name: "vic", Role: auth.Viewer}
		payResp    = team("pia", auth.Viewer, "payments", auth.TeamResponder)
		payMgr     = team("max", auth.Viewer, "payments", auth.TeamManager)
		platResp   = team("pat", auth.Viewer, "platform", auth.TeamResponder)
		orgResp    = auth.User{Name: "ora", Role: auth.Responder}
		admin      = auth.User{Name: "ada", Role: auth.Admin}
		readOnly   = func(u auth.User) auth.User { u.Scopes = []auth.Scope{auth.ScopeRead}; return u }
		bot        = auth.TeamBot("payments", []auth.Scope{auth.ScopeRead, auth.ScopeWrite})
		internal   = &incident.Incident{Visibility: incident.Internal, Services: []string{"checkout-api"}, Members: []string{"pat"}}
		restricted = &incident.Incident{Visibility: incident.Restricted, Services: []string{"checkout-api"}, Members: []string{"pat"}}
	)
	type want struct{ visible, allowed, override bool }
	for _, tc := range []struct {
		name string
		u    auth.User
		a    incident.Action
		inc  *incident.Incident
		want want
	}{
		{"viewer reads internal", viewer, incident.Read, internal, want{true, true, false}},
		{"viewer may not change", viewer, incident.Change, internal, want{true, false, false}},
		{"viewer may not know restricted", viewer, incident.Read, restricted, want{false, false, false}},
		{"owning team's responder changes", payResp, incident.Change, internal, want{true, true, false}},
		{"owning team's responder with a read token", readOnly(payResp), incident.Change, internal, want{true, false, false}},
		{"owning team's responder, restricted, not a member", payResp, incident.Read, restricted, want{false, false, false}},
		{"responder may not set visibility", payResp, incident.ChangeVisibility, internal, want{true, false, false}},
		{"owning team's manager sets visibility", payMgr, incident.ChangeVisibility, internal, want{true, true, false}},
		{"member who responds elsewhere changes", platResp, incident.Change, internal, want{true, true, false}},
		{"member sees restricted", platResp, incident.Read, restricted, want{true, true, false}},
		{"member may not set visibility", platResp, incident.ChangeVisibility, restricted, want{true, false, false}},
		{"organisation responder changes", orgResp, incident.Change, internal, want{true, true, false}},
		{"team token changes its team's incident", bot, incident.Change, internal, want{true, true, false}},
		{"team token may not know restricted", bot, incident.Read, restricted, want{false, false, false}},
		{"admin changes: an override", admin, incident.Change, internal, want{true, true, true}},
		{"admin sets visibility of restricted: an override", admin, incident.ChangeVisibility, restricted, want{true, true, true}},
		{"admin reads restricted: an override", admin, incident.Read, restricted, want{true, true, true}},
		{"admin reads internal", admin, incident.Read, internal, want{true, true, false}},
		{"viewer may not declare", viewer, incident.Declare, nil, want{true, false, false}},
		{"any team's responder declares", platResp, incident.Declare, nil, want{true, true, false}},
		{"read token may not declare", readOnly(orgResp), incident.Declare, nil, want{true, false, false}},
	} {
		d := incident.Decide(tc.u, tc.a, tc.inc, own)
		if got := (want{d.Visible, d.Allowed, d.Override}); got != tc.want {
			t.Errorf("%s: got %+v, want %+v (%s)", tc.name, got, tc.want, d.Reason)
		}
		if !d.Allowed && d.Visible && d.Reason == "" {
			t.Errorf("%s: a refusal without a reason", tc.name)
		}
	}
}
