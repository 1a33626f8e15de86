package propagate_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/notify"
	"github.com/firebreak-oss/firebreak/internal/propagate"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/teamtarget"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

func addUser(t *testing.T, srv *server.Server, name, email string) auth.User {
	t.Helper()
	u, err := srv.Users.AddUser(context.Background(), name, email, auth.Responder)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// A restricted incident is told only to its members' own addresses: the
// resolver and communicator get mail, the owning team's list and channel,
// the support department and the partner nothing; the declarer, who has no
// address, is named on the timeline as not told.
func TestRestrictedIncidentIsToldOnlyToMembers(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		ctx := context.Background()
		p := startPeers(t)
		run := testutil.StartServer(t, p.options(t, url))
		srv := run.Server
		park := addUser(t, srv, "park", "")
		addUser(t, srv, "kim", "kim@example.com")
		addUser(t, srv, "lee", "lee@example.com")
		// The team's own target must stay silent too.
		if _, err := srv.TeamTargets.Add(ctx, auth.User{Name: "admin", Role: auth.Admin}, "pay",
			teamtarget.Input{Channel: "email", Address: "pay-leads@example.com"}); err != nil {
			t.Fatal(err)
		}

		inc, err := srv.Incidents.Declare(ctx, auth.User{Name: park.Name, Role: auth.Admin}, incident.Declaration{Title: "Leaked signing key", Grade: incident.SEV1,
			Services: []string{"payments"}, Visibility: incident.Restricted,
			Roles: map[incident.Role]string{incident.Resolver: "kim", incident.Communicator: "lee"}})
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, "two deliveries", func() bool { return count(t, srv, inc.ID, notify.EventDelivered) == 2 })
		waitFor(t, "the note of who was not told", func() bool { return count(t, srv, inc.ID, propagate.EventNotTold) == 1 })

		_, err = srv.Incidents.PostUpdate(ctx, park, inc.ID, incident.StatusUpdate{Text: "Key rotated.", Public: false})
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the update's deliveries", func() bool { return count(t, srv, inc.ID, notify.EventDelivered) == 4 })
		waitFor(t, "the update's note", func() bool { return count(t, srv, inc.ID, propagate.EventNotTold) == 2 })

		var to []string
		for _, m := range p.mail.Messages() {
			to = append(to, m.To...)
		}
		slices.Sort(to)
		if strings.Join(to, " ") != "kim@example.com kim@example.com lee@example.com lee@example.com" {
			t.Errorf("mail went to %v, want the resolver and the communicator only, twice each", to)
		}
		if calls := p.slack.Calls(); len(calls) != 0 {
			t.Errorf("a restricted incident reached Slack: %+v", calls)
		}
		if n := len(p.hook.Handled()); n != 0 {
			t.Errorf("a restricted incident reached the partner %d times", n)
		}
		msgs, err := srv.DB.Outbox().IncidentMessages(ctx, inc.ID, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) != 4 {
			t.Errorf("outbox holds %d messages, want 4", len(msgs))
		}
		for _, m := range msgs {
			if m.Channel != notify.Email || !strings.HasPrefix(m.TargetKey, "member:") || (m.To != "kim@example.com" && m.To != "lee@example.com") {
				t.Errorf("outbox holds a message to %s %s (%s)", m.Channel, m.To, m.TargetKey)
			}
		}
		for _, ev := range testutil.EventsOfKind(t, srv.DB, inc.ID, propagate.EventNotTold)[:2] {
			users, _ := json.Marshal(ev.Data["users"])
			if string(users) != `["park"]` || ev.Data["reason"] != "no e-mail address" {
				t.Errorf("note %v", ev.Data)
			}
		}
		// Running the declaration's job again stores and notes nothing twice.
		first := testutil.EventsOfKind(t, srv.DB, inc.ID, incident.EventDeclared)[0]
		if err := srv.Propagate.Propagate(ctx, inc.ID, first.ID); err != nil {
			t.Fatal(err)
		}
		if n := count(t, srv, inc.ID, propagate.EventNotTold); n != 2 {
			t.Errorf("a repeated job noted again: %d notes", n)
		}

		// Members added later hear of it as the others did; those without an
		// address are named.
		addUser(t, srv, "cho", "cho@example.com")
		addUser(t, srv, "han", "")
		added := []string{"cho", "han"}
		if _, err := srv.Incidents.Update(ctx, park, inc.ID, incident.Patch{Members: &added}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the new member's mail", func() bool { return count(t, srv, inc.ID, notify.EventDelivered) == 5 })
		waitFor(t, "the new members' note", func() bool { return count(t, srv, inc.ID, propagate.EventNotTold) == 3 })
		cho := mailTo(p.mail.Messages(), "cho@example.com")
		if len(cho) != 1 || !strings.Contains(cho[0].Text, "you were added to the incident") || !strings.Contains(cho[0].Text, "Leaked signing key") {
			t.Errorf("the new member's mail: %+v", cho)
		}
		if n := len(p.mail.Messages()); n != 5 {
			t.Errorf("%d mails after adding members, want 5 (the others are not told again)", n)
		}
		notes := testutil.EventsOfKind(t, srv.DB, inc.ID, propagate.EventNotTold)
		if users, _ := json.Marshal(notes[len(notes)-1].Data["users"]); !strings.Contains(string(users), `"han"`) {
			t.Errorf("the last note names %s, want han among them", users)
		}

		// The preview says the same: members only, and who is not told.
		res, err := srv.Propagate.Preview(ctx, propagate.Draft{Title: "x", Grade: incident.SEV1, Services: []string{"payments"},
			Visibility: incident.Restricted, Resolver: "kim", By: "park"})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Messages) != 1 || res.Messages[0].Target.Address != "kim@example.com" || strings.Join(res.NotTold, ",") != "park" {
			t.Errorf("restricted preview: %+v not told %v", res.Messages, res.NotTold)
		}
	})
}

// A team's own targets are told with the team: its e-mail at once, its
// webhook (from SEV2, signed with the team's secret) when the grade rises.
func TestTeamTargetsAreTold(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		ctx := context.Background()
		p := startPeers(t)
		teamHook := testutil.StartWebhookReceiver(t, "pay-team-secret-42")
		run := testutil.StartServer(t, p.options(t, url))
		srv := run.Server
		lead := auth.User{Name: "pat", Role: auth.Viewer, Teams: []auth.Membership{{Team: "pay", Role: auth.TeamResponder}}}
		for _, in := range []teamtarget.Input{
			{Channel: "email", Address: "pay-leads@example.com", Lang: "ko"},
			{Channel: "webhook", Address: teamHook.URL, Secret: "pay-team-secret-42", FromGrade: "SEV2"},
		} {
			if _, err := srv.TeamTargets.Add(ctx, lead, "pay", in); err != nil {
				t.Fatal(err)
			}
		}
		alice := auth.User{Name: "alice", Role: auth.Responder}
		inc, err := srv.Incidents.Declare(ctx, alice, incident.Declaration{Title: "Card payments fail", Grade: incident.SEV3,
			Services: []string{"payments"}, Visibility: incident.Internal})
		if err != nil {
			t.Fatal(err)
		}
		// team pay (mail, Slack), support (mail, Slack), pay-leads
		waitFor(t, "five deliveries", func() bool { return count(t, srv, inc.ID, notify.EventDelivered) == 5 })
		leads := mailTo(p.mail.Messages(), "pay-leads@example.com")
		if len(leads) != 1 || !strings.Contains(leads[0].Text, "장애") {
			t.Fatalf("the team's own address got %+v", leads)
		}
		if n := len(teamHook.Handled()); n != 0 {
			t.Fatalf("the team's SEV2 webhook was told of a SEV3")
		}
		sev2 := incident.SEV2
		if _, err := srv.Incidents.Update(ctx, alice, inc.ID, incident.Patch{Grade: &sev2}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the team's webhook", func() bool { return len(teamHook.Handled()) == 1 })
		if teamHook.BadlySigned() != 0 {
			t.Errorf("%d team webhooks badly signed", teamHook.BadlySigned())
		}
		if n := len(mailTo(p.mail.Messages(), "pay-leads@example.com")); n != 1 {
			t.Errorf("the team's address was told %d times, want once", n)
		}
	})
}
